import type { DiskReader, Extent } from '../../../main/image/types';

/** A DiskReader over a Buffer, with optional holes, that counts the bytes asked of it. */
export class MemoryDisk implements DiskReader {
  readonly format = 'raw' as const;
  readonly virtualSize: number;
  bytesRead = 0;

  constructor(
    private readonly data: Buffer,
    private readonly holes: ReadonlyArray<{ offset: number; length: number }> = [],
  ) {
    this.virtualSize = data.length;
  }

  async *extents(): AsyncIterable<Extent> {
    let position = 0;
    for (const hole of [...this.holes].sort((a, b) => a.offset - b.offset)) {
      if (hole.offset > position) yield { offset: position, length: hole.offset - position, allocated: true };
      yield { offset: hole.offset, length: hole.length, allocated: false };
      position = hole.offset + hole.length;
    }
    if (position < this.virtualSize) yield { offset: position, length: this.virtualSize - position, allocated: true };
  }

  async read(offset: number, target: Buffer): Promise<number> {
    if (offset < 0 || offset > this.virtualSize) throw new RangeError(`read at ${offset}`);
    const n = Math.min(target.length, this.virtualSize - offset);
    this.data.copy(target, 0, offset, offset + n);
    this.bytesRead += n;
    return n;
  }

  async close(): Promise<void> {}
}
