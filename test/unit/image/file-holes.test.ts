import { describe, expect, it } from 'vitest';
import { parseFilefrag, withDataRanges, type DataRanges } from '../../../main/image/file-holes';
import type { DiskReader, Extent } from '../../../main/image/types';

const HEADER = (size: number) =>
  `Filesystem type is: ef53\nFile size of /images/disk.raw is ${size} (${Math.ceil(size / 512)} blocks of 512 bytes)\n` +
  ' ext:     logical_offset:        physical_offset: length:   expected: flags:\n';

describe('parseFilefrag', () => {
  it('reads data extents in bytes, with and without the "expected" column, merging neighbours', () => {
    const output =
      HEADER(10 * 1024 * 1024) +
      '   0:        0..     127:  261242880.. 261243007:    128:            \n' +
      '   1:      128..     255:  261423104.. 261423231:    128:  261243008:\n' +
      '   2:     9760..    9767:  409757216.. 409757223:      8:       9760: last\n' +
      '/images/disk.raw: 3 extents found\n';
    expect(parseFilefrag(output, 10 * 1024 * 1024)).toEqual([
      [0, 256 * 512],
      [9760 * 512, 9768 * 512],
    ]);
  });

  it('counts unwritten (allocated, never written) extents as holes and clips the last extent at the file size', () => {
    const output =
      HEADER(5001) +
      '   0:        0..       7:  174081072.. 174081079:      8:            unwritten\n' +
      '   1:        8..      15:  174081080.. 174081087:      8:            last,eof\n' +
      '/images/disk.raw: 2 extents found\n';
    expect(parseFilefrag(output, 5001)).toEqual([[4096, 5001]]);
  });

  it('knows a file with no extent at all (all hole)', () => {
    expect(
      parseFilefrag(
        `${HEADER(1 << 20)
          .split('\n')
          .slice(0, 2)
          .join('\n')}\n/images/disk.raw: 0 extents found\n`,
        1 << 20,
      ),
    ).toEqual([]);
  });

  it('gives up (null) on anything it cannot trust', () => {
    const line = '   0:        0..     127:  261242880.. 261243007:    128:            \n';
    expect(parseFilefrag(HEADER(1 << 20) + line, 2 << 20)).toBeNull(); // another size: the file changed
    expect(parseFilefrag('/dev/shm/x: FIBMAP/FIEMAP unsupported\n', 100)).toBeNull();
    expect(parseFilefrag(HEADER(1 << 20) + '   0: garbage\n', 1 << 20)).toBeNull();
    expect(
      parseFilefrag(HEADER(1 << 20) + '   0:        0..     127:  1.. 128:    100:            \n', 1 << 20),
    ).toBeNull();
    const overlapping = line + '   1:      100..     200:  261423104.. 261423204:    101:  261243008:\n';
    expect(parseFilefrag(HEADER(1 << 20) + overlapping, 1 << 20)).toBeNull();
    expect(
      parseFilefrag(
        HEADER(1 << 20)
          .split('\n')
          .slice(0, 2)
          .join('\n'),
        1 << 20,
      ),
    ).toBeNull(); // no table
  });
});

describe('withDataRanges', () => {
  const inner: DiskReader = {
    format: 'raw',
    virtualSize: 1000,
    read: async (_offset, target) => target.length,
    extents: async function* () {
      yield { offset: 0, length: 1000, allocated: true };
    },
    close: async () => undefined,
  };
  async function extentsOf(ranges: DataRanges): Promise<Extent[]> {
    const out: Extent[] = [];
    for await (const extent of withDataRanges(inner, ranges).extents()) out.push(extent);
    return out;
  }

  it('covers the whole disk: holes between, before and after the data, ranges past the end clipped', async () => {
    expect(
      await extentsOf([
        [100, 200],
        [200, 300],
        [600, 2000],
      ]),
    ).toEqual([
      { offset: 0, length: 100, allocated: false },
      { offset: 100, length: 200, allocated: true },
      { offset: 300, length: 300, allocated: false },
      { offset: 600, length: 400, allocated: true },
    ]);
    expect(await extentsOf([])).toEqual([{ offset: 0, length: 1000, allocated: false }]);
    expect(await extentsOf([[0, 1000]])).toEqual([{ offset: 0, length: 1000, allocated: true }]);
  });

  it('reads and closes through the reader it wraps', async () => {
    const wrapped = withDataRanges(inner, []);
    expect(wrapped.virtualSize).toBe(1000);
    expect(await wrapped.read(0, Buffer.alloc(10))).toBe(10);
  });
});
