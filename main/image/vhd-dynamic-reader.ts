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

  /** Copies [within, within + length) of one block, reading runs of marked sectors and zero-filling the rest. */
  private async readMarked(bitmap: Buffer, dataStart: number, within: number, length: number, target: Buffer, at: number): Promise<void> {
    const end = within + length;
    let position = within;
    while (position < end) {
      const sector = Math.floor(position / SECTOR);
      const marked = isMarked(bitmap, sector);
      let runEnd = (sector + 1) * SECTOR;
      while (runEnd < end && isMarked(bitmap, runEnd / SECTOR) === marked) runEnd += SECTOR;
      runEnd = Math.min(runEnd, end);
      const targetAt = at + (position - within);
      if (marked) await this.file.readInto(target, targetAt, runEnd - position, dataStart + position, 'VHD data block');
      else target.fill(0, targetAt, targetAt + (runEnd - position));
      position = runEnd;
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
