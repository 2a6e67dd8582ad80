import { execFile, spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { mkdir, mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AppError } from '../common/errors';
import { ProgressMeter, type ProgressListener } from '../common/progress';
import type { SourceFormat } from '../image/types';
import type { TargetId } from '../targets';

const execFileAsync = promisify(execFile);

/** Debian's qemu-img 7.2 sometimes fails its own PBKDF timing when creating a LUKS target; a retry succeeds. */
const TRANSIENT_FAILURE = /Unable to get accurate CPU usage/i;
const MAX_ATTEMPTS = 4;

export interface QemuSealOptions {
  sourcePath: string;
  /** the probed format; omitted → qemu-img detects it */
  sourceFormat?: SourceFormat;
  target: TargetId;
  outPath: string;
  /** the LUKS passphrase: reaches qemu-img only through a private fifo, never a command line or a file */
  secret: Buffer;
  iterTimeMs: number;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
  /** bytes of virtual content, for the progress bar */
  virtualSize: number;
  qemuImg?: string;
  /** parent of the private fifo directory; default os.tmpdir() */
  tmpDir?: string;
}

export async function qemuImgAvailable(qemuImg = 'qemu-img'): Promise<boolean> {
  try {
    await execFileAsync(qemuImg, ['--version']);
    return true;
  } catch {
    return false;
  }
}

function qemuSourceFormat(format: SourceFormat | undefined): string[] {
  switch (format) {
    case 'raw':
    case 'qcow2':
      return ['-f', format];
    case 'vhd-fixed':
    case 'vhd-dynamic':
      return ['-f', 'vpc'];
    default:
      return [];
  }
}

function outputArguments(target: TargetId, iterTimeMs: number): string[] {
  const iter = Math.max(1, Math.round(iterTimeMs));
  switch (target) {
    case 'vpc':
      return ['-O', 'qcow2', '-o', `encrypt.format=luks,encrypt.key-secret=sec0,encrypt.iter-time=${iter}`];
    case 'classic-luks':
      return ['-O', 'luks', '-o', `key-secret=sec0,iter-time=${iter}`];
    default:
      throw new AppError('SEAL_ENGINE_UNSUPPORTED', `The qemu-img engine cannot write the ${target} format.`, {
        hint: 'Use the native engine (--engine native) for classic-vhd.',
      });
  }
}

/**
 * Seals with `qemu-img convert`, the reference path IBM documents. The secret goes through a fifo made with
 * mode 600 in a private mkdtemp directory, written while qemu-img reads it. Progress comes from `-p`.
 */
export async function sealWithQemuImg(options: QemuSealOptions): Promise<{ cipher: string }> {
  const qemuImg = options.qemuImg ?? 'qemu-img';
  const args = [
    'convert',
    '-p',
    ...qemuSourceFormat(options.sourceFormat),
    '--object',
    'secret,id=sec0,file=SECRET_FIFO',
    ...outputArguments(options.target, options.iterTimeMs),
    options.sourcePath,
    options.outPath,
  ];
  let lastError = '';
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    options.signal?.throwIfAborted();
    const meter = new ProgressMeter('encrypt', options.virtualSize, options.onProgress);
    const result = await runQemuImgWithSecret(qemuImg, args, options.secret, options.signal, options.tmpDir, (text) => {
      const last = [...text.matchAll(/\((\d+(?:\.\d+)?)\/100%\)/g)].at(-1);
      if (last) meter.set(Math.round((Number(last[1]) / 100) * options.virtualSize));
    });
    if (result.code === 0) {
      meter.finish();
      return { cipher: 'aes-256-xts-plain64 (LUKS1, sha256)' };
    }
    lastError = result.stderr.trim();
    await rm(options.outPath, { force: true });
    if (!TRANSIENT_FAILURE.test(lastError)) break;
  }
  throw new AppError('SEAL_QEMU_FAILED', `qemu-img could not seal the image: ${lastError || 'it failed without a message'}.`, {
    hint: 'Check the source image with `qemu-img check`, or use the native engine.',
  });
}

/**
 * Runs qemu-img with `SECRET_FIFO` in its arguments replaced by a fifo (mode 600, private mkdtemp directory)
 * that receives the secret while qemu-img reads it. SIGTERM on abort.
 */
