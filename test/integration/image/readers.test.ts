import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashVirtualContent, openDiskReader, probeImage, type DiskReader, type Extent } from '../../../main/image';
import {
  collectExtents,
  makeTempDir,
  qemuDataRanges,
  qemuToRaw,
  run,
  sha256File,
  writeRawDisk,
  type Region,
} from './image-fixtures';

const MiB = 1024 * 1024;
// Not a multiple of any cluster or block size, but whole sectors (qemu-img wants those).
const SIZE = 8 * MiB + 3584;
const REGIONS: Region[] = [
  { offset: 0, length: 512 * 1024, kind: 'text' },
  // [512 KiB, 2 MiB) stays a hole
  { offset: 2 * MiB, length: 300 * 1024, kind: 'random' },
  { offset: 3 * MiB, length: 4096, kind: 'text' },
  { offset: 4 * MiB + 512, length: 512, kind: 'random' },
  { offset: 5 * MiB - 1000, length: 3000, kind: 'text' },
  // [5 MiB + 2000, SIZE - 2048) stays a hole: a whole 2 MiB cluster among it
  { offset: SIZE - 2048, length: 2048, kind: 'random' },
];

interface Variant {
  name: string;
  qemuFormat: 'qcow2' | 'vpc' | 'raw';
  args: string[];
  format: 'raw' | 'qcow2' | 'vhd-fixed' | 'vhd-dynamic';
  description: RegExp;
  /** whether extents() must match qemu-img map's data ranges exactly */
  sparse: boolean;
}

