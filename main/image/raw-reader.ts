import type { ImageFile } from './image-file';
import type { DiskReader, Extent, SourceFormat } from './types';
import { checkReadRange, closeChecked } from './reader-support';

/**
 * A flat run of disk bytes at a fixed place in a file: raw images (the whole file) and fixed VHDs (all but
 * the 512-byte footer).
 *
 * extents() reports the whole disk as allocated. Node has no SEEK_DATA/SEEK_HOLE, and finding zero runs by
 * scanning would read the whole image a second time; the writers skip all-zero clusters as they go, so
 * holes still end up as holes in the sealed output. (st_blocks cannot be trusted for this either: file
 * systems with inline data report 0 blocks for small files that do hold data.) For sealing, openDiskReader
 * can put the file system's own hole map in front of it (file-holes.ts).
 */
export class FlatReader implements DiskReader {
  constructor(
    readonly format: SourceFormat,
    private readonly file: ImageFile,
    readonly virtualSize: number,
    private readonly dataOffset = 0,
  ) {}

  async read(offset: number, target: Buffer): Promise<number> {
    const length = checkReadRange(offset, target.length, this.virtualSize);
    if (length > 0) await this.file.readInto(target, 0, length, this.dataOffset + offset, 'disk data');
    return length;
  }

  async *extents(): AsyncIterable<Extent> {
    if (this.virtualSize === 0) return;
    yield { offset: 0, length: this.virtualSize, allocated: true };
  }

  close(): Promise<void> {
    return closeChecked(this.file);
  }
}
