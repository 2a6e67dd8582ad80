import { AppError } from '../common/errors';
import { ProgressMeter } from '../common/progress';
import { luksCipherSpec, luksPayloadOffsetSectors } from '../crypto/luks1';
import type { XtsPool } from '../crypto/worker-pool';
import type { DiskReader } from '../image/types';
import { openLuksRawReader } from './luks-raw-reader';
import { ChunkSlots } from './chunk-slots';
import { LUKS_MASTER_KEY_BYTES, withLuksMasterKey, type LuksMasterKey } from './luks-master-key';
import { readAhead, SealedOutput } from './sealed-output';
import type { SealedFormatWriter, SealedWriteOptions, SealedWriteResult } from './writer';

const SECTOR = 512;
/** Payload bytes per pool request: big enough to amortise the worker round trip, small enough to stream. */
const CHUNK = 2 * 1024 * 1024;
/** Chunks read ahead of the encryption. */
const READ_AHEAD = 3;

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

  write(options: SealedWriteOptions): Promise<SealedWriteResult> {
    return withLuksMasterKey(options, 'cryptsetup', (key) => writeLuksRawFile(options, key));
  },

  async open(path: string, secret: Buffer, options: { pool?: XtsPool } = {}): Promise<DiskReader> {
    try {
      return await openLuksRawReader(path, secret, options);
    } catch (error) {
      throw asSealError(error);
    }
  },
};

async function writeLuksRawFile(
  options: SealedWriteOptions,
  { handle: keyHandle, created }: LuksMasterKey,
): Promise<SealedWriteResult> {
  const { reader, pool, signal } = options;
  let output: SealedOutput | null = null;
  let slots: ChunkSlots | null = null;
  try {
    const payloadStart = luksPayloadOffsetSectors(LUKS_MASTER_KEY_BYTES, 'cryptsetup') * SECTOR;
    const payloadSize = luksRawPayloadSize(reader.virtualSize);
    const holes = await holeMap(reader);
    const meter = new ProgressMeter('encrypt', reader.virtualSize, options.onProgress);
    const window = Math.max(4, pool.size * 3);
    output = await SealedOutput.open(options.outPath, {
      flags: 'w',
      fsync: options.fsync,
      window,
      reserve: payloadStart + payloadSize,
    });
    // Enough for every chunk that can be in flight: read ahead, being handed on here, and in the output's window.
    const chunkSlots = new ChunkSlots(READ_AHEAD + window + 2, CHUNK);
    slots = chunkSlots;
    /** One chunk of the payload, read from the source unless it lies wholly in a hole (then zeros). */
    const readChunk = async (offset: number) => {
      const length = Math.min(CHUNK, payloadSize - offset);
      const chunk = await chunkSlots.take();
      const sourceLength = Math.min(length, reader.virtualSize - offset);
      if (holes.covers(offset, sourceLength)) {
        chunk.fill(0, 0, length);
      } else {
        const got = await reader.read(offset, chunk.subarray(0, sourceLength));
        if (got !== sourceLength) {
          throw new AppError(
            'SOURCE_SHORT_READ',
            `The source image ended early (at ${offset + got} of ${reader.virtualSize} bytes).`,
          );
        }
        chunk.fill(0, sourceLength, length);
      }
      return { chunk, offset, length };
    };
    function* chunkReads() {
      for (let offset = 0; offset < payloadSize; offset += CHUNK) yield () => readChunk(offset);
    }
    for await (const { chunk, offset, length } of readAhead(chunkReads(), READ_AHEAD)) {
      signal?.throwIfAborted();
      const encrypted = pool.run(keyHandle, chunk, [[0, length, offset / SECTOR]], false, signal);
      const reportAt = Math.min(offset + length, reader.virtualSize);
      await output.add(
        encrypted.then((whole) => whole.subarray(0, length)),
        payloadStart + offset,
        (written) => {
          chunkSlots.give(written);
          meter.advanceTo(reportAt);
        },
      );
    }
    await output.drain();
    signal?.throwIfAborted();
    const luks = await created;
    await output.write(luks.headerArea, 0);
    await output.truncate(payloadStart + payloadSize);
    await output.finish();
    meter.finish();
    return { cipher: luksCipherSpec(luks.header) };
  } finally {
    // Nothing may still write into the file once we return (the caller deletes it on failure).
    await output?.close();
    if (slots) await pool.releaseMemory(slots.memory).catch(() => undefined);
  }
}

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