const VARIANTS: Variant[] = [
  { name: 'raw', qemuFormat: 'raw', args: [], format: 'raw', description: /raw/, sparse: false },
  {
    name: 'qcow2 v2 (compat=0.10)',
    qemuFormat: 'qcow2',
    args: ['-o', 'compat=0.10'],
    format: 'qcow2',
    description: /qcow2 v2 \(64 KiB/,
    sparse: true,
  },
  {
    name: 'qcow2 v3 512 B clusters',
    qemuFormat: 'qcow2',
    args: ['-o', 'compat=1.1,cluster_size=512'],
    format: 'qcow2',
    description: /v3 \(512 B/,
    sparse: true,
  },
  {
    name: 'qcow2 v3 4 KiB clusters',
    qemuFormat: 'qcow2',
    args: ['-o', 'compat=1.1,cluster_size=4096'],
    format: 'qcow2',
    description: /v3 \(4 KiB/,
    sparse: true,
  },
  {
    name: 'qcow2 v3 64 KiB clusters',
    qemuFormat: 'qcow2',
    args: ['-o', 'compat=1.1,cluster_size=65536'],
    format: 'qcow2',
    description: /v3 \(64 KiB/,
    sparse: true,
  },
  {
    name: 'qcow2 v3 2 MiB clusters',
    qemuFormat: 'qcow2',
    args: ['-o', 'compat=1.1,cluster_size=2M'],
    format: 'qcow2',
    description: /v3 \(2 MiB/,
    sparse: true,
  },
  {
    name: 'qcow2 v3 compressed',
    qemuFormat: 'qcow2',
    args: ['-c', '-o', 'compat=1.1'],
    format: 'qcow2',
    description: /v3/,
    sparse: true,
  },
  {
    name: 'qcow2 v3 compressed 4 KiB',
    qemuFormat: 'qcow2',
    args: ['-c', '-o', 'compat=1.1,cluster_size=4096'],
    format: 'qcow2',
    description: /v3/,
    sparse: true,
  },
  {
    name: 'qcow2 v2 compressed 2 MiB',
    qemuFormat: 'qcow2',
    args: ['-c', '-o', 'compat=0.10,cluster_size=2M'],
    format: 'qcow2',
    description: /v2/,
    sparse: true,
  },
  {
    name: 'VHD fixed (CHS size)',
    qemuFormat: 'vpc',
    args: ['-o', 'subformat=fixed'],
    format: 'vhd-fixed',
    description: /VHD fixed/,
    sparse: false,
  },
  {
    name: 'VHD fixed (force_size)',
    qemuFormat: 'vpc',
    args: ['-o', 'subformat=fixed,force_size=on'],
    format: 'vhd-fixed',
    description: /VHD fixed/,
    sparse: false,
  },
  {
    name: 'VHD dynamic (force_size)',
    qemuFormat: 'vpc',
    args: ['-o', 'subformat=dynamic,force_size=on'],
    format: 'vhd-dynamic',
    description: /VHD dynamic \(2 MiB/,
    sparse: true,
  },
  {
    name: 'VHD dynamic (CHS size)',
    qemuFormat: 'vpc',
    args: ['-o', 'subformat=dynamic'],
    format: 'vhd-dynamic',
    description: /VHD dynamic/,
    sparse: true,
  },
];

let dir: string;
let cleanup: () => Promise<void>;
let source: string;

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir('readers'));
  source = join(dir, 'source.img');
  await writeRawDisk(source, SIZE, REGIONS);
});
afterAll(async () => cleanup?.());

/** extents() must tile [0, virtualSize) in order, without gaps, with neighbours of different kinds. */
function checkTiling(extents: Extent[], virtualSize: number): void {
  let expected = 0;
  for (const [index, extent] of extents.entries()) {
    expect(extent.offset).toBe(expected);
    expect(extent.length).toBeGreaterThan(0);
    if (index > 0) expect(extent.allocated).not.toBe(extents[index - 1].allocated);
    expected += extent.length;
  }
  expect(expected).toBe(virtualSize);
}

async function readAll(reader: DiskReader, offset: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length, 0x5a);
  const placed = await reader.read(offset, buffer);
  return buffer.subarray(0, placed);
}

describe.each(VARIANTS)('$name', (variant) => {
  let image: string;
  let reference: Buffer;

  beforeAll(async () => {
    image = join(
      dir,
      `${variant.name.replace(/\W+/g, '_')}.${variant.qemuFormat === 'vpc' ? 'vhd' : variant.qemuFormat}`,
    );
    if (variant.qemuFormat === 'raw') image = source;
    else await run('qemu-img', ['convert', '-f', 'raw', '-O', variant.qemuFormat, ...variant.args, source, image]);
    const referencePath = `${image}.reference.raw`;
    await qemuToRaw(image, variant.qemuFormat, referencePath);
    reference = await readFile(referencePath);
  });

  it('is probed with the format and virtual size qemu-img reports', async () => {
    const info = JSON.parse(await run('qemu-img', ['info', '--output=json', '-f', variant.qemuFormat, image])) as {
      'virtual-size': number;
    };
    const probe = await probeImage(image);
    expect(probe.format).toBe(variant.format);
    expect(probe.description).toMatch(variant.description);
    expect(probe.virtualSize).toBe(info['virtual-size']);
    expect(probe.virtualSize).toBe(reference.length);
    expect(probe.allocatedSize).toBeGreaterThan(0);
    expect(probe.allocatedSize).toBeLessThanOrEqual(probe.virtualSize);
    expect(probe.problems.filter((problem) => problem.severity === 'error')).toEqual([]);
  });

  it('hashes to the SHA-256 of qemu-img convert -O raw', async () => {
    const reader = await openDiskReader(image);
    try {
      expect(reader.format).toBe(variant.format);
      expect(reader.virtualSize).toBe(reference.length);
      const progress: number[] = [];
      const digest = await hashVirtualContent(reader, undefined, (p) => progress.push(p.bytesDone));
      expect(digest).toBe(await sha256File(`${image}.reference.raw`));
      expect(progress.at(-1)).toBe(reader.virtualSize);
    } finally {
      await reader.close();
    }
  });

  it('describes holes the way qemu-img map does and holes read as zeros', async () => {
    const reader = await openDiskReader(image);
    try {
      const extents = await collectExtents(reader);
      checkTiling(extents, reader.virtualSize);
      for (const extent of extents.filter((e) => !e.allocated)) {
        expect(reference.subarray(extent.offset, extent.offset + extent.length).every((byte) => byte === 0)).toBe(true);
      }
      // Every written region of the source lies in allocated extents.
      for (const region of REGIONS) {
        if (region.offset >= reader.virtualSize) continue;
        for (const extent of extents.filter((e) => !e.allocated)) {
          const overlap =
            region.offset < extent.offset + extent.length && extent.offset < region.offset + region.length;
          expect(overlap).toBe(false);
        }
      }
      if (variant.sparse) {
        const allocated = extents.filter((e) => e.allocated).map((e) => [e.offset, e.offset + e.length]);
        expect(allocated).toEqual(await qemuDataRanges(image, variant.qemuFormat));
        expect(extents.some((e) => !e.allocated)).toBe(true);
      }
    } finally {
      await reader.close();
    }
  });

  it('reads unaligned ranges, concurrently, exactly like qemu-img', async () => {
    const reader = await openDiskReader(image);
    try {
      const size = reader.virtualSize;
      const ranges: Array<[number, number]> = [
        [0, 1],
        [511, 2],
        [512 * 1024 - 100, 200_000],
        [2 * MiB - 1, 300 * 1024 + 2],
        [4 * MiB, 4096],
        [5 * MiB - 1001, 3002],
        [size - 3000, 3000],
        [size - 1, 1],
        [size - 100, 4096], // clipped at the end of the disk
        [0, size],
      ];
      let seed = 7;
      for (let i = 0; i < 30; i += 1) {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        const offset = seed % size;
        ranges.push([offset, 1 + (seed % 500_000)]);
      }
      const results = await Promise.all(ranges.map(([offset, length]) => readAll(reader, offset, length)));
      for (const [index, [offset, length]] of ranges.entries()) {
        const expected = reference.subarray(offset, Math.min(size, offset + length));
        expect(results[index].length).toBe(expected.length);
        expect(results[index].equals(expected)).toBe(true);
      }
      await expect(reader.read(size, Buffer.alloc(1))).rejects.toMatchObject({ code: 'IMAGE_READ_OUT_OF_RANGE' });
      await expect(reader.read(-1, Buffer.alloc(1))).rejects.toMatchObject({ code: 'IMAGE_READ_OUT_OF_RANGE' });
    } finally {
      await reader.close();
    }
  });
});

describe('special layouts', () => {
  it('treats qcow2 v3 zero clusters as holes that read as zeros', async () => {
    const image = join(dir, 'zero-clusters.qcow2');
    await run('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', '-o', 'compat=1.1', source, image]);
    await run('qemu-io', ['-f', 'qcow2', '-c', 'write -z 0 256k', '-c', 'write -z -u 3M 128k', image]);
    await qemuToRaw(image, 'qcow2', `${image}.raw`);
    const reference = await readFile(`${image}.raw`);
    expect(reference.subarray(0, 256 * 1024).every((byte) => byte === 0)).toBe(true);
    const reader = await openDiskReader(image);
    try {
      const extents = await collectExtents(reader);
      checkTiling(extents, SIZE);
      expect(extents[0]).toEqual({ offset: 0, length: 256 * 1024, allocated: false });
      const allocated = extents.filter((e) => e.allocated).map((e) => [e.offset, e.offset + e.length]);
      expect(allocated).toEqual(await qemuDataRanges(image, 'qcow2'));
      expect(await hashVirtualContent(reader)).toBe(await sha256File(`${image}.raw`));
    } finally {
      await reader.close();
    }
  });

  it('reads the current state of a qcow2 with internal snapshots and warns about them', async () => {
    const image = join(dir, 'snapshots.qcow2');
    await run('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', source, image]);
    await run('qemu-img', ['snapshot', '-c', 'before', image]);
    // Overwrites after the snapshot are copied on write: the active L1 differs from the snapshot's.
    await run('qemu-io', ['-f', 'qcow2', '-c', 'write -P 0x99 0 128k', '-c', 'write -P 0x98 3M 64k', image]);
    await qemuToRaw(image, 'qcow2', `${image}.raw`);
    const probe = await probeImage(image);
    expect(probe.problems.map((problem) => [problem.code, problem.severity])).toEqual([['QCOW2_SNAPSHOTS', 'warning']]);
    const reader = await openDiskReader(image);
    try {
      expect(await hashVirtualContent(reader)).toBe(await sha256File(`${image}.raw`));
      const first = Buffer.alloc(128 * 1024);
      await reader.read(0, first);
      expect(first.every((byte) => byte === 0x99)).toBe(true);
    } finally {
      await reader.close();
    }
  });

  it('reads a preallocated qcow2 (metadata preallocation) as holes', async () => {
    const image = join(dir, 'prealloc.qcow2');
    await run('qemu-img', ['create', '-f', 'qcow2', '-o', 'preallocation=metadata', image, '8M']);
    await run('qemu-io', ['-f', 'qcow2', '-c', 'write -P 0x6c 1M 64k', image]);
    await qemuToRaw(image, 'qcow2', `${image}.raw`);
    const reader = await openDiskReader(image);
    try {
      expect(await hashVirtualContent(reader)).toBe(await sha256File(`${image}.raw`));
      const data = Buffer.alloc(64 * 1024);
      await reader.read(MiB, data);
      expect(data.every((byte) => byte === 0x6c)).toBe(true);
    } finally {
      await reader.close();
    }
  });

  it('probes a large sparse qcow2 quickly and reads its far data', async () => {
    const image = join(dir, 'sparse-large.qcow2');
    await run('qemu-img', ['create', '-f', 'qcow2', image, '40G']);
    await run('qemu-io', ['-f', 'qcow2', '-c', 'write -P 0x3c 30G 128k', image]);
    const probe = await probeImage(image, { target: 'vpc' });
    expect(probe.virtualSize).toBe(40 * 1024 ** 3);
    expect(probe.allocatedSize).toBe(128 * 1024);
    expect(probe.problems).toEqual([]);
    const reader = await openDiskReader(image, { expected: probe });
    try {
      const extents = await collectExtents(reader);
      expect(extents).toEqual([
        { offset: 0, length: 30 * 1024 ** 3, allocated: false },
        { offset: 30 * 1024 ** 3, length: 128 * 1024, allocated: true },
        { offset: 30 * 1024 ** 3 + 128 * 1024, length: 10 * 1024 ** 3 - 128 * 1024, allocated: false },
      ]);
      const data = Buffer.alloc(256 * 1024);
      await reader.read(30 * 1024 ** 3 - 64 * 1024, data);
      expect(data.subarray(0, 64 * 1024).every((byte) => byte === 0)).toBe(true);
      expect(data.subarray(64 * 1024, 192 * 1024).every((byte) => byte === 0x3c)).toBe(true);
      expect(data.subarray(192 * 1024).every((byte) => byte === 0)).toBe(true);
    } finally {
      await reader.close();
    }
  });

  it('reads VHD sectors whose bitmap bit is clear as zeros', async () => {
    const vectors = '/work/shared/vectors/vhd-util';
    const vhd = await readFile(join(vectors, 'src.vhd'));
    const expected = await readFile(join(vectors, 'src.raw'));
    const batOffset = Number(vhd.readBigUInt64BE(512 + 16));
    const block0 = vhd.readUInt32BE(batOffset) * 512;
    const block2 = vhd.readUInt32BE(batOffset + 8) * 512;
    vhd[block0] = 0x7f; // sector 0 not present
    vhd[block0 + 1] = 0xf0; // sectors 12–15 not present
    vhd.fill(0, block2, block2 + 512); // nothing of block 2 present
    expected.fill(0, 0, 512);
    expected.fill(0, 12 * 512, 16 * 512);
    expected.fill(0, 4 * MiB, 6 * MiB);
    const path = join(dir, 'partial-bitmap.vhd');
    await writeFile(path, vhd);
    const reader = await openDiskReader(path);
    try {
      expect(await hashVirtualContent(reader)).toBe(createHash('sha256').update(expected).digest('hex'));
      const piece = Buffer.alloc(5000);
      await reader.read(5000, piece);
      expect(piece.equals(expected.subarray(5000, 10_000))).toBe(true);
    } finally {
      await reader.close();
    }
  });

  it('reads the vhd-util reference VHD as exactly src.raw', async () => {
    const vectors = '/work/shared/vectors/vhd-util';
    const probe = await probeImage(join(vectors, 'src.vhd'));
    expect(probe).toMatchObject({ format: 'vhd-dynamic', virtualSize: 6 * MiB, allocatedSize: 4 * MiB });
    const reader = await openDiskReader(join(vectors, 'src.vhd'));
    try {
      expect(await hashVirtualContent(reader)).toBe(await sha256File(join(vectors, 'src.raw')));
      expect(await collectExtents(reader)).toEqual([
        { offset: 0, length: 2 * MiB, allocated: true },
        { offset: 2 * MiB, length: 2 * MiB, allocated: false },
        { offset: 4 * MiB, length: 2 * MiB, allocated: true },
      ]);
    } finally {
      await reader.close();
    }
  });
});

