import { AppError } from '../common/errors';
import { ProgressMeter } from '../common/progress';
import { luksCipherSpec, luksPayloadOffsetSectors } from '../crypto/luks1';
import type { DiskReader } from '../image/types';
import { openQcow2LuksReader } from './qcow2-luks-reader';
import { encodeQcow2Header, QCOW2_CRYPT_LUKS, QCOW2_REFCOUNT_ORDER, QCOW_OFLAG_COPIED } from './qcow2-luks-format';
import { ChunkSlots } from './chunk-slots';
import { LUKS_MASTER_KEY_BYTES, withLuksMasterKey, type LuksMasterKey } from './luks-master-key';
import { readAhead, SealedOutput } from './sealed-output';
import type { SealedFormatWriter, SealedWriteOptions, SealedWriteResult } from './writer';

const SECTOR = 512;
const DEFAULT_CLUSTER_BITS = 16;
/** Clusters per read / worker request: 2 MiB at 64 KiB clusters. */
const CHUNK_CLUSTERS = 32;
/** Chunks read ahead of the encryption. */
const READ_AHEAD = 3;

/** The qcow2 virtual size for a source: QEMU's qcow2 holds whole 512-byte sectors. */
export function qcow2VirtualSize(sourceSize: number): number {
  return Math.ceil(sourceSize / SECTOR) * SECTOR;
}

/**
 * Target vpc: qcow2 v3 with embedded LUKS1 (crypt_method 2, crypto header extension), as
 * `qemu-img convert -O qcow2 -o encrypt.format=luks` writes it: aes-256-xts-plain64, sha256, one key slot.
 *
 * File layout: header cluster · LUKS header area (QEMU layout, 4040 sectors) · L1 table · data clusters in guest
 * order · L2 tables · refcount blocks · refcount table. Only clusters holding non-zero data are allocated.
 * Each data sector is encrypted with its *host* sector number (byte offset in the file / 512): QEMU's qcow2
 * sets crypt_physical_offset for LUKS (block/qcow2.c), unlike the legacy AES method that used guest offsets.
 */
export function createQcow2LuksWriter(clusterBits = DEFAULT_CLUSTER_BITS): SealedFormatWriter {
  return {
    format: 'qcow2-luks',
    write: (options) => writeQcow2Luks(options, clusterBits),
    open: (path, secret, openOptions) => openQcow2LuksReader(path, secret, openOptions),
  };
}

export const qcow2LuksWriter: SealedFormatWriter = createQcow2LuksWriter();

async function writeQcow2Luks(options: SealedWriteOptions, clusterBits: number): Promise<SealedWriteResult> {
  if (options.reader.virtualSize <= 0) {
    throw new AppError('SEAL_EMPTY_SOURCE', 'The source disk is empty (virtual size 0); there is nothing to seal.');
  }
  return withLuksMasterKey(options, 'qemu', (key) => writeQcow2LuksFile(options, clusterBits, key));
}

