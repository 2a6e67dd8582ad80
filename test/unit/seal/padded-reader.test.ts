import { describe, expect, it } from 'vitest';
import type { DiskReader, Extent } from '../../../main/image/types';
import { sectorPadded, zeroPadded } from '../../../main/seal/sector-padded-reader';
import { defaultOutputPath } from '../../../main/seal/seal';
import { sealedVirtualSize } from '../../../main/seal/open-sealed';

function memoryReader(bytes: Buffer, extents: Extent[]): DiskReader {
  return {
    format: 'raw',
    virtualSize: bytes.length,
    async *extents() {
      yield* extents;
    },
    async read(offset, target) {
      const end = Math.min(bytes.length, offset + target.length);
      bytes.copy(target, 0, offset, end);
      return end - offset;
    },
    close: async () => undefined,
  };
}

async function collect(reader: DiskReader): Promise<Extent[]> {
  const out: Extent[] = [];
  for await (const extent of reader.extents()) out.push(extent);
  return out;
}

describe('padded views of a source', () => {
  it('adds a zero tail as a hole, merged with a trailing hole', async () => {
    const bytes = Buffer.alloc(1000, 7);
    const data = memoryReader(bytes, [{ offset: 0, length: 1000, allocated: true }]);
    const padded = sectorPadded(data);
    expect(padded.virtualSize).toBe(1024);
    expect(await collect(padded)).toEqual([
      { offset: 0, length: 1000, allocated: true },
      { offset: 1000, length: 24, allocated: false },
    ]);
    const target = Buffer.alloc(100, 0xff);
    expect(await padded.read(950, target.subarray(0, 74))).toBe(74);
    expect(target.subarray(0, 50).every((b) => b === 7)).toBe(true);
    expect(target.subarray(50, 74).every((b) => b === 0)).toBe(true);

    const holey = memoryReader(Buffer.alloc(1000), [
      { offset: 0, length: 500, allocated: true },
      { offset: 500, length: 500, allocated: false },
    ]);
    expect(await collect(zeroPadded(holey, 4096))).toEqual([
      { offset: 0, length: 500, allocated: true },
      { offset: 500, length: 3596, allocated: false },
    ]);
    expect(sectorPadded(memoryReader(Buffer.alloc(512), []))).toBeDefined();
    expect(() => zeroPadded(data, 10)).toThrow(RangeError);
  });

  it('names outputs and sizes per target', () => {
    expect(defaultOutputPath('/x/Disk.QCOW2', 'vpc')).toBe('/x/Disk-sealed.qcow2');
    expect(defaultOutputPath('/x/disk.qcow2', 'vpc')).toBe('/x/disk-sealed.qcow2');
    expect(defaultOutputPath('/x/disk.vhd-0.vhd', 'classic-vhd')).toBe('/x/disk-sealed.vhd-0.vhd');
    expect(defaultOutputPath('/x/disk', 'classic-luks')).toBe('/x/disk-sealed.raw');
    expect(sealedVirtualSize('vpc', 1000)).toBe(1024);
    expect(sealedVirtualSize('classic-vhd', 1000)).toBe(2 * 1024 * 1024);
  });
});
