import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../helpers/cli';
import { makeTempDir } from '../../helpers/temp-dir';

describe('npm start without a desktop session', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => ({ dir, cleanup } = await makeTempDir()));
  afterAll(async () => cleanup());

  it('says why in one line and serves the UI from the web host with a token', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, IMAGE_SEALER_HOME: join(dir, 'data') };
    delete env.DISPLAY;
    delete env.WAYLAND_DISPLAY;
    const child = spawn(process.execPath, [join(REPO_ROOT, 'scripts', 'start.mjs')], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const launchUrl = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL printed: ${out}`)), 110_000);
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{64})/.exec(out);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
      child.on('exit', (code) => reject(new Error(`npm start exited ${code}: ${out}`)));
    });
    try {
      const reasonLines = out.split('\n').filter((line) => line.includes('serving the same UI from the web host'));
      expect(reasonLines).toHaveLength(1);
      const launch = await fetch(launchUrl, { redirect: 'manual' });
      expect(launch.status).toBe(303);
      const cookie = String(launch.headers.get('set-cookie')).split(';')[0];
      const page = await fetch(new URL('/', launchUrl), { headers: { cookie } });
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<div id="root">');
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.on('exit', resolve));
    }
  });
});
