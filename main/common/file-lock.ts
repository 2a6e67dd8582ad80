import { mkdir, open, readFile, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface FileLock {
  path: string;
  release(): Promise<void>;
}

/**
 * A lock file holding the owner's pid, created exclusively. A lock whose owner process is gone (killed, crashed)
 * is stale and taken over, so a kill -9 never leaves the data folder locked for good.
 * Returns null when a live process holds it.
 */
export async function tryLock(path: string): Promise<FileLock | null> {
  await mkdir(dirname(path), { recursive: true });
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      const handle = await open(path, 'wx', 0o600);
      await handle.write(String(process.pid));
      await handle.close();
      return { path, release: () => rm(path, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = await lockOwner(path);
      if (owner !== null && owner !== process.pid && processAlive(owner)) return null;
      if (owner === null && !(await olderThan(path, 5_000))) return null;
      await rm(path, { force: true });
    }
  }
  return null;
}

/** Waits up to `timeoutMs` for the lock; null if it stayed held. */
export async function waitForLock(path: string, timeoutMs: number): Promise<FileLock | null> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const lock = await tryLock(path);
    if (lock || Date.now() > deadline) return lock;
    await sleep(10);
  }
}

export async function lockOwner(path: string): Promise<number | null> {
  try {
    const pid = Number((await readFile(path, 'utf8')).trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function olderThan(path: string, ms: number): Promise<boolean> {
  try {
    return Date.now() - (await stat(path)).mtimeMs > ms;
  } catch {
    return true;
  }
}
