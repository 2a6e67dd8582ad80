#!/usr/bin/env node
// `npm test`: build, type-check, lint, run the unit and integration tests (inside a real keyring session when
// the machine has one) and the end-to-end tests, then print one totals line over every suite.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const artifacts = join(root, '.test-artifacts');
mkdirSync(artifacts, { recursive: true });
const only = process.argv.slice(2); // e.g. `npm test -- unit` runs one suite
const wants = (suite) => only.length === 0 || only.includes(suite);

const totals = { passed: 0, failed: 0, skipped: 0 };
const lines = [];

function run(title, command, args, options = {}) {
  console.log(`\n=== ${title}: ${command} ${args.join(' ')}`);
  const started = Date.now();
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  return { ok: result.status === 0, status: result.status, seconds };
}

function check(title, command, args) {
  const { ok, seconds } = run(title, command, args);
  totals[ok ? 'passed' : 'failed'] += 1;
  lines.push(`${title.padEnd(22)} ${ok ? 'ok' : 'FAILED'} (${seconds} s)`);
  return ok;
}

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
}

const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';

if (wants('build')) check('build', npx, ['electron-vite', 'build']);
if (wants('typecheck')) {
  check('typecheck (node)', npx, ['tsc', '-p', 'tsconfig.node.json', '--noEmit']);
  check('typecheck (web)', npx, ['tsc', '-p', 'tsconfig.web.json', '--noEmit']);
  check('typecheck (e2e)', npx, ['tsc', '-p', 'tsconfig.e2e.json', '--noEmit']);
}
if (wants('lint')) check('lint', npx, ['eslint', '.']);

if (wants('unit')) {
  const report = join(artifacts, 'vitest.json');
  const vitestArgs = ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile=${report}`];
  const keyring = join(root, 'scripts', 'with-keyring.sh');
  const canKeyring =
    process.platform === 'linux' &&
    spawnSync('sh', ['-c', 'command -v dbus-run-session && command -v gnome-keyring-daemon'], { stdio: 'ignore' }).status === 0;
  const env = { ...process.env };
  let result;
  if (canKeyring) {
    env.IMAGE_SEALER_REQUIRE_KEYRING = '1';
    result = run('unit + integration (in a keyring session)', keyring, [npx, ...vitestArgs], { env });
  } else {
    console.log('No D-Bus/gnome-keyring here: keychain tests will say they are skipped.');
    result = run('unit + integration', npx, vitestArgs, { env });
  }
  const json = readJson(report);
  if (json) {
    totals.passed += json.numPassedTests ?? 0;
    totals.failed += json.numFailedTests ?? 0;
    totals.skipped += (json.numPendingTests ?? 0) + (json.numTodoTests ?? 0);
    const failedSuites = (json.testResults ?? []).filter((suite) => suite.status === 'failed' && (suite.assertionResults ?? []).length === 0);
    totals.failed += failedSuites.length; // a file that failed to load has no tests but is a failure
    lines.push(`vitest                 ${json.numPassedTests} passed, ${json.numFailedTests + failedSuites.length} failed, ${json.numPendingTests} skipped (${result.seconds} s)`);
  } else {
    totals.failed += 1;
    lines.push(`vitest                 FAILED without a report (exit ${result.status})`);
  }
}

if (wants('e2e')) {
  const report = join(artifacts, 'playwright.json');
  const env = { ...process.env, PLAYWRIGHT_JSON_OUTPUT_NAME: report };
  if (!existsSync(join(root, 'playwright.config.ts'))) {
    lines.push('playwright             no config, not run');
  } else {
    const result = run('end-to-end (Playwright, Chromium)', npx, ['playwright', 'test', '--reporter=list,json'], { env });
    const json = readJson(report);
    if (json?.stats) {
      const { expected = 0, unexpected = 0, skipped = 0, flaky = 0 } = json.stats;
      totals.passed += expected + flaky;
      totals.failed += unexpected;
      totals.skipped += skipped;
      lines.push(`playwright             ${expected + flaky} passed, ${unexpected} failed, ${skipped} skipped (${result.seconds} s)`);
      if (result.status !== 0 && unexpected === 0) {
        totals.failed += 1;
        lines.push(`playwright             exited ${result.status}`);
      }
    } else {
      totals.failed += 1;
      lines.push(`playwright             FAILED without a report (exit ${result.status})`);
    }
  }
}

const summary = `${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`;
writeFileSync(join(artifacts, 'totals.txt'), `${summary}\n`);
console.log('\n=== summary');
for (const line of lines) console.log(line);
console.log(summary);
process.exit(totals.failed === 0 ? 0 : 1);
