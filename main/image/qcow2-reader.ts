import { inflateRawSync, constants as zlibConstants } from 'node:zlib';
import type { ImageFile } from './image-file';
import type { DiskReader, Extent } from './types';
import { corruptImage, truncatedImage, unsupportedImage } from './image-errors';
import { overlaps, type Qcow2Layout } from './qcow2-header';
import { ExtentMerger, checkReadRange, closeChecked } from './reader-support';

const FORMAT = 'qcow2';
const TWO_32 = 2 ** 32;
/** Upper bound on memory spent caching L2 tables (each is one cluster). */
const L2_CACHE_BYTES = 32 * 1024 * 1024;
const READ_AHEAD = 1024 * 1024;

const enum ClusterKind {
  Unallocated = 0,
  Zero = 1,
  Data = 2,
  Compressed = 3,
}

interface ClusterMapping {
  kind: ClusterKind;
  /** host offset (Data) or compressed data start (Compressed) */
  hostOffset: number;
  /** bytes of compressed data to read (Compressed only) */
  compressedLength: number;
}

/**
 * Reads the active state of a qcow2 v2/v3 image through its L1/L2 tables. Every table and mapping is checked
 * against the file before use (alignment, bounds, overlap with metadata), so a hostile image gives
 * IMAGE_CORRUPT / IMAGE_TRUNCATED instead of wrong data or unbounded work.
 */
export class Qcow2Reader implements DiskReader {
  readonly format = 'qcow2' as const;
  readonly virtualSize: number;
  private readonly cs: number;
  private readonly l2Offsets: number[];
  private readonly l2OffsetSet: Set<number>;
  private readonly l2Cache = new Map<number, Promise<Buffer>>();
  private readonly l2CacheLimit: number;
  private lastInflated: { hostOffset: number; data: Buffer } | undefined;
  private readAhead: { offset: number; data: Buffer } | undefined;

  private constructor(
    private readonly file: ImageFile,
    private readonly layout: Qcow2Layout,
    l2Offsets: number[],
  ) {
    this.virtualSize = layout.virtualSize;
    this.cs = layout.clusterSize;
    this.l2Offsets = l2Offsets;
    this.l2OffsetSet = new Set(l2Offsets.filter((offset) => offset !== 0));
    this.l2CacheLimit = Math.max(4, Math.floor(L2_CACHE_BYTES / this.cs));
  }

  static async open(file: ImageFile, layout: Qcow2Layout): Promise<Qcow2Reader> {
    const l2Offsets = await readL1(file, layout);
    return new Qcow2Reader(file, layout, l2Offsets);
  }

  async read(offset: number, target: Buffer): Promise<number> {
    const length = checkReadRange(offset, target.length, this.virtualSize);
    const cs = this.cs;
    let done = 0;
    while (done < length) {
      const position = offset + done;
      const guestCluster = Math.floor(position / cs);
      const within = position - guestCluster * cs;
      const mapping = await this.mapping(guestCluster);
      const take = Math.min(cs - within, length - done);
      if (mapping.kind === ClusterKind.Data) {
        // Coalesce following clusters whose host clusters are contiguous into one read.
        let runBytes = take;
        let nextHost = mapping.hostOffset + cs;
        let nextGuest = guestCluster + 1;
        while (done + runBytes < length) {
          const next = await this.mapping(nextGuest);
          if (next.kind !== ClusterKind.Data || next.hostOffset !== nextHost) break;
          runBytes += Math.min(cs, length - done - runBytes);
          nextHost += cs;
          nextGuest += 1;
        }
        await this.file.readInto(target, done, runBytes, mapping.hostOffset + within, 'qcow2 data cluster');
        done += runBytes;
      } else if (mapping.kind === ClusterKind.Compressed) {
        const data = await this.inflate(mapping, guestCluster);
        data.copy(target, done, within, within + take);
        done += take;
      } else {
        target.fill(0, done, done + take);
        done += take;
      }
    }
    return length;
  }

  async *extents(): AsyncIterable<Extent> {
    const merger = new ExtentMerger();
    const cs = this.cs;
    const bytesPerL2 = cs * this.layout.l2Entries;
    for (let l1Index = 0; l1Index < this.layout.l1Entries; l1Index += 1) {
      const tableStart = l1Index * bytesPerL2;
      const tableEnd = Math.min(this.virtualSize, tableStart + bytesPerL2);
      if (this.l2Offsets[l1Index] === 0) {
        yield* merger.add(tableStart, tableEnd - tableStart, false);
        continue;
      }
      const table = await this.l2Table(l1Index);
      const clusters = Math.ceil((tableEnd - tableStart) / cs);
      for (let index = 0; index < clusters; index += 1) {
        const guestCluster = l1Index * this.layout.l2Entries + index;
        const kind = this.decode(table, index, guestCluster).kind;
        const start = tableStart + index * cs;
        const allocated = kind === ClusterKind.Data || kind === ClusterKind.Compressed;
        yield* merger.add(start, Math.min(cs, this.virtualSize - start), allocated);
      }
    }
    yield* merger.finish();
  }

