import { AppError } from '../common/errors';
import { ProgressMeter, type ProgressListener } from '../common/progress';
import type { XtsKeyHandle, XtsPool } from '../crypto/worker-pool';
import { createXtsCipher } from '../crypto/xts';
import type { DiskReader } from '../image/types';
import { ChunkSlots } from './chunk-slots';
import { readAhead, SealedOutput } from './sealed-output';
import { openVhdCryptReader } from './vhd-crypt-reader';
import type { SealedFormatWriter, SealedWriteOptions, SealedWriteResult } from './writer';
import {
  BAT_UNUSED,
  BLOCK_BITMAP_SECTORS,
  BLOCK_SIZE,
  BATMAP_VERSION,
  DATA_ALIGN_SECTORS,
  FULL_BLOCK_BITMAP,
  MAX_FILE_SECTORS,
  SECTOR_SIZE,
  SECTORS_PER_BLOCK,
  STORED_BLOCK_SECTORS,
  assertVhdCryptKey,
  batmapChecksum,
  buildBat,
  buildBatmap,
  buildBatmapHeader,
  buildDynamicHeader,
  buildFooter,
  keyHashRecordFor,
  newDynamicFooter,
  newDynamicHeader,
  nextBlockBitmapSector,
  vhdCryptLayout,
} from './vhd-crypt-format';

/**
 * Encrypts `stored[dataOffset..]` (whole sectors) whose first sector is virtual-disk LBA `firstSector` (the
 * "plain" tweak) and resolves with the buffer to write: the same memory, or the pool's transferred-back copy.
 */
export type BlockEncryptor = (stored: Buffer, dataOffset: number, firstSector: number) => Promise<Buffer>;

export interface VhdCryptWriteOptions {
  reader: DiskReader;
  outPath: string;
  /** the raw XTS key: 64 bytes (AES-256-XTS) or 32 bytes (AES-128-XTS) */
  key: Buffer;
  /** where encryption runs (a worker pool); default: this thread */
  encrypt?: BlockEncryptor;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
  fsync?: boolean;
  /** blocks read and encrypted ahead of the writes; bounds memory to about 2 × window × 2 MiB */
  window?: number;
  /** the block buffers (`vhdCryptSlots(window)`), when the caller shares them with a pool; default: its own */
  slots?: ChunkSlots;
  /** fixed for tests; fresh otherwise */
  now?: Date;
  uuid?: Buffer;
}

export interface VhdCryptWriteResult {
  cipher: string;
  /** the VHD's virtual size: the source size rounded up to whole 2 MiB blocks, as vhd-util does */
  virtualSize: number;
  fileSize: number;
  storedBlocks: number;
  blockCount: number;
}

const ZERO_BLOCK = Buffer.alloc(BLOCK_SIZE);

/**
 * Where a block's bitmap sector starts in its slot: so that the data after it lies on a page boundary in memory
 * as it does in the file, and the output can write the data with direct I/O (the bitmap goes through the cache).
 */
const BITMAP_IN_SLOT = 4096 - BLOCK_BITMAP_SECTORS * SECTOR_SIZE;

/** Buffers for the blocks in flight, each holding a block as stored (bitmap sector, then data) at BITMAP_IN_SLOT. */
export function vhdCryptSlots(window: number): ChunkSlots {
  // read ahead (window) + being handed on (1) + in the output's window
  return new ChunkSlots(2 * window + 2, BITMAP_IN_SLOT + BLOCK_BITMAP_SECTORS * SECTOR_SIZE + BLOCK_SIZE);
}

/** Human name of the cipher for manifests and the UI; IBM calls 32/64-byte keys "AES 256/512 bit". */
export function vhdCryptCipherName(keyBytes: number): string {
  return `${keyBytes === 64 ? 'aes-256-xts' : 'aes-128-xts'}-plain (vhd-util, ${keyBytes * 8}-bit key)`;
}

/**
 * Writes `reader`'s disk as an encrypted dynamic VHD laid out exactly as `vhd-util copy -k` does
 * (shared/VHD-CRYPT.md): 2 MiB blocks in ascending order, each block's data 4 KiB-aligned after an all-ones
 * sector bitmap, all-zero blocks not stored, the key hash in the batmap header, gaps left zero.
 *
 * Unlike vhd-util, every sector of a stored block is encrypted (its bitmap says all are present), and a
 * partial last block is padded with zeros instead of failing. Data blocks stream out in order; the metadata
 * at the head of the file is written last, once the block table is known.
 */
