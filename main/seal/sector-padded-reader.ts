import type { DiskReader, Extent } from '../image/types';

const SECTOR = 512;

/**
 * The source as a sealed image presents it: disk formats hold whole 512-byte sectors, so a source whose size is
 * not a multiple of 512 gains a zero tail (a hole). Verification hashes this view of the source, which is what
 * the decrypted output must equal byte for byte.
 */
export function sectorPadded(reader: DiskReader): DiskReader {
  return zeroPadded(reader, Math.ceil(reader.virtualSize / SECTOR) * SECTOR);
}

/** The reader extended to `paddedSize` bytes with a hole (e.g. a VHD rounded up to whole 2 MiB blocks). */
export function zeroPadded(reader: DiskReader, paddedSize: number): DiskReader {
  if (paddedSize < reader.virtualSize) throw new RangeError('zeroPadded cannot shrink a disk');
  if (paddedSize === reader.virtualSize) return reader;
  const tail = paddedSize - reader.virtualSize;
  return {
    format: reader.format,
    virtualSize: paddedSize,
    async *extents(): AsyncIterable<Extent> {
      let last: Extent | null = null;
      for await (const extent of reader.extents()) {
        if (last) yield last;
        last = { ...extent };
      }
      if (last && !last.allocated) {
        last.length += tail;
        yield last;
      } else {
        if (last) yield last;
        yield { offset: reader.virtualSize, length: tail, allocated: false };
      }
    },
    async read(offset: number, target: Buffer): Promise<number> {
      if (offset > paddedSize) throw new RangeError(`read at ${offset} is past the end of the disk`);
      const end = Math.min(paddedSize, offset + target.length);
      let placed = 0;
      if (offset < reader.virtualSize) {
        placed = await reader.read(offset, target.subarray(0, Math.min(end, reader.virtualSize) - offset));
      }
      target.fill(0, placed, end - offset);
      return end - offset;
    },
    close: () => reader.close(),
  };
}
