import { pbkdf2 } from 'node:crypto';
import { promisify } from 'node:util';

const pbkdf2Async = promisify(pbkdf2);

/** PBKDF2 on libuv's thread pool, so a 2-second key slot does not freeze the event loop. */
export function derivePbkdf2(
  secret: Buffer,
  salt: Buffer,
  iterations: number,
  keyLength: number,
  hash: string,
): Promise<Buffer> {
  return pbkdf2Async(secret, salt, iterations, keyLength, hash);
}

/**
 * PBKDF2 iterations per second on this machine, measured the way cryptsetup and QEMU do: run growing
 * iteration counts until one run takes long enough to time reliably. Once a run is long enough to predict from
 * (an eighth of the sample time), the next one is sized to take the whole sample time at once, instead of doubling
 * up to it: the doublings cost about as much again as the run that counts (a seal waits for this before it starts).
 */
export async function pbkdf2IterationsPerSecond(hash: string, keyLength: number, minSampleMs = 60): Promise<number> {
  const secret = Buffer.from('calibration passphrase');
  const salt = Buffer.alloc(32, 0x5a);
  let iterations = 1000;
  for (;;) {
    const start = performance.now();
    await derivePbkdf2(secret, salt, iterations, keyLength, hash);
    const elapsed = performance.now() - start;
    if (elapsed >= minSampleMs || iterations >= MAX_SAMPLE_ITERATIONS) {
      return Math.max(1, Math.round((iterations * 1000) / Math.max(elapsed, 0.001)));
    }
    iterations =
      elapsed < minSampleMs / 8
        ? iterations * 8
        : Math.min(MAX_SAMPLE_ITERATIONS, Math.ceil((iterations * minSampleMs * 1.2) / elapsed));
  }
}

const MAX_SAMPLE_ITERATIONS = 1 << 26;
