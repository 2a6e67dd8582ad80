#!/usr/bin/env node
// `npm run test:reliability`: runs the hardening tests with the hostile-image, fault and attack-surface suites
// (vitest, JSON report under .test-artifacts/), then prints one table: what was tried, which faults were
// injected, how each ended (resumed / failed clearly / refused) and how many secrets were found (must be 0).
// The hardening tests record what they observed in .test-artifacts/reliability/<suite>.json.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const artifacts = join(root, '.test-artifacts');
const countsDir = join(artifacts, 'reliability');
const report = join(artifacts, 'reliability-vitest.json');
const FUZZ_RUNS = Number(process.env.IMAGE_FUZZ_RUNS ?? 300);

/** The suites, by row of the table. `kind` says how a suite's tests are counted. */
const SUITES = [
  { row: 'hostile image corpus', files: ['test/integration/image/hostile.test.ts'], kind: 'refusals' },
  { row: 'image fuzz (fast-check)', files: ['test/integration/image/fuzz.test.ts'], kind: 'fuzz' },
  { row: 'kill -9 + resume', files: ['test/integration/hardening/kill-resume.test.ts'], recorder: 'kill-resume' },
  { row: 'full disk', files: ['test/integration/hardening/full-disk.test.ts'], recorder: 'full-disk' },
  {
    row: 'Key Protect / COS faults',
    files: ['test/integration/hardening/service-faults.test.ts'],
    recorder: 'service-faults',
  },
  { row: 'token expiry', files: ['test/integration/hardening/token-expiry.test.ts'], recorder: 'token-expiry' },
  { row: 'clock jumps', files: ['test/unit/hardening/clock-jumps.test.ts'], recorder: 'clock-jumps' },
  { row: 'concurrency', files: ['test/integration/hardening/concurrency.test.ts'], recorder: 'concurrency' },
  { row: 'secret hygiene', files: ['test/integration/hardening/secret-hygiene.test.ts'], recorder: 'secret-hygiene' },
  { row: 'key zeroing', files: ['test/integration/hardening/key-zeroing.test.ts'], recorder: 'key-zeroing' },
  {
    row: 'secret scanner self-test',
    files: ['test/unit/hardening/secret-scanner.test.ts'],
    recorder: 'secret-scanner',
  },
  {
    row: 'upload link faults / crash',
    files: ['test/integration/transfer/upload-faults.test.ts', 'test/integration/transfer/upload-crash.test.ts'],
    kind: 'faults',
  },
  { row: 'Key Protect client retries', files: ['test/unit/kms/key-protect-retry.test.ts'], kind: 'faults' },
  {
    row: 'web host / IPC attack surface',
    files: ['test/integration/web-host/web-host.test.ts', 'test/unit/electron/shell-security.test.ts'],
    kind: 'refusals',
  },
];

rmSync(countsDir, { recursive: true, force: true });
mkdirSync(countsDir, { recursive: true });
rmSync(report, { force: true });

