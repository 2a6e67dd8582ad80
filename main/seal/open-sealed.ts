import { AppError, isAppError } from '../common/errors';
import type { XtsPool } from '../crypto/worker-pool';
import type { DiskReader } from '../image/types';
import type { TargetId } from '../targets';
import { luksRawWriter } from './luks-raw-writer';
import { qcow2LuksWriter } from './qcow2-luks-writer';
import { vhdCryptWriter } from './vhd-crypt-writer';
import type { SealedFormatWriter } from './writer';

/** The one place that maps a target to the writer (and reader) of its sealed format. */
export function sealedFormatFor(target: TargetId): SealedFormatWriter {
  switch (target) {
    case 'vpc':
      return qcow2LuksWriter;
    case 'classic-luks':
      return luksRawWriter;
    case 'classic-vhd':
      return vhdCryptWriter;
  }
}

/**
 * The virtual size a sealed image presents for a source of `sourceSize` bytes: whole 512-byte sectors, and
 * whole 2 MiB blocks for vhd-util's format. The extra tail reads as zeros; content digests cover it.
 */
export function sealedVirtualSize(target: TargetId, sourceSize: number): number {
  const unit = target === 'classic-vhd' ? 2 * 1024 * 1024 : 512;
  return Math.ceil(sourceSize / unit) * unit;
}

const WRONG_KEY_CODES = new Set(['SEAL_WRONG_KEY', 'LUKS_WRONG_PASSPHRASE', 'VHD_WRONG_KEY']);

/**
 * Opens a sealed image of a target with the encryptor secret (`targetSpec(target).encryptorSecret(dek)`) and
 * returns a reader of its decrypted virtual disk. A wrong secret → AppError SEAL_WRONG_KEY, whatever the format.
 */
export async function openSealedImage(
  target: TargetId,
  path: string,
  secret: Buffer,
  options: { pool?: XtsPool } = {},
): Promise<DiskReader> {
  try {
    return await sealedFormatFor(target).open(path, secret, options);
  } catch (error) {
    if (isAppError(error) && WRONG_KEY_CODES.has(error.code) && error.code !== 'SEAL_WRONG_KEY') {
      throw new AppError('SEAL_WRONG_KEY', `The key does not open this sealed ${target} image: ${error.message}`, {
        hint: 'Use the DEK (or DEK file) the image was sealed with, and check the target.',
        cause: error,
      });
    }
    throw error;
  }
}
