import { createHash } from 'node:crypto';
import { AppError } from '../common/errors';

/** S3/COS multipart limits (REFERENCE.md): parts 5 MiB–5 GiB (the last may be smaller), at most 10,000 parts. */
export const MIB = 1024 * 1024;
export const MIN_PART_SIZE = 5 * MIB;
export const MAX_PART_SIZE = 5 * 1024 * MIB;
export const MAX_PARTS = 10_000;
/** IBM recommends 20–100 MB parts for objects under 50 GB; 16 MiB keeps memory and re-sent bytes small. */
export const DEFAULT_MIN_PART_SIZE = 16 * MIB;

export interface PartRange {
  /** 1-based, as S3 numbers parts */
  partNumber: number;
  offset: number;
  size: number;
}

/**
 * The part size for an object: at least 16 MiB and large enough that the object fits in 10,000 parts,
 * rounded up to whole MiB. An override (in MiB) is validated against the same limits.
 */
export function choosePartSize(objectSize: number, overrideMiB?: number): number {
  if (!Number.isSafeInteger(objectSize) || objectSize < 0) {
    throw new AppError('UPLOAD_INVALID_SIZE', `The object size ${objectSize} is not a valid byte count.`);
  }
  if (overrideMiB !== undefined) {
    if (!Number.isInteger(overrideMiB) || overrideMiB * MIB < MIN_PART_SIZE || overrideMiB * MIB > MAX_PART_SIZE) {
      throw new AppError('UPLOAD_PART_SIZE_INVALID', `A part size of ${overrideMiB} MiB is not allowed.`, {
        hint: `Choose a whole number of MiB from ${MIN_PART_SIZE / MIB} to ${MAX_PART_SIZE / MIB}.`,
      });
    }
    const partSize = overrideMiB * MIB;
    const parts = partCountFor(objectSize, partSize);
    if (parts > MAX_PARTS) {
      const needed = Math.ceil(objectSize / MAX_PARTS / MIB);
      throw new AppError(
        'UPLOAD_PART_SIZE_INVALID',
        `A part size of ${overrideMiB} MiB would need ${parts} parts; Cloud Object Storage allows at most ${MAX_PARTS}.`,
        { hint: `Use a part size of at least ${needed} MiB, or leave it unset to choose automatically.` },
      );
    }
    return partSize;
  }
  const bySize = Math.ceil(objectSize / MAX_PARTS / MIB) * MIB;
  const partSize = Math.max(DEFAULT_MIN_PART_SIZE, bySize);
  if (partSize > MAX_PART_SIZE) {
    throw new AppError('UPLOAD_TOO_LARGE', `The file is too large for one object (${objectSize} bytes).`, {
      hint: 'Cloud Object Storage objects hold at most 10,000 parts of 5 GiB.',
    });
  }
  return partSize;
}

export function partCountFor(objectSize: number, partSize: number): number {
  // An empty object is still one (empty) part: Complete needs at least one.
  return Math.max(1, Math.ceil(objectSize / partSize));
}

export function planParts(objectSize: number, partSize: number): PartRange[] {
  const count = partCountFor(objectSize, partSize);
  const parts: PartRange[] = [];
  for (let index = 0; index < count; index += 1) {
    const offset = index * partSize;
    parts.push({ partNumber: index + 1, offset, size: Math.min(partSize, objectSize - offset) });
  }
  return parts;
}

/** The ETag S3/COS gives a multipart object: MD5 of the concatenated binary part MD5s, then `-<part count>`. */
export function multipartEtag(partMd5sHex: readonly string[]): string {
  const hash = createHash('md5');
  for (const md5 of partMd5sHex) hash.update(Buffer.from(md5, 'hex'));
  return `${hash.digest('hex')}-${partMd5sHex.length}`;
}

/** ETags arrive quoted from S3; compare them bare and lower-case. */
export function normalizeEtag(etag: string | undefined): string | undefined {
  return etag === undefined ? undefined : etag.replace(/^W\//, '').replace(/"/g, '').toLowerCase();
}

export function isMultipartEtag(etag: string | undefined): boolean {
  return etag !== undefined && /^[0-9a-f]{32}-\d+$/.test(etag);
}
