import type { ImageFile } from './image-file';
import type { DiskReader, Extent } from './types';
import { BAT_UNALLOCATED, type VhdDynamicLayout } from './vhd-structures';
import { ExtentMerger, checkReadRange, closeChecked } from './reader-support';

const SECTOR = 512;
/** Upper bound on memory spent caching block bitmaps. */
const BITMAP_CACHE_BYTES = 8 * 1024 * 1024;

/**
 * Reads a dynamic VHD: unallocated blocks are holes; inside an allocated block, sectors whose bit is clear
 * in the block's bitmap read as zeros (the VHD specification's rule for a disk without a parent).
 */
export class VhdDynamicReader implements DiskReader {
  readonly format = 'vhd-dynamic' as const;
  readonly virtualSize: number;
  private readonly bitmaps = new Map<number, Promise<Buffer>>();
  private readonly bitmapCacheLimit: number;

  constructor(
    private readonly file: ImageFile,
    private readonly layout: VhdDynamicLayout,
  ) {
    this.virtualSize = layout.footer.virtualSize;
    this.bitmapCacheLimit = Math.max(16, Math.floor(BITMAP_CACHE_BYTES / layout.bitmapSize));
  }

  async read(offset: number, target: Buffer): Promise<number> {
    const length = checkReadRange(offset, target.length, this.virtualSize);
    const { blockSize, bat, bitmapSize } = this.layout;
    let done = 0;
    while (done < length) {
      const position = offset + done;
      const block = Math.floor(position / blockSize);
      const within = position - block * blockSize;
      const take = Math.min(blockSize - within, length - done);
      const sector = bat[block];
      if (sector === BAT_UNALLOCATED) {
        target.fill(0, done, done + take);
      } else {
        const dataStart = sector * SECTOR + bitmapSize;
        const bitmap = await this.bitmap(block);
        await this.readMarked(bitmap, dataStart, within, take, target, done);
      }
      done += take;
    }
    return length;
  }

  async *extents(): AsyncIterable<Extent> {
    const merger = new ExtentMerger();
    const { blockSize, bat, blockCount } = this.layout;
    for (let block = 0; block < blockCount; block += 1) {
      const start = block * blockSize;
      yield* merger.add(start, Math.min(blockSize, this.virtualSize - start), bat[block] !== BAT_UNALLOCATED);
    }
    yield* merger.finish();
  }

  async close(): Promise<void> {
    this.bitmaps.clear();
    await closeChecked(this.file);
  }

  /**
   * Copies [within, within + length) of one block. Whatever the bitmap looks like this costs at most one
   * read: the span is read whole and sectors whose bit is clear are zeroed afterwards.
   */
  private async readMarked(
    bitmap: Buffer,
    dataStart: number,
    within: number,
    length: number,
    target: Buffer,
    at: number,
  ): Promise<void> {
    const firstSector = Math.floor(within / SECTOR);
    const lastSector = Math.floor((within + length - 1) / SECTOR);
    let marked = 0;
    for (let sector = firstSector; sector <= lastSector; sector += 1) if (isMarked(bitmap, sector)) marked += 1;
    const sectors = lastSector - firstSector + 1;
    if (marked === 0) {
      target.fill(0, at, at + length);
      return;
    }
    await this.file.readInto(target, at, length, dataStart + within, 'VHD data block');
    if (marked === sectors) return;
    for (let sector = firstSector; sector <= lastSector; sector += 1) {
      if (isMarked(bitmap, sector)) continue;
      const from = Math.max(within, sector * SECTOR);
      const to = Math.min(within + length, (sector + 1) * SECTOR);
      target.fill(0, at + (from - within), at + (to - within));
    }
  }

  private bitmap(block: number): Promise<Buffer> {
    const cached = this.bitmaps.get(block);
    if (cached) return cached;
    const loading = this.file.readAt(this.layout.bat[block] * SECTOR, this.layout.bitmapSize, 'VHD block bitmap');
    loading.catch(() => {
      if (this.bitmaps.get(block) === loading) this.bitmaps.delete(block);
    });
    this.bitmaps.set(block, loading);
    if (this.bitmaps.size > this.bitmapCacheLimit) {
      const oldest = this.bitmaps.keys().next().value as number;
      this.bitmaps.delete(oldest);
    }
    return loading;
  }
}

/** Bitmap bits run most significant first: bit 7 of byte 0 is sector 0. */
function isMarked(bitmap: Buffer, sector: number): boolean {
  return (bitmap[sector >>> 3] & (0x80 >>> (sector & 7))) !== 0;
}
