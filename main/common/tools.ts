import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter, join } from 'node:path';

const cache = new Map<string, Promise<boolean>>();

/** Whether an external tool (qemu-img, cryptsetup) can be run here; asked once per process. */
export function toolAvailable(name: string): Promise<boolean> {
  let known = cache.get(name);
  if (!known) {
    known = new Promise((resolve) => {
      execFile(name, ['--version'], { timeout: 5000 }, (error) => resolve(!error));
    });
    cache.set(name, known);
  }
  return known;
}

/**
 * The path of a system tool: the first executable `name` on PATH or in `alsoIn` (e.g. /usr/sbin, which is not
 * on a normal Debian user's PATH), or null.
 */
export async function findExecutable(name: string, alsoIn: readonly string[] = []): Promise<string | null> {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...alsoIn];
  for (const candidate of dirs.map((dir) => join(dir, name))) {
    const runnable = await access(candidate, constants.X_OK).then(
      () => true,
      () => false,
    );
    if (runnable) return candidate;
  }
  return null;
}
