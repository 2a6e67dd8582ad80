import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** Builds the renderer when it is missing (npm test builds first) and starts every run with fresh screenshots. */
export default function globalSetup(): void {
  const root = process.cwd();
  if (!existsSync(join(root, 'out', 'renderer', 'index.html'))) {
    const result = spawnSync('npx', ['electron-vite', 'build'], { cwd: root, stdio: 'inherit' });
    if (result.status !== 0) throw new Error('electron-vite build failed; the web host has no UI to serve.');
  }
  const screenshots = join(root, 'test-results', 'screenshots');
  rmSync(screenshots, { recursive: true, force: true });
  mkdirSync(screenshots, { recursive: true });
}
