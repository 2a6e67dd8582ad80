import { execFile } from 'node:child_process';

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
