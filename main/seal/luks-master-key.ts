import { randomBytes } from 'node:crypto';
import { startLuks1, type CreatedLuks, type LuksLayout } from '../crypto/luks1';
import type { XtsKeyHandle } from '../crypto/worker-pool';
import type { SealedWriteOptions } from './writer';

/** aes-xts-plain64 with a 512-bit master key (AES-256-XTS), as cryptsetup luksFormat and qemu-img create it. */
export const LUKS_MASTER_KEY_BYTES = 64;

export interface LuksMasterKey {
  /** the master key in the worker pool, for `pool.run` */
  readonly handle: XtsKeyHandle;
  /** the LUKS header with its key slot, derived beside the encryption; the writer awaits it for the header */
  readonly created: Promise<CreatedLuks>;
}

/**
 * Runs `write` with a fresh master key for a LUKS format: the key slot's PBKDF2 is started first and runs while
 * `write` encrypts (the header goes in last), and the key is in the pool for the workers. Whatever happens,
 * the derivation settles before the key is zeroed (it still reads the key until then) and the pool forgets the
 * key. `write` closes its own output first, so nothing writes into the file after it returns.
 */
export async function withLuksMasterKey<T>(
  options: Pick<SealedWriteOptions, 'pool' | 'secret' | 'iterTimeMs' | 'signal'>,
  layout: LuksLayout,
  write: (key: LuksMasterKey) => Promise<T>,
): Promise<T> {
  const { pool, signal } = options;
  const masterKey = randomBytes(LUKS_MASTER_KEY_BYTES);
  let created: Promise<CreatedLuks> | null = null;
  let handle: XtsKeyHandle | null = null;
  try {
    created = (await startLuks1({ masterKey, passphrase: options.secret, iterTimeMs: options.iterTimeMs, layout }))
      .created;
    signal?.throwIfAborted();
    handle = await pool.addKey(masterKey, 'plain64');
    return await write({ handle, created });
  } finally {
    await created?.catch(() => undefined);
    masterKey.fill(0);
    if (handle) await pool.removeKey(handle).catch(() => undefined);
  }
}
