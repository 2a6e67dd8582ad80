import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { isAppError, type AppError } from '../../../main/common/errors';
import type { DiskReader, Extent } from '../../../main/image/types';

const execFileAsync = promisify(execFile);

export async function makeTempDir(prefix: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `image-sealer-${prefix}-`));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export async function run(command: string, args: string[]): Promise<string> {
  const { stdout } = await execFileAsync(command, args, { maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export interface Region {
  offset: number;
  length: number;
  /** random bytes, or compressible text that still differs in every sector */
  kind: 'random' | 'text';
}

/** Sector text that compresses well (so `convert -c` really compresses) yet is unique per sector. */
function textSector(sector: number): Buffer {
  const line = `sector ${sector} of the image-sealer test disk; `;
  return Buffer.from(line.repeat(Math.ceil(512 / line.length)).slice(0, 512), 'latin1');
}

/** Writes a sparse raw disk of `size` bytes holding the given regions; everything else is a hole. */
export async function writeRawDisk(path: string, size: number, regions: Region[]): Promise<void> {
  const handle = await open(path, 'w');
  try {
    await handle.truncate(size);
    for (const region of regions) {
      let data: Buffer;
      if (region.kind === 'random') data = randomBytes(region.length);
      else {
        data = Buffer.alloc(region.length);
        for (let at = 0; at < region.length; at += 512) {
          const sector = textSector(Math.floor((region.offset + at) / 512));
          sector.copy(data, at, 0, Math.min(512, region.length - at));
        }
      }
      await handle.write(data, 0, data.length, region.offset);
    }
  } finally {
    await handle.close();
  }
}

/** The virtual disk as qemu-img sees it, written out as a raw file. */
export async function qemuToRaw(image: string, format: string, out: string): Promise<void> {
  await run('qemu-img', ['convert', '-f', format, '-O', 'raw', image, out]);
}

/** Ranges qemu-img reports as holding data (`qemu-img map`), merged. */
export async function qemuDataRanges(image: string, format: string): Promise<Array<[number, number]>> {
  const entries = JSON.parse(await run('qemu-img', ['map', '--output=json', '-f', format, image])) as Array<{
    start: number;
    length: number;
    data: boolean;
  }>;
  const ranges: Array<[number, number]> = [];
  for (const entry of entries) {
    if (!entry.data) continue;
    const last = ranges[ranges.length - 1];
    if (last && last[1] === entry.start) last[1] += entry.length;
    else ranges.push([entry.start, entry.start + entry.length]);
  }
  return ranges;
}

export async function collectExtents(reader: DiskReader): Promise<Extent[]> {
  const extents: Extent[] = [];
  for await (const extent of reader.extents()) extents.push({ ...extent });
  return extents;
}

/** Runs `action`, expecting an AppError with one of `codes`; returns it (fails the test otherwise). */
export async function expectAppError(action: () => Promise<unknown>, codes: string[]): Promise<AppError> {
  let outcome: unknown;
  try {
    await action();
  } catch (error) {
    outcome = error;
  }
  if (!isAppError(outcome)) {
    throw new Error(
      `expected an AppError (${codes.join('|')}), got ${outcome === undefined ? 'success' : String(outcome)}`,
      { cause: outcome },
    );
  }
  if (!codes.includes(outcome.code)) {
    throw new Error(`expected ${codes.join('|')}, got ${outcome.code}: ${outcome.message}`, { cause: outcome });
  }
  if (outcome.message.length < 10) throw new Error(`message too terse: ${outcome.message}`);
  return outcome;
}

/** Rejects after `ms`, so a hanging reader fails the test instead of the whole run. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