describe('target requirements', () => {
  it('warns that vpc rounds small disks up to 10 GB and flags upper-case extensions', async () => {
    const image = join(dir, 'small.QCOW2');
    await run('qemu-img', ['create', '-f', 'qcow2', image, '1G']);
    const probe = await probeImage(image, { target: 'vpc' });
    const codes = probe.problems.map((problem) => [problem.code, problem.severity]);
    expect(codes).toContainEqual(['TOO_SMALL', 'warning']);
    expect(codes).toContainEqual(['UPPERCASE_EXTENSION', 'warning']);
    expect(probe.problems.find((problem) => problem.code === 'TOO_SMALL')?.message).toMatch(
      /will be rounded up to 10 GB/,
    );
  });

  it('refuses disks over the target maximum and names the classic VHD convention', async () => {
    const image = join(dir, 'huge.qcow2');
    await run('qemu-img', ['create', '-f', 'qcow2', image, '120G']);
    const classic = await probeImage(image, { target: 'classic-vhd' });
    expect(classic.problems.map((problem) => [problem.code, problem.severity])).toEqual([
      ['TOO_LARGE', 'error'],
      ['VHD_NAME', 'warning'],
    ]);
    const vpc = await probeImage(image, { target: 'vpc' });
    expect(vpc.problems).toEqual([]);
    const named = join(dir, 'disk.vhd-0.vhd');
    await run('qemu-img', ['create', '-f', 'vpc', '-o', 'subformat=dynamic,force_size=on', named, '64M']);
    expect((await probeImage(named, { target: 'classic-vhd' })).problems).toEqual([]);
  });

  it('reads other formats through qemu-img info and refuses to open them natively', async () => {
    const image = join(dir, 'disk.vmdk');
    await run('qemu-img', ['convert', '-f', 'raw', '-O', 'vmdk', source, image]);
    const probe = await probeImage(image);
    expect(probe.format).toBe('other');
    expect(probe.description).toMatch(/vmdk/);
    expect(probe.virtualSize).toBe(SIZE);
    expect(probe.problems.map((problem) => problem.code)).toContain('READ_THROUGH_QEMU_IMG');
    await expect(openDiskReader(image)).rejects.toMatchObject({ code: 'IMAGE_UNSUPPORTED_FORMAT' });
  });
});
