import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secureWebPreferences } from '../../../main/electron/security';

const run = promisify(execFile);
const root = process.cwd();
const support = join(root, 'test', 'unit', 'electron', 'support');

interface Finding {
  id: string;
  file: string;
  line: number;
  severity: string;
  confidence: string;
  description: string;
}

const SEVERITY_RANK: Record<string, number> = { INFORMATIONAL: 0, LOW: 1, MEDIUM: 2, HIGH: 3 };

async function electronegativity(
  folder: string,
  electronVersion: string,
): Promise<{ issues: Finding[]; errors: unknown[]; atomicChecks: number }> {
  const { stdout } = await run(
    process.execPath,
    [
      '--import',
      pathToFileURL(join(support, 'offline-network.mjs')).href,
      join(support, 'run-electronegativity.mjs'),
      folder,
      electronVersion,
    ],
    {
      cwd: root,
      maxBuffer: 16 * 1024 * 1024,
      timeout: 60_000,
    },
  );
  const line = stdout.split('\n').find((text) => text.startsWith('ELECTRONEGATIVITY '));
  if (!line) throw new Error(`no result from Electronegativity: ${stdout.slice(-2000)}`);
  return JSON.parse(line.slice('ELECTRONEGATIVITY '.length)) as {
    issues: Finding[];
    errors: unknown[];
    atomicChecks: number;
  };
}

function mediumOrAbove(issues: Finding[]): string[] {
  return issues
    .filter((issue) => (SEVERITY_RANK[issue.severity] ?? 3) >= SEVERITY_RANK.MEDIUM)
    .map(
      (issue) => `${issue.severity}/${issue.confidence} ${issue.id} ${issue.file}:${issue.line} — ${issue.description}`,
    );
}

describe('Electronegativity over the Electron main process and the preload', () => {
  let workspace = '';
  let electronVersion = '';

  beforeAll(async () => {
    const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as {
      devDependencies: Record<string, string>;
    };
    electronVersion = pkg.devDependencies.electron.replace(/^[^0-9]*/, '');
    // Scan main/electron and preload together, so global checks (CSP, navigation limits, permission
    // handler) see the whole privileged surface at once, exactly as written.
    workspace = await mkdtemp(join(tmpdir(), 'electronegativity-'));
    await mkdir(join(workspace, 'app', 'main'), { recursive: true });
    await cp(join(root, 'main', 'electron'), join(workspace, 'app', 'main', 'electron'), { recursive: true });
    await cp(join(root, 'preload'), join(workspace, 'app', 'preload'), { recursive: true });
  }, 60_000);

  afterAll(async () => {
    if (workspace) await rm(workspace, { recursive: true, force: true });
  });

  it('finds nothing of medium severity or above', async () => {
    const result = await electronegativity(join(workspace, 'app'), electronVersion);
    expect(result.errors).toEqual([]);
    expect(result.atomicChecks).toBeGreaterThan(20);
    expect(mediumOrAbove(result.issues)).toEqual([]);
  }, 90_000);

  it('backs the window line it may not check: the preferences it cannot follow are the secure ones', async () => {
    const source = await readFile(join(root, 'main', 'electron', 'window.ts'), 'utf8');
    const lines = source.split('\n');
    const annotated = lines.findIndex((line) => line.includes('eng-disable'));
    expect(lines.filter((line) => line.includes('eng-disable'))).toHaveLength(1);
    expect(lines[annotated]).toContain('new BrowserWindow(options)');
    // The options handed to that constructor take their preferences from secureWebPreferences, nowhere else.
    const options = lines.slice(Math.max(0, annotated - 15), annotated).join('\n');
    expect(options).toMatch(
      /const options: BrowserWindowConstructorOptions = \{[^}]*webPreferences: secureWebPreferences\(paths\.preload\),\s*\};\s*$/,
    );
    expect(secureWebPreferences('/p')).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      disableBlinkFeatures: 'Auxclick',
    });
  });

  it('does flag an insecure window (the check can fail)', async () => {
    const bad = join(workspace, 'bad');
    await mkdir(bad, { recursive: true });
    await writeFile(
      join(bad, 'window.ts'),
      "import { BrowserWindow } from 'electron';\nexport const w = new BrowserWindow({ webPreferences: { nodeIntegration: true, contextIsolation: false, sandbox: false } });\n",
    );
    const result = await electronegativity(bad, electronVersion);
    const ids = mediumOrAbove(result.issues).join('\n');
    expect(ids).toContain('CONTEXT_ISOLATION_JS_CHECK');
    expect(ids).toContain('SANDBOX_JS_CHECK');
  }, 90_000);
});
