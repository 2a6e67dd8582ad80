import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { fsyncDirectory, temporarySibling, writeFileAtomic } from '../common/atomic-file';
import { AppError, isAppError } from '../common/errors';
import type { Progress, ProgressListener } from '../common/progress';
import { generateDek, keyFingerprint } from '../crypto/dek';
import { createXtsPool, type XtsPool } from '../crypto/worker-pool';
import { hashVirtualContent, openDiskReader, probeImage } from '../image';
import type { DiskReader, ProbeResult } from '../image/types';
import { targetSpec, type TargetId } from '../targets';
import { sealedFormatFor, sealedVirtualSize } from './open-sealed';
import { qemuCompare, qemuImgAvailable, sealWithQemuImg } from './qemu-engine';
import { zeroPadded } from './sector-padded-reader';
import { hashFile, hashSealed } from './verify';

export type SealEngine = 'native' | 'qemu';

export interface SealImageOptions {
  sourcePath: string;
  target: TargetId;
  /** default: next to the source, `<name>-sealed` + the target's extension */
  outPath?: string;
  /** the DEK; not zeroed here (the caller owns it). Omitted → generated, returned as `generatedDek`. */
  dek?: Buffer;
  keyBits?: number;
  engine?: SealEngine;
  /** PBKDF2 time per LUKS key slot; 2000 ms like cryptsetup and qemu-img */
  iterTimeMs?: number;
  /** decrypt the output again and compare content digests (default true) */
  verify?: boolean;
  /** also run `qemu-img compare` when qemu-img is installed (default true) */
  qemuCompare?: boolean;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
  /** where private temporary directories (the qemu-img secret fifo) go; default os.tmpdir() */
  tmpDir?: string;
  /** shared XTS workers; default: a pool for this call */
  pool?: XtsPool;
  /** the probe the job was planned from: the source must not have changed since */
  expected?: Pick<ProbeResult, 'fileSize' | 'mtimeMs'>;
}

export interface SealResult {
  target: TargetId;
  outputPath: string;
  manifestPath: string;
  outputSize: number;
  outputSha256: string;
  /** SHA-256 of the virtual disk as the sealed image presents it (source content, zero tail included) */
  contentSha256: string;
  virtualSize: number;
  format: string;
  cipher: string;
  engine: SealEngine;
  durationMs: number;
  keyFingerprint: string;
  dekSize: number;
  verified: boolean;
  /** which independent checks ran */
  checks: { nativeDecrypt: boolean; qemuCompare: boolean };
  source: { path: string; format: string; virtualSize: number; fileSize: number; mtimeMs: number };
  /** the DEK when sealImage generated it: the caller puts it into custody and zeroes it */
  generatedDek?: Buffer;
}

export const DEFAULT_ITER_TIME_MS = 2000;

const SOURCE_EXTENSIONS = ['.vhd-0.vhd', '.qcow2', '.raw', '.img', '.vhd', '.vpc', '.vmdk', '.vdi', '.bin'];

export function defaultOutputPath(sourcePath: string, target: TargetId): string {
  const name = basename(sourcePath);
  const lower = name.toLowerCase();
  const extension = SOURCE_EXTENSIONS.find((ext) => lower.endsWith(ext)) ?? extname(name);
  const base = name.slice(0, name.length - extension.length) || name;
  return join(dirname(resolve(sourcePath)), targetSpec(target).outputName(`${base}-sealed`));
}

export function manifestPathFor(outputPath: string): string {
  return `${outputPath}.manifest.json`;
}

/**
 * The sealing service: encrypts a source image for a target with a DEK, verifies the result, and only then
 * puts `<out>` and `<out>.manifest.json` in place. Cancel or failure leaves neither, nor any temporary file.
 * The encryptor's secret is derived only through the targets table.
 */