  /** Bytes of the virtual disk backed by data or compressed clusters; walks (and so checks) every L2 table. */
  async allocatedBytes(): Promise<number> {
    let allocated = 0;
    for await (const extent of this.extents()) if (extent.allocated) allocated += extent.length;
    return allocated;
  }

  async close(): Promise<void> {
    this.l2Cache.clear();
    this.lastInflated = undefined;
    this.readAhead = undefined;
    await closeChecked(this.file);
  }

  private async mapping(guestCluster: number): Promise<ClusterMapping> {
    const l1Index = Math.floor(guestCluster / this.layout.l2Entries);
    if (this.l2Offsets[l1Index] === 0) return UNALLOCATED;
    const table = await this.l2Table(l1Index);
    return this.decode(table, guestCluster - l1Index * this.layout.l2Entries, guestCluster);
  }

  private l2Table(l1Index: number): Promise<Buffer> {
    const cached = this.l2Cache.get(l1Index);
    if (cached) {
      // Map order is insertion order: re-inserting makes this the most recently used.
      this.l2Cache.delete(l1Index);
      this.l2Cache.set(l1Index, cached);
      return cached;
    }
    const loading = this.file.readAt(this.l2Offsets[l1Index], this.cs, 'L2 table').then((table) => {
      this.validateTable(table, l1Index);
      return table;
    });
    loading.catch(() => {
      if (this.l2Cache.get(l1Index) === loading) this.l2Cache.delete(l1Index);
    });
    this.l2Cache.set(l1Index, loading);
    while (this.l2Cache.size > this.l2CacheLimit) {
      const oldest = this.l2Cache.keys().next().value as number;
      this.l2Cache.delete(oldest);
    }
    return loading;
  }

  /** Checks every entry of an L2 table once, so decode() can trust it afterwards. */
  private validateTable(table: Buffer, l1Index: number): void {
    const first = l1Index * this.layout.l2Entries;
    const lastCluster = Math.ceil(this.virtualSize / this.cs);
    const count = Math.min(this.layout.l2Entries, lastCluster - first);
    for (let index = 0; index < count; index += 1) this.decode(table, index, first + index, true);
  }

  private decode(table: Buffer, index: number, guestCluster: number, check = false): ClusterMapping {
    const hi = table.readUInt32BE(index * 8);
    const lo = table.readUInt32BE(index * 8 + 4);
    if (hi & 0x40000000) return this.decodeCompressed(hi, lo, guestCluster, check);
    const hostOffset = (hi & 0x00ffffff) * TWO_32 + ((lo & 0xfffffe00) >>> 0);
    if (lo & 1) return ZERO;
    if (hostOffset === 0) return UNALLOCATED;
    if (check) this.checkDataCluster(hostOffset, guestCluster);
    return { kind: ClusterKind.Data, hostOffset, compressedLength: 0 };
  }

  private decodeCompressed(hi: number, lo: number, guestCluster: number, check: boolean): ClusterMapping {
    // Compressed descriptor: offset in bits 0..x-1, extra 512-byte sectors in bits x..61, x = 62 - (cluster_bits - 8).
    const descriptor = ((BigInt(hi & 0x3fffffff) << 32n) | BigInt(lo >>> 0)) as bigint;
    const x = BigInt(62 - (this.layout.clusterBits - 8));
    const hostOffset = Number(descriptor & ((1n << x) - 1n));
    const extraSectors = Number(descriptor >> x);
    const compressedLength = (extraSectors + 1) * 512 - (hostOffset % 512);
    if (check) {
      const where = `guest cluster ${guestCluster}`;
      if (this.layout.compression === 'zstd') {
        throw unsupportedImage(
          this.file.path,
          'The qcow2 image holds zstd-compressed clusters, which this Node.js runtime cannot decompress.',
          'Convert it first without compression: `qemu-img convert -O qcow2 image.qcow2 plain.qcow2`, or choose the qemu-img engine.',
          { guestCluster },
        );
      }
      if (hostOffset < this.cs)
        throw corruptImage(this.file.path, FORMAT, `compressed ${where} points into the header`);
      if (hostOffset >= this.file.size) {
        throw truncatedImage(
          this.file.path,
          FORMAT,
          `compressed ${where} points past the end of the file (offset ${hostOffset})`,
        );
      }
      for (const [start, end] of this.layout.metadataRegions) {
        if (overlaps(hostOffset, hostOffset + compressedLength, start, end)) {
          throw corruptImage(this.file.path, FORMAT, `compressed ${where} overlaps the image's metadata`);
        }
      }
      const lastCluster = Math.floor((hostOffset + compressedLength - 1) / this.cs);
      for (let cluster = Math.floor(hostOffset / this.cs); cluster <= lastCluster; cluster += 1) {
        if (this.l2OffsetSet.has(cluster * this.cs)) {
          throw corruptImage(this.file.path, FORMAT, `compressed ${where} overlaps an L2 table`);
        }
      }
    }
    return { kind: ClusterKind.Compressed, hostOffset, compressedLength };
  }

