import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { _electron as electron, expect, test } from '@playwright/test';

/**
 * Electron's runtime binary, if this machine has it. Read from the package's path.txt and dist folder rather
 * than `require('electron')`, which would try to download the runtime (these machines cannot reach it).
 */
function electronBinary(): string | null {
  if (process.env.ELECTRON_EXEC_PATH && existsSync(process.env.ELECTRON_EXEC_PATH))
    return process.env.ELECTRON_EXEC_PATH;
  const packageDir = join(process.cwd(), 'node_modules', 'electron');
  const pathFile = join(packageDir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const binary = join(packageDir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : null;
}

test.describe('the desktop app (Electron)', () => {
  test('opens one sandboxed window showing the jobs page', async () => {
    const binary = electronBinary();
    test.skip(
      binary === null,
      'Electron’s runtime is not installed on this machine (it cannot be downloaded here); the same UI is tested in Chromium against the web host.',
    );
    const app = await electron.launch({
      executablePath: binary ?? undefined,
      args: [join(process.cwd(), 'out', 'main', 'index.js'), '--no-sandbox'],
    });
    try {
      const window = await app.firstWindow();
      await expect(window.getByTestId('transport')).toHaveText('Desktop app');
      expect(await window.evaluate(() => typeof (globalThis as { process?: unknown }).process)).toBe('undefined');
      expect(app.windows()).toHaveLength(1);
    } finally {
      await app.close();
    }
  });
});
