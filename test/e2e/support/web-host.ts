import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface RunningHost {
  url: string;
  launchUrl: string;
  token: string;
  dataDir: string;
  /** whether the host runs inside a private D-Bus session with an unlocked keyring (DEK custody needs one) */
  keyring: boolean;
  stop(): Promise<void>;
}

const ROOT = process.cwd();
const START_TIMEOUT_MS = 60_000;

function keyringAvailable(): boolean {
  if (process.platform !== 'linux') return false;
  return (
    spawnSync('sh', ['-c', 'command -v dbus-run-session && command -v gnome-keyring-daemon'], { stdio: 'ignore' })
      .status === 0
  );
}

/**
 * Starts `image-sealer serve --json` on a fresh data folder, exactly as a person would, and reads the result
 * line for the launch URL. On Linux it runs inside a keyring session so sealed DEKs have somewhere to wait.
 */
export async function startWebHost(): Promise<RunningHost> {
  const dataDir = await mkdtemp(join(tmpdir(), 'image-sealer-e2e-'));
  const keyring = keyringAvailable();
  const serve = ['bin/image-sealer.js', 'serve', '--json', '--data-dir', dataDir];
  const child: ChildProcess = keyring
    ? spawn('sh', ['scripts/with-keyring.sh', process.execPath, ...serve], {
        cwd: ROOT,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      })
    : spawn(process.execPath, serve, { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });

  const stop = async () => {
    if (child.exitCode === null && child.pid) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      try {
        process.kill(-child.pid, 'SIGTERM'); // the group we created: the shell, D-Bus, keyring and the host
      } catch {
        // already gone
      }
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
      if (child.exitCode === null) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    await rm(dataDir, { recursive: true, force: true });
  };

  const result = await new Promise<{ url: string; launchUrl: string }>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`image-sealer serve did not start in time. stderr: ${stderr}`)),
      START_TIMEOUT_MS,
    );
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      try {
        const event = JSON.parse(line) as { event?: string; url?: string; launchUrl?: string; message?: string };
        if (event.event === 'result' && event.launchUrl && event.url) {
          clearTimeout(timer);
          resolve({ url: event.url, launchUrl: event.launchUrl });
        } else if (event.event === 'error') {
          clearTimeout(timer);
          reject(new Error(`image-sealer serve failed: ${line}`));
        }
      } catch {
        // not a JSON line
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`image-sealer serve exited with ${code}. stderr: ${stderr}`));
    });
  }).catch(async (error: unknown) => {
    await stop();
    throw error;
  });

  const token = new URL(result.launchUrl).searchParams.get('token') ?? '';
  return { ...result, token, dataDir, keyring, stop };
}