export async function writeVhdCrypt(options: VhdCryptWriteOptions): Promise<VhdCryptWriteResult> {
  const { reader, key } = options;
  assertVhdCryptKey(key);
  const layout = vhdCryptLayout(reader.virtualSize);
  const window = Math.max(1, options.window ?? 4);
  const localCipher = options.encrypt ? null : createXtsCipher(key, 'plain');
  const encrypt: BlockEncryptor =
    options.encrypt ??
    (async (stored, dataOffset, firstSector) => {
      localCipher!.encrypt(stored.subarray(dataOffset), firstSector);
      return stored;
    });
  const maybeData = await blocksWithData(reader, layout.blockCount);
  const bat = new Uint32Array(layout.blockCount).fill(BAT_UNUSED);
  const present = new Array<boolean>(layout.blockCount).fill(false);
  const meter = new ProgressMeter('encrypt', reader.virtualSize, options.onProgress);

  const slots = options.slots ?? vhdCryptSlots(window);
  // At most every block that may hold data is stored, each after up to 7 sectors of alignment gap, then the footer.
  const blocksToStore = maybeData.reduce((sum, flag) => sum + flag, 0);
  const reserve =
    (layout.endOfHeadersSector + blocksToStore * (STORED_BLOCK_SECTORS + DATA_ALIGN_SECTORS - 1) + 1) * SECTOR_SIZE;
  const output = await SealedOutput.open(options.outPath, { flags: 'w', fsync: options.fsync, window, reserve });
  try {
    let endSector = layout.endOfHeadersSector;
    let storedBlocks = 0;
    function* blockReads() {
      for (let block = 0; block < layout.blockCount; block += 1) {
        yield async () => ({ block, stored: await readBlock(reader, block, maybeData[block] === 1, slots) });
      }
    }
    for await (const { block, stored } of readAhead(blockReads(), window)) {
      options.signal?.throwIfAborted();
      if (stored) {
        const bitmapSector = nextBlockBitmapSector(endSector);
        endSector = bitmapSector + STORED_BLOCK_SECTORS;
        if (endSector > MAX_FILE_SECTORS) {
          throw new AppError(
            'VHD_TOO_LARGE',
            'The encrypted VHD would exceed the 2 TiB a VHD block table can address.',
          );
        }
        bat[block] = bitmapSector;
        present[block] = true;
        storedBlocks += 1;
        await output.add(
          encrypt(stored, BLOCK_BITMAP_SECTORS * SECTOR_SIZE, block * SECTORS_PER_BLOCK),
          bitmapSector * SECTOR_SIZE,
          (written) => slots.giveContaining(written),
        );
      }
      meter.add(Math.min(BLOCK_SIZE, reader.virtualSize - block * BLOCK_SIZE));
    }
    await output.drain();
    options.signal?.throwIfAborted();

    const footer = buildFooter(newDynamicFooter(layout.virtualSize, { now: options.now, uuid: options.uuid }));
    const batmap = buildBatmap(present, layout.batmapSectors);
    const head = Buffer.alloc(layout.endOfHeadersSector * SECTOR_SIZE);
    footer.copy(head, 0);
    buildDynamicHeader(newDynamicHeader(layout.blockCount)).copy(head, SECTOR_SIZE);
    buildBat(bat).copy(head, layout.batOffset);
    buildBatmapHeader({
      batmapOffset: layout.batmapOffset,
      batmapSectors: layout.batmapSectors,
      version: BATMAP_VERSION,
      checksum: batmapChecksum(batmap, layout.virtualSize),
      marker: 0,
      keyHash: keyHashRecordFor(key),
    }).copy(head, layout.batmapHeaderOffset);
    batmap.copy(head, layout.batmapOffset);
    await output.write(head, 0);
    const fileSize = endSector * SECTOR_SIZE + footer.length;
    await output.write(footer, endSector * SECTOR_SIZE);
    // A longer file left by an earlier attempt must not keep bytes past the footer.
    await output.truncate(fileSize);
    await output.finish();
    meter.finish({ storedBlocks, blockCount: layout.blockCount });
    return {
      cipher: vhdCryptCipherName(key.length),
      virtualSize: layout.virtualSize,
      fileSize,
      storedBlocks,
      blockCount: layout.blockCount,
    };
  } finally {
    // Nothing may still be writing into the file when it closes (readAhead waits for its own reads).
    await output.close();
    localCipher?.dispose();
  }
}