export async function sealImage(options: SealImageOptions): Promise<SealResult> {
  const started = performance.now();
  const { target, signal } = options;
  const engine = options.engine ?? 'native';
  const iterTimeMs = options.iterTimeMs ?? DEFAULT_ITER_TIME_MS;
  const spec = targetSpec(target);
  signal?.throwIfAborted();

  const sourcePath = resolve(options.sourcePath);
  const probe = await probeImage(sourcePath, { target });
  const refusals = probe.problems.filter((problem) => problem.severity === 'error');
  if (refusals.length > 0) {
    throw new AppError('SEAL_SOURCE_REFUSED', refusals.map((problem) => problem.message).join(' '), {
      hint: 'Fix the source image and try again.',
      details: { problems: refusals },
    });
  }
  const expected = options.expected ?? probe;
  if (expected.fileSize !== probe.fileSize || expected.mtimeMs !== probe.mtimeMs) {
    throw new AppError('IMAGE_CHANGED', `The source image ${sourcePath} changed since it was checked.`, {
      hint: 'Create a new job for the image as it is now.',
    });
  }
  if (engine === 'qemu' && target === 'classic-vhd') {
    throw new AppError('SEAL_ENGINE_UNSUPPORTED', 'The qemu-img engine cannot write the classic-vhd format.', {
      hint: 'Use the native engine for classic-vhd.',
    });
  }

  const outputPath = resolve(options.outPath ?? defaultOutputPath(sourcePath, target));
  if (outputPath === sourcePath) {
    throw new AppError('SEAL_OUTPUT_IS_SOURCE', 'The sealed image cannot replace its own source.', {
      hint: 'Choose another output file with --out.',
    });
  }
  if (await exists(outputPath)) {
    throw new AppError('SEAL_OUTPUT_EXISTS', `${outputPath} already exists; Image Sealer never overwrites a sealed image.`, {
      hint: 'Choose another output file with --out, or move the old one away.',
    });
  }
  const manifestPath = manifestPathFor(outputPath);

  let dek = options.dek;
  const generated = dek === undefined;
  dek ??= generateDek(target, options.keyBits);
  if (!spec.dekSizes.includes(dek.length)) {
    throw new AppError('DEK_SIZE', `The ${target} target needs a DEK of ${spec.dekSizes.join(' or ')} bytes, not ${dek.length}.`);
  }
  await mkdir(dirname(outputPath), { recursive: true });
  const secret = spec.encryptorSecret(dek);
  const temp = temporarySibling(outputPath);
  const pool = options.pool ?? createXtsPool();
  const readers: DiskReader[] = [];
  let manifestWritten = false;
  let finished = false;
  try {
    let cipher: string;
    if (engine === 'native') {
      const reader = await openDiskReader(sourcePath, { expected: probe, fileHoles: true });
      readers.push(reader);
      const written = await sealedFormatFor(target).write({
        reader,
        outPath: temp,
        secret,
        iterTimeMs,
        pool,
        signal,
        onProgress: options.onProgress,
        fsync: true,
      });
      cipher = written.cipher;
    } else {
      const sealed = await sealWithQemuImg({
        sourcePath,
        sourceFormat: probe.format,
        target,
        outPath: temp,
        secret,
        iterTimeMs,
        signal,
        onProgress: options.onProgress,
        virtualSize: probe.virtualSize,
        tmpDir: options.tmpDir,
      });
      cipher = sealed.cipher;
      await fsyncFile(temp); // qemu-img writes with cache=unsafe: nothing is flushed
    }
    signal?.throwIfAborted();

    const virtualSize = sealedVirtualSize(target, probe.virtualSize);
    const verify = options.verify ?? true;
    // Formats only qemu-img reads (VMDK, VDI…) have no native reader: their digest comes from the decrypted
    // output, and qemu-img compare (below, mandatory then) is what checks it against the source.
    const nativeSource = probe.format !== 'other';
    const decryptOutput = verify || !nativeSource;
    const [sourceSha256, outputSha256, sealedSha256] = await Promise.all([
      nativeSource
        ? hashSource(sourcePath, probe, virtualSize, readers, signal, verify ? undefined : phase(options.onProgress, 'hash'))
        : null,
      hashFile(temp, signal),
      decryptOutput ? hashSealed(target, temp, secret, pool, virtualSize, signal, phase(options.onProgress, 'verify')) : null,
    ]);
    const contentSha256 = (sourceSha256 ?? sealedSha256)!;
    if (!nativeSource && !(await qemuImgAvailable())) {
      throw new AppError('SEAL_QEMU_MISSING', 'qemu-img is needed to check an image of this format.', {
        hint: 'Install qemu-img (apt install qemu-utils), or convert the image to raw or qcow2 first.',
      });
    }
    if (verify && sealedSha256 !== contentSha256) {
      throw new AppError('SEAL_VERIFY_MISMATCH', 'The sealed image does not decrypt to the source: verification failed.', {
        hint: 'Nothing was kept. Seal again; if it fails again, check the disk and memory of this machine.',
        details: { contentSha256, sealedSha256 },
      });
    }
    let qemuCompared = false;
    const wantCompare = !nativeSource || (verify && (options.qemuCompare ?? true));
    if (wantCompare && target !== 'classic-vhd' && (await qemuImgAvailable())) {
      options.onProgress?.({ phase: 'compare', bytesDone: 0, bytesTotal: virtualSize, rate: 0, eta: null });
      await qemuCompare({ sourcePath, sourceFormat: probe.format, target, sealedPath: temp, secret, signal, tmpDir: options.tmpDir });
      qemuCompared = true;
    }
    signal?.throwIfAborted();

    const { size: outputSize } = await stat(temp);
    const result: SealResult = {
      target,
      outputPath,
      manifestPath,
      outputSize,
      outputSha256,
      contentSha256,
      virtualSize,
      format: spec.format,
      cipher,
      engine,
      durationMs: Math.round(performance.now() - started),
      keyFingerprint: keyFingerprint(dek),
      dekSize: dek.length,
      verified: verify || qemuCompared,
      checks: { nativeDecrypt: verify && nativeSource, qemuCompare: qemuCompared },
      source: {
        path: sourcePath,
        format: probe.format,
        virtualSize: probe.virtualSize,
        fileSize: probe.fileSize,
        mtimeMs: probe.mtimeMs,
      },
    };
    await writeFileAtomic(manifestPath, `${JSON.stringify(manifestOf(result), null, 2)}\n`, 0o644);
    manifestWritten = true;
    signal?.throwIfAborted();
    await rename(temp, outputPath);
    await fsyncDirectory(dirname(outputPath));
    finished = true;
    if (generated) result.generatedDek = dek;
    return result;
  } catch (error) {
    if (signal?.aborted && !isAppError(error)) {
      throw new AppError('SEAL_CANCELLED', 'Sealing was cancelled; nothing was written.', { cause: error });
    }
    throw error;
  } finally {
    secret.fill(0);
    if (generated && !finished) dek.fill(0);
    await Promise.allSettled(readers.map((reader) => reader.close()));
    if (!options.pool) await pool.close();
    if (!finished) {
      await rm(temp, { force: true });
      if (manifestWritten) await rm(manifestPath, { force: true });
    }
  }
}