  private checkDataCluster(hostOffset: number, guestCluster: number): void {
    const path = this.file.path;
    const where = `guest cluster ${guestCluster}`;
    if (hostOffset % this.cs !== 0)
      throw corruptImage(path, FORMAT, `${where} maps to a misaligned host offset (${hostOffset})`);
    // The file may end inside the last cluster when the virtual size is not a whole number of clusters.
    const needed = Math.min(this.cs, this.virtualSize - guestCluster * this.cs);
    if (hostOffset + needed > this.file.size) {
      throw truncatedImage(
        path,
        FORMAT,
        `${where} points past the end of the file (offset ${hostOffset}, file size ${this.file.size})`,
        {
          hostOffset,
        },
      );
    }
    if (this.l2OffsetSet.has(hostOffset)) throw corruptImage(path, FORMAT, `${where} points at an L2 table`);
    for (const [start, end] of this.layout.metadataRegions) {
      if (overlaps(hostOffset, hostOffset + this.cs, start, end)) {
        throw corruptImage(path, FORMAT, `${where} overlaps the image's metadata (header, L1 or refcount table)`);
      }
    }
  }

  private async inflate(mapping: ClusterMapping, guestCluster: number): Promise<Buffer> {
    if (this.lastInflated?.hostOffset === mapping.hostOffset) return this.lastInflated.data;
    // The last sector of compressed data may run past the end of the file; QEMU reads zeros there.
    const available = Math.min(mapping.compressedLength, this.file.size - mapping.hostOffset);
    const compressed = await this.compressedBytes(mapping.hostOffset, available);
    let data: Buffer;
    try {
      data = inflateRawSync(compressed, { finishFlush: zlibConstants.Z_SYNC_FLUSH, maxOutputLength: this.cs });
    } catch (error) {
      const reason =
        (error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE'
          ? 'inflates to more than one cluster'
          : 'does not inflate';
      throw corruptImage(this.file.path, FORMAT, `compressed guest cluster ${guestCluster} ${reason}`, {
        hostOffset: mapping.hostOffset,
      });
    }
    if (data.length !== this.cs) {
      throw corruptImage(
        this.file.path,
        FORMAT,
        `compressed guest cluster ${guestCluster} inflates to ${data.length} bytes instead of ${this.cs}`,
      );
    }
    this.lastInflated = { hostOffset: mapping.hostOffset, data };
    return data;
  }

  /**
   * Compressed clusters are small and usually packed one after another, so they are read through a window
   * of READ_AHEAD bytes instead of one system call per cluster.
   */
  private async compressedBytes(offset: number, length: number): Promise<Buffer> {
    const window = this.readAhead;
    if (window && offset >= window.offset && offset + length <= window.offset + window.data.length) {
      return window.data.subarray(offset - window.offset, offset - window.offset + length);
    }
    const span = Math.max(length, Math.min(READ_AHEAD, this.file.size - offset));
    const data = await this.file.readAt(offset, span, 'compressed cluster');
    this.readAhead = { offset, data };
    return data.subarray(0, length);
  }
}

const UNALLOCATED: ClusterMapping = { kind: ClusterKind.Unallocated, hostOffset: 0, compressedLength: 0 };
const ZERO: ClusterMapping = { kind: ClusterKind.Zero, hostOffset: 0, compressedLength: 0 };

/** Reads the L1 entries that cover the virtual disk and checks each L2 table pointer. */
async function readL1(file: ImageFile, layout: Qcow2Layout): Promise<number[]> {
  const offsets: number[] = new Array<number>(layout.l1Entries);
  if (layout.l1Entries === 0) return offsets;
  const table = await file.readAt(layout.l1Offset, layout.l1Entries * 8, 'L1 table');
  const seen = new Map<number, number>();
  for (let index = 0; index < layout.l1Entries; index += 1) {
    const hi = table.readUInt32BE(index * 8);
    const lo = table.readUInt32BE(index * 8 + 4);
    const offset = (hi & 0x00ffffff) * TWO_32 + ((lo & 0xfffffe00) >>> 0);
    offsets[index] = offset;
    if (offset === 0) continue;
    const where = `L1 entry ${index}`;
    if (offset % layout.clusterSize !== 0)
      throw corruptImage(file.path, FORMAT, `${where} points to a misaligned L2 table (offset ${offset})`);
    if (offset + layout.clusterSize > file.size) {
      throw truncatedImage(
        file.path,
        FORMAT,
        `${where} points to an L2 table past the end of the file (offset ${offset}, file size ${file.size})`,
        {
          offset,
        },
      );
    }
    for (const [start, end] of layout.metadataRegions) {
      if (overlaps(offset, offset + layout.clusterSize, start, end)) {
        throw corruptImage(
          file.path,
          FORMAT,
          `${where} points to an L2 table that overlaps the header, L1 or refcount table`,
        );
      }
    }
    const previous = seen.get(offset);
    if (previous !== undefined) {
      throw corruptImage(
        file.path,
        FORMAT,
        `L1 entries ${previous} and ${index} share one L2 table (offset ${offset}): the tables loop`,
      );
    }
    seen.set(offset, index);
  }
  return offsets;
}