export async function runQemuImgWithSecret(
  qemuImg: string,
  templateArgs: string[],
  secret: Buffer,
  signal: AbortSignal | undefined,
  tmpDir: string | undefined,
  onStdout?: (text: string) => void,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  if (tmpDir) await mkdir(tmpDir, { recursive: true, mode: 0o700 });
  const dir = await mkdtemp(join(tmpDir ?? tmpdir(), 'image-sealer-secret-'));
  const fifo = join(dir, 'secret');
  try {
    await execFileAsync('mkfifo', ['-m', '600', fifo]);
    const args = templateArgs.map((arg) => arg.replace('SECRET_FIFO', fifo));
    const child = spawn(qemuImg, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      stderr = (stderr + text).slice(-8192);
    });
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      stdout = (stdout + text).slice(-8192);
      onStdout?.(text);
    });
    const exited = new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code) => resolve(code));
    });
    const onAbort = () => child.kill('SIGTERM');
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await Promise.race([feedFifo(fifo, secret, exited), exited]);
      const code = await exited;
      signal?.throwIfAborted();
      return { code, stdout, stderr };
    } finally {
      signal?.removeEventListener('abort', onAbort);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new AppError('SEAL_QEMU_MISSING', 'qemu-img is not installed, so it cannot run.', {
        hint: 'Install qemu-img (Debian/Ubuntu: apt install qemu-utils), or use the native engine.',
      });
    }
    throw error;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** `--image-opts` values separate options with commas; a comma inside a value is written twice. */
function optionValue(value: string): string {
  return value.replaceAll(',', ',,');
}

/** qemu-img's name for a source's format (its own probe, for formats our readers do not know). */
export async function qemuFormatOf(path: string, format: SourceFormat | undefined, qemuImg = 'qemu-img'): Promise<string> {
  const known = qemuSourceFormat(format);
  if (known.length) return known[1]!;
  const { stdout } = await execFileAsync(qemuImg, ['info', '--output=json', path]);
  return (JSON.parse(stdout) as { format: string }).format;
}

export interface QemuCompareOptions {
  sourcePath: string;
  sourceFormat?: SourceFormat;
  target: TargetId;
  sealedPath: string;
  secret: Buffer;
  signal?: AbortSignal;
  qemuImg?: string;
  tmpDir?: string;
}

/**
 * `qemu-img compare` of the source with the sealed image opened with the secret. Resolves when qemu-img says
 * "Images are identical."; otherwise throws SEAL_VERIFY_MISMATCH (content differs) or SEAL_WRONG_KEY / SEAL_QEMU_FAILED.
 */
export async function qemuCompare(options: QemuCompareOptions): Promise<void> {
  const qemuImg = options.qemuImg ?? 'qemu-img';
  const sourceDriver = await qemuFormatOf(options.sourcePath, options.sourceFormat, qemuImg);
  const sealed =
    options.target === 'vpc'
      ? `driver=qcow2,encrypt.key-secret=sec0,file.filename=${optionValue(options.sealedPath)}`
      : options.target === 'classic-luks'
        ? `driver=luks,key-secret=sec0,file.filename=${optionValue(options.sealedPath)}`
        : null;
  if (!sealed) throw new AppError('SEAL_ENGINE_UNSUPPORTED', `qemu-img cannot open the ${options.target} format.`);
  const args = [
    'compare',
    '--object',
    'secret,id=sec0,file=SECRET_FIFO',
    '--image-opts',
    `driver=${sourceDriver},file.filename=${optionValue(options.sourcePath)}`,
    sealed,
  ];
  const result = await runQemuImgWithSecret(qemuImg, args, options.secret, options.signal, options.tmpDir);
  if (result.code === 0 && result.stdout.includes('Images are identical.')) return;
  if (result.code === 1) {
    throw new AppError('SEAL_VERIFY_MISMATCH', `qemu-img compare found a difference: ${result.stdout.trim()}`, {
      hint: 'The sealed image does not match the source. Seal it again; if it happens again, report it.',
    });
  }
  if (/Invalid password|key slot|decrypt/i.test(result.stderr)) {
    throw new AppError('SEAL_WRONG_KEY', 'qemu-img could not open the sealed image with this key.', {
      hint: 'Use the DEK (or DEK file) the image was sealed with, and the same target.',
    });
  }
  throw new AppError('SEAL_QEMU_FAILED', `qemu-img compare failed: ${result.stderr.trim() || `exit code ${result.code}`}.`);
}

/**
 * Writes the secret once qemu-img opens the fifo for reading. Opening non-blocking and polling keeps a thread
 * of libuv's pool from waiting forever if qemu-img exits without reading it.
 */
async function feedFifo(fifo: string, secret: Buffer, exited: Promise<unknown>): Promise<void> {
  let done = false;
  void exited.finally(() => {
    done = true;
  });
  while (!done) {
    let handle;
    try {
      handle = await open(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENXIO') throw error;
      await new Promise((resolve) => setTimeout(resolve, 15));
      continue;
    }
    try {
      await handle.write(secret, 0, secret.length);
    } finally {
      await handle.close();
    }
    return;
  }
}