/** What `<out>.manifest.json` holds: digests, sizes and how it was sealed — never the key. */
export function manifestOf(result: SealResult) {
  return {
    manifestVersion: 1,
    tool: 'image-sealer',
    createdAt: new Date().toISOString(),
    target: result.target,
    format: result.format,
    engine: result.engine,
    cipher: result.cipher,
    keyFingerprint: result.keyFingerprint,
    dekSize: result.dekSize,
    source: {
      file: basename(result.source.path),
      format: result.source.format,
      virtualSize: result.source.virtualSize,
      fileSize: result.source.fileSize,
    },
    output: {
      file: basename(result.outputPath),
      size: result.outputSize,
      sha256: result.outputSha256,
      virtualSize: result.virtualSize,
    },
    contentSha256: result.contentSha256,
    verified: result.verified,
    checks: result.checks,
    durationMs: result.durationMs,
  };
}

function phase(listener: ProgressListener | undefined, name: string): ProgressListener | undefined {
  return listener && ((progress: Progress) => listener({ ...progress, phase: name }));
}

async function hashSource(
  sourcePath: string,
  probe: ProbeResult,
  virtualSize: number,
  readers: DiskReader[],
  signal: AbortSignal | undefined,
  onProgress: ProgressListener | undefined,
): Promise<string> {
  const reader = await openDiskReader(sourcePath, { expected: probe });
  readers.push(reader);
  return hashVirtualContent(zeroPadded(reader, virtualSize), signal, onProgress);
}

async function fsyncFile(path: string): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
