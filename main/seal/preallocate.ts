import { execFile } from 'node:child_process';
import { findExecutable } from '../common/tools';

/**
 * Reserves the first `bytes` of a sealed file before the data goes in, as `qemu-img convert` does with
 * preallocation=falloc, through util-linux's `fallocate` (Node has no fallocate(2)).
 *
 * Why: ext4 runs direct writes into space that is already allocated side by side (shared inode lock), while
 * direct writes that allocate blocks take the lock one at a time. With the space reserved, the sealed output
 * keeps several direct writes in flight: a durable seal of 1 GiB took 0.50–0.65 s (median 0.55) instead of
 * 0.60–0.66 s (median 0.63), interleaved, 5 runs each. Reserving alone, with one write at a time, was no faster.
 *
 * Resolves false when it cannot: not Linux, no `fallocate`, a file system without it, or not enough space —
 * `bytes` is an upper bound that can be far above what the seal writes (zero clusters are skipped), so a full
 * disk here is no reason to fail; the output then writes one chunk at a time as before. The caller truncates the
 * file to its real size at the end.
 */
export async function preallocate(path: string, bytes: number): Promise<boolean> {
  if (process.platform !== 'linux' || !Number.isSafeInteger(bytes) || bytes <= 0) return false;
  const fallocate = await findExecutable('fallocate', ['/usr/bin', '/bin']);
  if (!fallocate) return false;
  return new Promise((resolve) => {
    execFile(fallocate, ['--length', String(bytes), '--', path], { timeout: 15_000 }, (error) => resolve(!error));
  });
}
