import { allocTransferable, type XtsPool } from '../crypto/worker-pool';
import { createXtsCipher, type XtsIvMode } from '../crypto/xts';

/**
 * Where a decrypting reader runs XTS: on the calling thread, or on the shared worker pool so that one large
 * read is decrypted by all cores at once (verification reads whole images).
 */
export interface SectorDecryptor {
  /** Decrypts whole sectors; resolves with the plaintext, which may be a different Buffer than `data`. */
  decrypt(data: Buffer, firstSector: number): Promise<Buffer>;
  /** a buffer `decrypt` can take without copying */
  alloc(size: number): Buffer;
  /** several pieces of one read are worth decrypting at the same time */
  readonly parallel: boolean;
  dispose(): Promise<void>;
}

export function localDecryptor(key: Uint8Array, ivMode: XtsIvMode): SectorDecryptor {
  const cipher = createXtsCipher(key, ivMode);
  return {
    parallel: false,
    alloc: (size) => Buffer.allocUnsafe(size),
    async decrypt(data, firstSector) {
      cipher.decrypt(data, firstSector);
      return data;
    },
    async dispose() {
      cipher.dispose();
    },
  };
}

export async function poolDecryptor(pool: XtsPool, key: Uint8Array, ivMode: XtsIvMode): Promise<SectorDecryptor> {
  const handle = await pool.addKey(key, ivMode);
  return {
    parallel: pool.size > 1,
    alloc: allocTransferable,
    decrypt: (data, firstSector) => pool.run(handle, data, [[0, data.length, firstSector]], true),
    async dispose() {
      await pool.removeKey(handle).catch(() => undefined);
    },
  };
}
