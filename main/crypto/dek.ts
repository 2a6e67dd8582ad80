import { createHash, randomBytes } from 'node:crypto';
import { open } from 'node:fs/promises';
import { AppError } from '../common/errors';
import { targetSpec, type TargetId } from '../targets';

/**
 * Data encryption keys: generated here, or brought by the officer as a file of raw bytes or base64 text.
 * Sizes come from the targets table. Callers zero the returned buffers when done.
 */
const MAX_DEK_FILE_BYTES = 4096;
const BASE64_TEXT = /^[A-Za-z0-9+/]+={0,2}$/;

export function dekSizeFor(target: TargetId, keyBits?: number): number {
  const sizes = targetSpec(target).dekSizes;
  if (keyBits === undefined) return sizes[0]!;
  const bytes = keyBits / 8;
  if (!sizes.includes(bytes)) {
    throw new AppError('DEK_SIZE', `The ${target} target takes a ${sizes.map((s) => s * 8).join(' or ')}-bit DEK, not ${keyBits}-bit.`, {
      hint: `Leave --key-bits out for the default (${sizes[0]! * 8}).`,
    });
  }
  return bytes;
}

export function generateDek(target: TargetId, keyBits?: number): Buffer {
  const dek = randomBytes(dekSizeFor(target, keyBits));
  checkDek(dek, target);
  return dek;
}

/** First 8 hex digits of SHA-256(DEK): names a key in records and screens without revealing it. */
export function keyFingerprint(dek: Buffer): string {
  return createHash('sha256').update(dek).digest('hex').slice(0, 8);
}

/**
 * Reads a DEK file: exactly a valid number of raw bytes, or base64 text of such a key (surrounding whitespace
 * and a trailing newline allowed). The two cannot be confused: base64 of N bytes is never N characters long.
 */
export async function loadDekFile(path: string, target: TargetId): Promise<Buffer> {
  const file = await open(path, 'r');
  let content: Buffer;
  try {
    const { size } = await file.stat();
    if (size > MAX_DEK_FILE_BYTES) throw dekFileError(path, target, `it is ${size} bytes long`);
    content = Buffer.alloc(size);
    await file.read(content, 0, size, 0);
  } finally {
    await file.close();
  }
  try {
    return parseDek(content, target, path);
  } finally {
    content.fill(0);
  }
}

export function parseDek(content: Buffer, target: TargetId, source = 'the DEK'): Buffer {
  const sizes = targetSpec(target).dekSizes;
  const text = content.toString('latin1').trim();
  if (BASE64_TEXT.test(text) && text.length % 4 === 0) {
    const decoded = Buffer.from(text, 'base64');
    if (sizes.includes(decoded.length)) {
      checkDek(decoded, target);
      return decoded;
    }
    decoded.fill(0);
  }
  if (sizes.includes(content.length)) {
    const dek = Buffer.from(content);
    checkDek(dek, target);
    return dek;
  }
  throw dekFileError(source, target, `it holds ${content.length} bytes that are neither a raw key nor base64 text of one`);
}

function dekFileError(path: string, target: TargetId, why: string): AppError {
  const sizes = targetSpec(target).dekSizes;
  return new AppError('DEK_FILE_INVALID', `${path} is not a usable DEK for ${target}: ${why}.`, {
    hint: `Give a file of exactly ${sizes.join(' or ')} random bytes, or their base64 text.`,
  });
}

/** Keys that would encrypt but protect nothing: all one byte, or (XTS keys) two equal halves. */
function checkDek(dek: Buffer, target: TargetId): void {
  if (dek.every((byte) => byte === dek[0])) {
    throw new AppError('DEK_WEAK', 'The DEK is the same byte repeated; it would not protect the image.', {
      hint: 'Use random bytes, e.g. let Image Sealer generate the DEK.',
    });
  }
  if (target === 'classic-vhd') {
    const half = dek.length / 2;
    if (dek.subarray(0, half).equals(dek.subarray(half))) {
      throw new AppError('DEK_WEAK', 'The DEK has two equal halves, which AES-XTS refuses.', {
        hint: 'Use random bytes, e.g. let Image Sealer generate the DEK.',
      });
    }
  }
}
