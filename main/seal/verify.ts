import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../common/errors';
import type { ProgressListener } from '../common/progress';
import { createXtsPool, type XtsPool } from '../crypto/worker-pool';
import { hashVirtualContent, openDiskReader, probeImage } from '../image';
import { targetSpec, type TargetId } from '../targets';
import { openSealedImage, sealedVirtualSize } from './open-sealed';
import { qemuCompare, qemuImgAvailable } from './qemu-engine';
import { zeroPadded } from './sector-padded-reader';

/** Checks any sealed image against its source with a DEK: our own decryption, then qemu-img compare. */
export interface VerifySealedOptions {
  sealedPath: string;
  sourcePath: string;
  target: TargetId;
  /** not zeroed here */
  dek: Buffer;
  qemuCompare?: boolean;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
  pool?: XtsPool;
  tmpDir?: string;
}

export interface VerifyResult {
  identical: true;
  contentSha256: string;
  outputSha256: string;
  checks: { nativeDecrypt: boolean; qemuCompare: boolean };
}

export async function verifySealedImage(options: VerifySealedOptions): Promise<VerifyResult> {
  const { target, signal } = options;
  const secret = targetSpec(target).encryptorSecret(options.dek);
  const pool = options.pool ?? createXtsPool();
  const sealedPath = resolve(options.sealedPath);
  const sourcePath = resolve(options.sourcePath);
  try {
    const probe = await probeImage(sourcePath);
    const virtualSize = sealedVirtualSize(target, probe.virtualSize);
    const source = await openDiskReader(sourcePath, { expected: probe });
    let contentSha256: string;
    let sealedSha256: string;
    let outputSha256: string;
    try {
      [contentSha256, sealedSha256, outputSha256] = await Promise.all([
        hashVirtualContent(zeroPadded(source, virtualSize), signal),
        hashSealed(target, sealedPath, secret, pool, virtualSize, signal, options.onProgress),
        hashFile(sealedPath, signal),
      ]);
    } finally {
      await source.close();
    }
    if (contentSha256 !== sealedSha256) {
      throw new AppError('SEAL_VERIFY_MISMATCH', 'The sealed image opens with this key but does not decrypt to the source.', {
        hint: 'Check that you compare the right source; otherwise the sealed image is damaged: seal it again.',
        details: { contentSha256, sealedSha256 },
      });
    }
    let qemuCompared = false;
    if ((options.qemuCompare ?? true) && target !== 'classic-vhd' && (await qemuImgAvailable())) {
      await qemuCompare({ sourcePath, sourceFormat: probe.format, target, sealedPath, secret, signal, tmpDir: options.tmpDir });
      qemuCompared = true;
    }
    return { identical: true, contentSha256, outputSha256, checks: { nativeDecrypt: true, qemuCompare: qemuCompared } };
  } finally {
    secret.fill(0);
    if (!options.pool) await pool.close();
  }
}

export async function hashSealed(
  target: TargetId,
  path: string,
  secret: Buffer,
  pool: XtsPool,
  virtualSize: number,
  signal: AbortSignal | undefined,
  onProgress: ProgressListener | undefined,
): Promise<string> {
  const sealed = await openSealedImage(target, path, secret, { pool });
  try {
    if (sealed.virtualSize !== virtualSize) {
      throw new AppError('SEAL_VERIFY_MISMATCH', `The sealed image holds ${sealed.virtualSize} bytes, not ${virtualSize}.`, {
        hint: 'Nothing was kept. Seal again; if it fails again, report it.',
      });
    }
    return await hashVirtualContent(sealed, signal, onProgress);
  } finally {
    await sealed.close();
  }
}

export async function hashFile(path: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path, { highWaterMark: 1 << 20, signal }), hash);
  return hash.digest('hex');
}