/** Which blocks the source may hold data in: blocks touched by an allocated extent. */
async function blocksWithData(reader: DiskReader, blockCount: number): Promise<Uint8Array> {
  const flags = new Uint8Array(blockCount);
  for await (const extent of reader.extents()) {
    if (!extent.allocated || extent.length === 0) continue;
    const first = Math.floor(extent.offset / BLOCK_SIZE);
    const last = Math.min(blockCount - 1, Math.floor((extent.offset + extent.length - 1) / BLOCK_SIZE));
    flags.fill(1, first, last + 1);
  }
  return flags;
}

/**
 * Reads one block into a buffer laid out as it is stored (bitmap sector, then data), or null when the block
 * is all zeros. The part of a last block beyond the source's end is zero.
 */
async function readBlock(
  reader: DiskReader,
  block: number,
  mayHoldData: boolean,
  slots: ChunkSlots,
): Promise<Buffer | null> {
  if (!mayHoldData) return null;
  const slot = await slots.take();
  const stored = slot.subarray(BITMAP_IN_SLOT, BITMAP_IN_SLOT + BLOCK_BITMAP_SECTORS * SECTOR_SIZE + BLOCK_SIZE);
  FULL_BLOCK_BITMAP.copy(stored, 0);
  const data = stored.subarray(BLOCK_BITMAP_SECTORS * SECTOR_SIZE);
  const offset = block * BLOCK_SIZE;
  const length = Math.min(BLOCK_SIZE, reader.virtualSize - offset);
  const got = await reader.read(offset, data.subarray(0, length));
  if (got !== length) {
    throw new AppError(
      'SOURCE_SHORT_READ',
      `The source image ended early (at ${offset + got} of ${reader.virtualSize} bytes).`,
    );
  }
  data.fill(0, length);
  if (!data.equals(ZERO_BLOCK)) return stored;
  slots.give(slot);
  return null;
}

/** The encryptor that runs each block on the shared worker pool, with a key handle added for this write. */
export function poolBlockEncryptor(pool: XtsPool, handle: XtsKeyHandle, signal?: AbortSignal): BlockEncryptor {
  return (stored, dataOffset, firstSector) =>
    pool.run(handle, stored, [[dataOffset, stored.length - dataOffset, firstSector]], false, signal);
}

/** Reader errors in the terms every sealed format uses (see SealedFormatWriter.open); the VHD code stays in details. */
function asSealError(error: unknown): unknown {
  if (!(error instanceof AppError)) return error;
  const code =
    error.code === 'VHD_WRONG_KEY' || error.code === 'VHD_KEY_SIZE' || error.code === 'VHD_KEY_WEAK'
      ? 'SEAL_WRONG_KEY'
      : error.code === 'VHD_NOT_ENCRYPTED'
        ? 'SEAL_NOT_SEALED_FORMAT'
        : null;
  if (!code) return error;
  return new AppError(code, error.message, {
    hint: error.hint,
    details: { ...error.details, reason: error.code },
    cause: error,
  });
}

/** Target classic-vhd: the vhd-util encrypted VHD; the secret is the raw DEK (32 or 64 bytes). */
export const vhdCryptWriter: SealedFormatWriter = {
  format: 'vhd-crypt',

  async write(options: SealedWriteOptions): Promise<SealedWriteResult> {
    assertVhdCryptKey(options.secret);
    const handle = await options.pool.addKey(options.secret, 'plain');
    const window = Math.max(4, options.pool.size * 2);
    const slots = vhdCryptSlots(window);
    try {
      const result = await writeVhdCrypt({
        reader: options.reader,
        outPath: options.outPath,
        key: options.secret,
        encrypt: poolBlockEncryptor(options.pool, handle, options.signal),
        signal: options.signal,
        onProgress: options.onProgress,
        fsync: options.fsync,
        window,
        slots,
      });
      return { cipher: result.cipher };
    } finally {
      await options.pool.removeKey(handle).catch(() => undefined);
      await options.pool.releaseMemory(slots.memory).catch(() => undefined);
    }
  },

  async open(path: string, secret: Buffer, options: { pool?: XtsPool } = {}): Promise<DiskReader> {
    try {
      return await openVhdCryptReader(path, secret, options);
    } catch (error) {
      throw asSealError(error);
    }
  },
};