async function writeQcow2LuksFile(
  options: SealedWriteOptions,
  clusterBits: number,
  { handle, created }: LuksMasterKey,
): Promise<SealedWriteResult> {
  const { reader, pool, signal } = options;
  const clusterSize = 2 ** clusterBits;
  const l2Entries = clusterSize / 8;
  const virtualSize = qcow2VirtualSize(reader.virtualSize);
  const guestClusters = Math.ceil(virtualSize / clusterSize);
  const l1Size = Math.ceil(guestClusters / l2Entries);

  let slots: ChunkSlots | null = null;
  let output: SealedOutput | null = null;
  try {
    const luksOffset = clusterSize;
    const luksAreaBytes = luksPayloadOffsetSectors(LUKS_MASTER_KEY_BYTES, 'qemu') * SECTOR;
    const luksClusters = Math.ceil(luksAreaBytes / clusterSize);
    const l1Offset = luksOffset + luksClusters * clusterSize;
    const l1Clusters = Math.max(1, Math.ceil((l1Size * 8) / clusterSize));
    const dataStart = l1Offset + l1Clusters * clusterSize;

    const window = Math.max(4, pool.size * 3);
    // At most the clusters touched by allocated extents are stored (counted in a first pass over the extent map
    // rather than kept: a fragmented disk can have millions of ranges).
    let reserve = dataStart;
    for await (const [first, end] of clusterRanges(reader, clusterSize)) reserve += (end - first) * clusterSize;
    output = await SealedOutput.open(options.outPath, { flags: 'wx', fsync: options.fsync, window, reserve });
    // Enough for every chunk that can be in flight: read ahead, being sorted here, and in the output's window.
    const chunkSlots = new ChunkSlots(READ_AHEAD + window + 2, CHUNK_CLUSTERS * clusterSize);
    slots = chunkSlots;
    const l2Tables = new Map<number, Buffer>();
    let nextHost = dataStart;
    const meter = new ProgressMeter('encrypt', reader.virtualSize, options.onProgress);
    const zeroCluster = Buffer.alloc(clusterSize);
    /** Reads one chunk of `count` clusters from `firstCluster`, zero-padded past the source's end. */
    const readChunk = async (firstCluster: number, count: number) => {
      const buffer = await chunkSlots.take();
      const start = firstCluster * clusterSize;
      const readable = Math.min(count * clusterSize, reader.virtualSize - start);
      const got = await reader.read(start, buffer.subarray(0, readable));
      if (got !== readable) {
        throw new AppError(
          'IMAGE_TRUNCATED',
          `The source ended early: ${got} of ${readable} bytes at offset ${start}.`,
          {
            hint: 'The image file is incomplete; get it again.',
          },
        );
      }
      buffer.fill(0, readable, count * clusterSize);
      return { buffer, firstCluster, count };
    };
    async function* chunkReads() {
      // Clusters touched by allocated extents, merged into ranges; holes are never read.
      for await (const [first, end] of clusterRanges(reader, clusterSize)) {
        for (let cluster = first; cluster < end; cluster += CHUNK_CLUSTERS) {
          const count = Math.min(CHUNK_CLUSTERS, end - cluster);
          yield () => readChunk(cluster, count);
        }
      }
    }

    for await (const { buffer, firstCluster, count } of readAhead(chunkReads(), READ_AHEAD)) {
      signal?.throwIfAborted();
      // Keep only clusters with data, packed to the front, so one worker run covers contiguous host clusters;
      // host clusters are assigned here, in guest order.
      let kept = 0;
      for (let i = 0; i < count; i++) {
        const cluster = buffer.subarray(i * clusterSize, (i + 1) * clusterSize);
        if (cluster.equals(zeroCluster)) continue;
        if (kept !== i) buffer.copy(buffer, kept * clusterSize, i * clusterSize, (i + 1) * clusterSize);
        const guest = firstCluster + i;
        const tableIndex = Math.floor(guest / l2Entries);
        let table = l2Tables.get(tableIndex);
        if (!table) {
          table = Buffer.alloc(clusterSize);
          l2Tables.set(tableIndex, table);
        }
        table.writeBigUInt64BE(BigInt(nextHost + kept * clusterSize) | QCOW_OFLAG_COPIED, (guest % l2Entries) * 8);
        kept++;
      }
      const reportAt = Math.min((firstCluster + count) * clusterSize, reader.virtualSize);
      if (kept === 0) {
        chunkSlots.give(buffer);
        meter.advanceTo(reportAt);
        continue;
      }
      const host = nextHost;
      nextHost += kept * clusterSize;
      const bytes = kept * clusterSize;
      const encrypted = pool.run(handle, buffer, [[0, bytes, host / SECTOR]], false, signal);
      await output.add(
        encrypted.then((whole) => whole.subarray(0, bytes)),
        host,
        (written) => {
          chunkSlots.give(written);
          meter.advanceTo(reportAt);
        },
      );
    }
    await output.drain();
    meter.advanceTo(reader.virtualSize);
    signal?.throwIfAborted();
    const luks = await created;

    // Metadata after the data: L2 tables, then refcount blocks and the refcount table.
    const l1 = Buffer.alloc(l1Clusters * clusterSize);
    const tableIndexes = [...l2Tables.keys()].sort((a, b) => a - b);
    for (const index of tableIndexes) {
      l1.writeBigUInt64BE(BigInt(nextHost) | QCOW_OFLAG_COPIED, index * 8);
      await output.write(l2Tables.get(index)!, nextHost);
      nextHost += clusterSize;
    }
    const usedClusters = nextHost / clusterSize;
    const refcountsPerBlock = (clusterSize * 8) / 2 ** QCOW2_REFCOUNT_ORDER;
    let refBlocks = 0;
    let refTableClusters = 0;
    for (;;) {
      const total = usedClusters + refBlocks + refTableClusters;
      const needBlocks = Math.ceil(total / refcountsPerBlock);
      const needTable = Math.ceil((needBlocks * 8) / clusterSize);
      if (needBlocks === refBlocks && needTable === refTableClusters) break;
      refBlocks = needBlocks;
      refTableClusters = needTable;
    }
    const totalClusters = usedClusters + refBlocks + refTableClusters;
    const refTableOffset = (usedClusters + refBlocks) * clusterSize;
    const refTable = Buffer.alloc(refTableClusters * clusterSize);
    for (let b = 0; b < refBlocks; b++) {
      const block = Buffer.alloc(clusterSize);
      const first = b * refcountsPerBlock;
      const count = Math.min(refcountsPerBlock, totalClusters - first);
      for (let i = 0; i < count; i++) block.writeUInt16BE(1, i * 2); // every cluster of the file is used once
      const offset = (usedClusters + b) * clusterSize;
      await output.write(block, offset);
      refTable.writeBigUInt64BE(BigInt(offset), b * 8);
    }
    await output.write(refTable, refTableOffset);
    await output.write(l1, l1Offset);
    await output.write(luks.headerArea, luksOffset);
    const header = encodeQcow2Header(
      {
        clusterBits,
        size: virtualSize,
        cryptMethod: QCOW2_CRYPT_LUKS,
        l1Size,
        l1TableOffset: l1Offset,
        refcountTableOffset: refTableOffset,
        refcountTableClusters: refTableClusters,
        refcountOrder: QCOW2_REFCOUNT_ORDER,
        cryptoHeader: { offset: luksOffset, length: luks.headerArea.length },
      },
      clusterSize,
    );
    await output.write(header, 0);
    await output.truncate(totalClusters * clusterSize); // the space reserved for clusters that held only zeros
    await output.finish();
    meter.finish();
    return { cipher: luksCipherSpec(luks.header) };
  } finally {
    // Nothing may still write into the file once we return (the caller deletes it on failure).
    await output?.close();
    if (slots) await pool.releaseMemory(slots.memory).catch(() => undefined);
  }
}

/** [first cluster, end cluster) ranges covering every allocated extent, merged, in order. */
async function* clusterRanges(reader: DiskReader, clusterSize: number): AsyncGenerator<[number, number]> {
  let current: [number, number] | null = null;
  for await (const extent of reader.extents()) {
    if (!extent.allocated || extent.length === 0) continue;
    const first = Math.floor(extent.offset / clusterSize);
    const end = Math.ceil((extent.offset + extent.length) / clusterSize);
    if (current && first <= current[1]) {
      current[1] = Math.max(current[1], end);
      continue;
    }
    if (current) yield current;
    current = [first, end];
  }
  if (current) yield current;
}
