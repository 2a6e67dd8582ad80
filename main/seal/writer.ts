import type { ProgressListener } from '../common/progress';
import type { XtsPool } from '../crypto/worker-pool';
import type { DiskReader } from '../image/types';
import type { TargetSpec } from '../targets';

/**
 * What every sealed-format writer offers, so the sealing service can dispatch by target and the benchmark can
 * run every format the same way. One implementation per file: qcow2-luks-writer.ts (vpc),
 * luks-raw-writer.ts (classic-luks), vhd-crypt-writer.ts (classic-vhd).
 */
export interface SealedWriteOptions {
  /** the plain source disk; the writer reads it and keeps its holes as holes where the format allows */
  reader: DiskReader;
  /** file to create; the caller passes a temporary sibling and renames it after verification */
  outPath: string;
  /** exactly `targetSpec(target).encryptorSecret(dek)`: a LUKS passphrase or a raw XTS key. Not zeroed here. */
  secret: Buffer;
  /** PBKDF2 time per key slot for LUKS formats (cryptsetup's --iter-time); ignored where no PBKDF exists */
  iterTimeMs: number;
  /** shared worker threads for XTS; the writer must not close it */
  pool: XtsPool;
  signal?: AbortSignal;
  /** phase 'encrypt', bytes of virtual content processed of reader.virtualSize */
  onProgress?: ProgressListener;
  /** flush the file to disk before resolving (default true); the benchmark turns it off for CPU-bound runs */
  fsync?: boolean;
}

export interface SealedWriteResult {
  /** e.g. "aes-256-xts-plain64 (LUKS1, sha256)" — shown to people and stored in the manifest */
  cipher: string;
}

export interface SealedFormatWriter {
  readonly format: TargetSpec['format'];
  /**
   * Writes the sealed image. On failure or abort it may leave a partial `outPath` behind: the caller owns
   * that file and deletes it.
   */
  write(options: SealedWriteOptions): Promise<SealedWriteResult>;
  /**
   * Opens a sealed image with the secret and returns a reader of the decrypted virtual disk (for verify and
   * the sandbox import). A wrong secret → AppError SEAL_WRONG_KEY; a file that is not this format →
   * AppError SEAL_NOT_SEALED_FORMAT.
   */
  open(path: string, secret: Buffer, options?: { pool?: XtsPool }): Promise<DiskReader>;
}