const files = SUITES.flatMap((suite) => suite.files).filter((file) => existsSync(join(root, file)));
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const vitestArgs = ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile=${report}`, ...files];
const keyring = join(root, 'scripts', 'with-keyring.sh');
const canKeyring =
  process.platform === 'linux' &&
  spawnSync('sh', ['-c', 'command -v dbus-run-session && command -v gnome-keyring-daemon'], { stdio: 'ignore' })
    .status === 0;
const env = { ...process.env, IMAGE_FUZZ_RUNS: String(FUZZ_RUNS) };
const started = Date.now();
let run;
if (canKeyring) {
  env.IMAGE_SEALER_REQUIRE_KEYRING = '1';
  run = spawnSync(keyring, [npx, ...vitestArgs], { cwd: root, stdio: 'inherit', env });
} else {
  console.log('No D-Bus/gnome-keyring here: the keychain-dependent hardening tests will say they are skipped.');
  run = spawnSync(npx, vitestArgs, { cwd: root, stdio: 'inherit', env });
}
const seconds = ((Date.now() - started) / 1000).toFixed(0);

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
}

const vitest = readJson(report);
const byFile = new Map();
for (const result of vitest?.testResults ?? []) {
  const file = relative(root, result.name);
  const tests = result.assertionResults ?? [];
  byFile.set(file, {
    passed: tests.filter((test) => test.status === 'passed').length,
    failed:
      tests.filter((test) => test.status === 'failed').length +
      (result.status === 'failed' && tests.length === 0 ? 1 : 0),
    skipped: tests.filter((test) => test.status === 'pending' || test.status === 'skipped' || test.status === 'todo')
      .length,
  });
}

const recorded = new Map();
for (const name of existsSync(countsDir) ? readdirSync(countsDir) : []) {
  const value = readJson(join(countsDir, name));
  if (value?.suite) recorded.set(value.suite, value);
}

const zero = () => ({
  inputsTried: 0,
  faultsInjected: 0,
  resumed: 0,
  failedClearly: 0,
  refused: 0,
  secretScans: 0,
  secretsFound: 0,
});
const columns = [
  'Area',
  'Tests ok',
  'Failed',
  'Skipped',
  'Inputs tried',
  'Faults injected',
  'Resumed',
  'Failed clearly',
  'Refused',
  'Secret scans',
  'Secrets found',
];
const rows = [];
const total = { passed: 0, failed: 0, skipped: 0, ...zero() };
for (const suite of SUITES) {
  const tests = { passed: 0, failed: 0, skipped: 0 };
  let ran = false;
  for (const file of suite.files) {
    const counted = byFile.get(file);
    if (!counted) continue;
    ran = true;
    tests.passed += counted.passed;
    tests.failed += counted.failed;
    tests.skipped += counted.skipped;
  }
  const counts = zero();
  if (suite.recorder) Object.assign(counts, recorded.get(suite.recorder)?.counts ?? {});
  // Suites that do not record counts: their passing tests are what was observed.
  if (suite.kind === 'refusals') counts.refused = tests.passed;
  if (suite.kind === 'faults') counts.faultsInjected = tests.passed;
  if (suite.kind === 'fuzz' && tests.passed > 0) {
    counts.inputsTried = FUZZ_RUNS;
    counts.refused = tests.passed;
  }
  for (const key of Object.keys(tests)) total[key] += tests[key];
  for (const key of Object.keys(counts)) total[key] += counts[key];
  rows.push([
    suite.row,
    ran ? tests.passed : 'not run',
    tests.failed,
    tests.skipped,
    counts.inputsTried,
    counts.faultsInjected,
    counts.resumed,
    counts.failedClearly,
    counts.refused,
    counts.secretScans,
    counts.secretsFound,
  ]);
}
rows.push([
  'TOTAL',
  total.passed,
  total.failed,
  total.skipped,
  total.inputsTried,
  total.faultsInjected,
  total.resumed,
  total.failedClearly,
  total.refused,
  total.secretScans,
  total.secretsFound,
]);

const cells = [columns, ...rows].map((row) => row.map(String));
const widths = columns.map((_, column) => Math.max(...cells.map((row) => row[column].length)));
const line = (row) =>
  row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join(' | ');
const table = [line(cells[0]), widths.map((width) => '-'.repeat(width)).join('-|-'), ...cells.slice(1).map(line)].join(
  '\n',
);

const notes = [
  `vitest ${vitest ? `exit ${run.status}` : `FAILED without a report (exit ${run.status})`}, ${seconds} s`,
  `fuzz: ${FUZZ_RUNS} mutated images per run, fixed seed; hostile corpus and attack surface: one row per passing test (each test refuses many inputs)`,
  'Resumed: a job that reached its goal with "jobs resume" after the fault. Failed clearly: stopped with a code, a message and a hint.',
];
const output = `\n=== reliability summary\n${table}\n\n${notes.join('\n')}\n`;
console.log(output);
writeFileSync(join(artifacts, 'reliability.txt'), output);

const ok = vitest !== null && run.status === 0 && total.failed === 0 && total.secretsFound === 0;
if (total.secretsFound > 0) console.log(`SECRETS FOUND: ${total.secretsFound} (see ${countsDir})`);
process.exit(ok ? 0 : 1);
