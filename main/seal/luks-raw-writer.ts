import { randomBytes } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { AppError } from '../common/errors';
import { ProgressMeter } from '../common/progress';
import { createLuks1, luksCipherSpec } from '../crypto/luks1';
import { allocTransferable, type XtsPool } from '../crypto/worker-pool';
import type { DiskReader } from '../image/types';
import { openLuksRawReader } from './luks-raw-reader';
import type { SealedFormatWriter, SealedWriteOptions, SealedWriteResult } from './writer';

const SECTOR = 512;
/** Payload bytes per pool request: big enough to amortise the worker round trip, small enough to stream. */
const CHUNK = 4 * 1024 * 1024;
/** cryptsetup luksFormat's master key for aes-xts-plain64 by default: 512 bits (AES-256-XTS). */
const MASTER_KEY_BYTES = 64;

/** Payload size for a source: whole sectors, the last one zero-padded (dm-crypt maps whole sectors only). */
export function luksRawPayloadSize(virtualSize: number): number {
  return Math.ceil(virtualSize / SECTOR) * SECTOR;
}

/**
 * Target classic-luks: a raw LUKS1 volume as `cryptsetup luksFormat --type luks1` lays it out on a file of
 * (header + disk) bytes: aes-xts-plain64, sha256, a fresh 512-bit master key in key slot 0 under the passphrase
 * (base64(DEK)), payload at 4096 sectors (2 MiB, 1 MiB alignment), then the disk encrypted with sector numbers
 * counted from the payload start. Every payload sector is written, zeros included: a LUKS volume has no holes.
 */
export const luksRawWriter: SealedFormatWriter = {
  format: 'luks-raw',

  async write(options: SealedWriteOptions): Promise<SealedWriteResult> {
    const { reader, pool } = options;
    const masterKey = randomBytes(MASTER_KEY_BYTES);
    let handle: Awaited<ReturnType<typeof pool.addKey>> | null = null;
    try {
      const luks = await createLuks1({
        masterKey,
        passphrase: options.secret,
        iterTimeMs: options.iterTimeMs,
        layout: 'cryptsetup',
      });
      options.signal?.throwIfAborted();
      handle = await pool.addKey(masterKey, 'plain64');
      const payloadStart = luks.payloadOffsetSectors * SECTOR;
      const payloadSize = luksRawPayloadSize(reader.virtualSize);
      const holes = await holeMap(reader);
      const meter = new ProgressMeter('encrypt', reader.virtualSize, options.onProgress);
      const window = Math.max(4, pool.size * 2);

      const file = await open(options.outPath, 'w', 0o600);
      const inFlight = new Set<Promise<void>>();
      try {
        await writeFully(file, luks.headerArea, 0);
        for (let offset = 0; offset < payloadSize; offset += CHUNK) {
          options.signal?.throwIfAborted();
          const length = Math.min(CHUNK, payloadSize - offset);
          const chunk = allocTransferable(length);
          const sourceLength = Math.min(length, reader.virtualSize - offset);
          if (!holes.covers(offset, sourceLength)) {
            const got = await reader.read(offset, chunk.subarray(0, sourceLength));
            if (got !== sourceLength) {
              throw new AppError(
                'SOURCE_SHORT_READ',
                `The source image ended early (at ${offset + got} of ${reader.virtualSize} bytes).`,
              );
            }
          }
          const keyHandle = handle;
          const task: Promise<void> = pool
            .run(keyHandle, chunk, [[0, length, offset / SECTOR]], false, options.signal)
            .then((encrypted) => writeFully(file, encrypted, payloadStart + offset))
            .then(() => meter.add(sourceLength))
            .finally(() => inFlight.delete(task));
          task.catch(() => undefined);
          inFlight.add(task);
          if (inFlight.size >= window) await Promise.race(inFlight);
        }
        await Promise.all(inFlight);
        await file.truncate(payloadStart + payloadSize);
        if (options.fsync !== false) await file.sync();
      } finally {
        await Promise.allSettled(inFlight);
        await file.close();
      }
      meter.finish();
      return { cipher: luksCipherSpec(luks.header) };
    } finally {
      masterKey.fill(0);
      if (handle) await pool.removeKey(handle).catch(() => undefined);
    }
  },

  async open(path: string, secret: Buffer, options: { pool?: XtsPool } = {}): Promise<DiskReader> {
    try {
      return await openLuksRawReader(path, secret, options);
    } catch (error) {
      throw asSealError(error);
    }
  },
};

function asSealError(error: unknown): unknown {
  if (!(error instanceof AppError)) return error;
  const code =
    error.code === 'LUKS_WRONG_PASSPHRASE'
      ? 'SEAL_WRONG_KEY'
      : error.code === 'LUKS_NOT_LUKS'
        ? 'SEAL_NOT_SEALED_FORMAT'
        : null;
  if (!code) return error;
  return new AppError(code, error.message, {
    hint: error.hint,
    details: { ...error.details, reason: error.code },
    cause: error,
  });
}

/** The source's unallocated ranges, so chunks that lie wholly in a hole are encrypted from zeros without reading. */
async function holeMap(reader: DiskReader): Promise<{ covers: (offset: number, length: number) => boolean }> {
  const holes: Array<[number, number]> = [];
  for await (const extent of reader.extents()) {
    if (!extent.allocated && extent.length > 0) holes.push([extent.offset, extent.offset + extent.length]);
  }
  let cursor = 0;
  return {
    // Called with ascending offsets, so a moving cursor keeps this linear.
    covers(offset, length) {
      if (length <= 0) return true;
      while (cursor < holes.length && holes[cursor]![1] <= offset) cursor += 1;
      const hole = holes[cursor];
      return hole !== undefined && hole[0] <= offset && hole[1] >= offset + length;
    },
  };
}

async function writeFully(file: FileHandle, data: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < data.length) {
    const { bytesWritten } = await file.write(data, done, data.length - done, position + done);
    done += bytesWritten;
  }
}
