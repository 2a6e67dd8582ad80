import { appendFile, chmod, mkdir, readFile, symlink, truncate, utimes, writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../../../main/common/errors';
import { hashVirtualContent, openDiskReader, probeImage } from '../../../main/image';
import { expectAppError, makeTempDir, run, writeRawDisk } from './image-fixtures';
import { fixVhdChecksum, mapQcow2, patch, probeAndRead, truncated, type Qcow2Map } from './hostile-corpus';

const MiB = 1024 * 1024;

interface Bases {
  q3: Buffer; // qcow2 v3, 4 KiB clusters, 8 MiB, data under L1 entries 0, 1 and 3
  q3map: Qcow2Map;
  q2: Buffer; // qcow2 v2, 64 KiB clusters
  q2map: Qcow2Map;
  qc: Buffer; // compressed qcow2 v3, 4 KiB clusters
  qcmap: Qcow2Map;
  vd: Buffer; // dynamic VHD, 6 MiB, blocks 0 and 2 allocated
  vdBat: number;
  vf: Buffer; // fixed VHD, 1 MiB
}

let dir: string;
let cleanup: () => Promise<void>;
let bases: Bases;
let counter = 0;

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir('hostile'));
  const source = join(dir, 'source.img');
  await writeRawDisk(source, 8 * MiB, [
    { offset: 0, length: 64 * 1024, kind: 'text' },
    { offset: 2 * MiB, length: 64 * 1024, kind: 'random' },
    { offset: 6 * MiB + 4096, length: 8192, kind: 'text' },
  ]);
  const small = join(dir, 'small.img');
  await writeRawDisk(small, 6 * MiB, [
    { offset: 0, length: 100_000, kind: 'random' },
    { offset: 4 * MiB + 512, length: 4096, kind: 'text' },
  ]);
  const convert = async (input: string, name: string, args: string[]) => {
    const out = join(dir, name);
    await run('qemu-img', ['convert', '-f', 'raw', ...args, input, out]);
    return readFile(out);
  };
  const q3 = await convert(source, 'base3.qcow2', ['-O', 'qcow2', '-o', 'compat=1.1,cluster_size=4096']);
  const q2 = await convert(source, 'base2.qcow2', ['-O', 'qcow2', '-o', 'compat=0.10']);
  const qc = await convert(source, 'basec.qcow2', ['-c', '-O', 'qcow2', '-o', 'compat=1.1,cluster_size=4096']);
  const vd = await convert(small, 'based.vhd', ['-O', 'vpc', '-o', 'subformat=dynamic,force_size=on']);
  await writeRawDisk(small, MiB, [{ offset: 1000, length: 5000, kind: 'random' }]);
  const vf = await convert(small, 'basef.vhd', ['-O', 'vpc', '-o', 'subformat=fixed,force_size=on']);
  bases = {
    q3,
    q3map: mapQcow2(q3),
    q2,
    q2map: mapQcow2(q2),
    qc,
    qcmap: mapQcow2(qc),
    vd,
    vdBat: Number(vd.readBigUInt64BE(512 + 16)),
    vf,
  };
  // The corpus below relies on these shapes; fail loudly if qemu-img ever lays files out differently.
  expect(bases.q3map.l2Offsets.length).toBe(3);
  expect(bases.q3map.headerLength).toBe(112);
  expect(bases.qcmap.compressedEntries.length).toBeGreaterThan(2);
  expect(vd.readUInt32BE(bases.vdBat + 4)).toBe(0xffffffff);
}, 60_000);
afterAll(async () => cleanup?.());

async function writeCase(bytes: Buffer, extension: string): Promise<string> {
  counter += 1;
  const path = join(dir, `case-${counter}${extension}`);
  await writeFile(path, bytes);
  return path;
}

/** The file must be refused with one of `codes`, quickly, by probe or by opening and reading it. */
async function expectRefused(bytes: Buffer, extension: string, codes: string[]): Promise<string> {
  const path = await writeCase(bytes, extension);
  const outcome = await probeAndRead(path);
  if (outcome.ok)
    throw new Error(`${path} was accepted (virtual size ${outcome.virtualSize}); expected ${codes.join('|')}`);
  if (!isAppError(outcome.error))
    throw new Error(`${path} failed with a non-AppError: ${String(outcome.error)}`, { cause: outcome.error });
  expect(codes, `${outcome.error.code}: ${outcome.error.message}`).toContain(outcome.error.code);
  return outcome.error.message;
}

async function retry<T>(attempts: number, action: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await action();
    } catch (error) {
      if (attempt >= attempts) throw error;
    }
  }
}

const QCOW = ['.qcow2'];
const T = 'IMAGE_TRUNCATED';
const C = 'IMAGE_CORRUPT';
const U = 'IMAGE_UNSUPPORTED_FORMAT';

describe('hostile qcow2', () => {
  it('refuses truncation at every structural boundary', async () => {
    const { q3, q3map } = bases;
    const cuts = [4, 50, 71, 100, q3map.l1Offset, q3map.l1Offset + 8];
    for (const l2 of q3map.l2Offsets) cuts.push(l2, l2 + 100);
    for (const { host } of q3map.dataEntries.filter((_, i) => i % 7 === 0)) cuts.push(host + 100);
    cuts.push(Math.max(...q3map.dataEntries.map((e) => e.host)) + 1);
    for (const cut of cuts) {
      const message = await expectRefused(truncated(q3, cut), QCOW[0], [T]);
      expect(message).toMatch(/incomplete|ends before/);
    }
  });

  it('refuses truncated compressed data and truncated v2 images', async () => {
    const { qc, qcmap, q2, q2map } = bases;
    const last = qcmap.compressedEntries.reduce((a, b) => (a.host > b.host ? a : b));
    await expectRefused(truncated(qc, last.host - 10), '.qcow2', [T]);
    await expectRefused(truncated(q2, q2map.l2Offsets[0] + 16), '.qcow2', [T]);
    await expectRefused(truncated(q2, q2map.dataEntries[0].host + 10), '.qcow2', [T]);
  });

  it('refuses wrong magics and unknown versions', async () => {
    const { q3 } = bases;
    await expectRefused(
      patch(q3, (b) => b.writeUInt8(0xfc, 3)),
      '.qcow2',
      ['IMAGE_BAD_MAGIC'],
    );
    await expectRefused(
      patch(q3, (b) => b.writeUInt32BE(4, 4)),
      '.qcow2',
      [U],
    );
    await expectRefused(
      patch(q3, (b) => b.writeUInt32BE(0, 4)),
      '.qcow2',
      [U],
    );
    // version 1 goes to qemu-img, which refuses the v3 body.
    await expectRefused(
      patch(q3, (b) => b.writeUInt32BE(1, 4)),
      '.qcow2',
      [C, U],
    );
  });

  it('refuses absurd header fields', async () => {
    const { q3, q3map } = bases;
    const cases: Array<[string, (b: Buffer) => void, string[]]> = [
      ['cluster_bits 8', (b) => b.writeUInt32BE(8, 20), [C]],
      ['cluster_bits 22', (b) => b.writeUInt32BE(22, 20), [C]],
      ['cluster_bits huge', (b) => b.writeUInt32BE(0xffffffff, 20), [C]],
      ['size 2^63', (b) => b.writeBigUInt64BE(1n << 63n, 24), [C]],
      ['size beyond L1', (b) => b.writeBigUInt64BE(1n << 40n, 24), [C]],
      ['l1_size huge', (b) => b.writeUInt32BE(0xffffffff, 36), [C]],
      ['l1_size 0', (b) => b.writeUInt32BE(0, 36), [C]],
      ['l1 misaligned', (b) => b.writeBigUInt64BE(BigInt(q3map.l1Offset + 8), 40), [C]],
      ['l1 past EOF', (b) => b.writeBigUInt64BE(1n << 40n, 40), [T]],
      ['l1 in header', (b) => b.writeBigUInt64BE(0n, 40), [C]],
      ['refcount clusters huge', (b) => b.writeUInt32BE(0xffffffff, 56), [C]],
      ['refcount clusters 0', (b) => b.writeUInt32BE(0, 56), [C]],
      ['refcount misaligned', (b) => b.writeBigUInt64BE(BigInt(q3map.refcountTableOffset + 1), 48), [C]],
      ['refcount past EOF', (b) => b.writeBigUInt64BE(1n << 44n, 48), [T]],
      ['refcount overlaps L1', (b) => b.writeBigUInt64BE(BigInt(q3map.l1Offset), 48), [C]],
      ['refcount_order 7', (b) => b.writeUInt32BE(7, 96), [C]],
      ['header_length 7', (b) => b.writeUInt32BE(7, 100), [C]],
      ['header_length > cluster', (b) => b.writeUInt32BE(8192, 100), [C]],
      ['snapshots absurd', (b) => b.writeUInt32BE(0xffffffff, 60), [C]],
      ['snapshot table past EOF', (b) => (b.writeUInt32BE(1, 60), b.writeBigUInt64BE(1n << 40n, 64)), [T]],
      ['header extension overruns', (b) => (b.writeUInt32BE(0x12345678, 112), b.writeUInt32BE(0xfffffff0, 116)), [C]],
    ];
    for (const [name, edit, codes] of cases) {
      const message = await expectRefused(patch(q3, edit), '.qcow2', codes).catch((error: Error) => {
        throw new Error(`${name}: ${error.message}`);
      });
      expect(message.length).toBeGreaterThan(20);
    }
  });

  it('refuses unknown or unsupported incompatible features and bad compression types', async () => {
    const { q3, qc } = bases;
    await expectRefused(
      patch(q3, (b) => b.writeBigUInt64BE(1n << 10n, 72)),
      '.qcow2',
      [U],
    );
    await expectRefused(
      patch(q3, (b) => b.writeBigUInt64BE(1n << 4n, 72)),
      '.qcow2',
      [U],
    );
    await expectRefused(
      patch(q3, (b) => b.writeBigUInt64BE(1n << 2n, 72)),
      '.qcow2',
      [U],
    );
    const zstd = await expectRefused(
      patch(qc, (b) => (b.writeBigUInt64BE(1n << 3n, 72), b.writeUInt8(1, 104))),
      '.qcow2',
      [U],
    );
    expect(zstd).toMatch(/zstd/);
    // Real qemu-img images with features the native reader leaves out.
    const zstdEmpty = join(dir, 'zstd-empty.qcow2');
    await run('qemu-img', ['create', '-f', 'qcow2', '-o', 'compression_type=zstd', zstdEmpty, '1M']);
    await run('qemu-io', ['-f', 'qcow2', '-c', 'write -P 0x42 0 64k', zstdEmpty]);
    expect(await probeImage(zstdEmpty)).toMatchObject({ format: 'qcow2', allocatedSize: 65536 });
    const zstdCompressed = join(dir, 'zstd-compressed.qcow2');
    await run('qemu-img', ['convert', '-c', '-O', 'qcow2', '-o', 'compression_type=zstd', zstdEmpty, zstdCompressed]);
    expect(await expectAppError(() => probeImage(zstdCompressed), [U])).toMatchObject({
      message: expect.stringMatching(/zstd/),
    });
    const extended = join(dir, 'extended-l2.qcow2');
    await run('qemu-img', ['create', '-f', 'qcow2', '-o', 'extended_l2=on', extended, '1M']);
    expect(await expectAppError(() => probeImage(extended), [U])).toMatchObject({
      message: expect.stringMatching(/subclusters/),
    });
    const external = join(dir, 'external.qcow2');
    await run('qemu-img', [
      'create',
      '-f',
      'qcow2',
      '-o',
      `data_file=${join(dir, 'external-data.raw')}`,
      external,
      '1M',
    ]);
    expect(await expectAppError(() => probeImage(external), [U])).toMatchObject({
      message: expect.stringMatching(/external/),
    });
    await expectRefused(
      patch(qc, (b) => (b.writeBigUInt64BE(1n << 3n, 72), b.writeUInt8(9, 104))),
      '.qcow2',
      [C],
    );
    await expectRefused(
      patch(qc, (b) => b.writeUInt8(9, 104)),
      '.qcow2',
      [C],
    );
    await expectRefused(
      patch(qc, (b) => b.writeBigUInt64BE(1n << 3n, 72)),
      '.qcow2',
      [C],
    );
  });

  it('refuses encrypted images and images with backing files', async () => {
    const { q3 } = bases;
    await expectRefused(
      patch(q3, (b) => b.writeUInt32BE(1, 32)),
      '.qcow2',
      ['IMAGE_ALREADY_ENCRYPTED'],
    );
    await expectRefused(
      patch(q3, (b) => b.writeUInt32BE(2, 32)),
      '.qcow2',
      ['IMAGE_ALREADY_ENCRYPTED'],
    );
    // A crypto header extension alone is enough.
    await expectRefused(
      patch(q3, (b) => (b.writeUInt32BE(0x0537be77, 112), b.writeUInt32BE(16, 116), b.writeUInt32BE(0, 136))),
      '.qcow2',
      ['IMAGE_ALREADY_ENCRYPTED'],
    );
    const luks = join(dir, 'luks.qcow2');
    // Debian's qemu-img 7.2 sometimes fails LUKS creation ("Unable to get accurate CPU usage"): retry.
    await retry(3, () =>
      run('qemu-img', [
        'create',
        '--object',
        'secret,id=s,data=test-only-secret',
        '-f',
        'qcow2',
        '-o',
        'encrypt.format=luks,encrypt.key-secret=s,encrypt.iter-time=10',
        luks,
        '4M',
      ]),
    );
    const refusal = await expectAppError(() => probeImage(luks), ['IMAGE_ALREADY_ENCRYPTED']);
    expect(refusal.message).toMatch(/already encrypted/);
    await expectAppError(() => openDiskReader(luks), ['IMAGE_ALREADY_ENCRYPTED']);

    const overlay = join(dir, 'overlay.qcow2');
    await run('qemu-img', ['create', '-f', 'qcow2', '-b', join(dir, 'base3.qcow2'), '-F', 'qcow2', overlay]);
    const backing = await expectAppError(() => probeImage(overlay), ['IMAGE_BACKING_FILE']);
    expect(backing.message).toMatch(/base3\.qcow2/);
    await expectRefused(
      patch(q3, (b) => (b.writeBigUInt64BE(3000n, 8), b.writeUInt32BE(4, 16))),
      '.qcow2',
      ['IMAGE_BACKING_FILE'],
    );
  });

  it('refuses L1 and L2 entries that point past EOF, misaligned, into metadata or in loops', async () => {
    const { q3, q3map, qc, qcmap } = bases;
    const l1 = q3map.l1Offset;
    const first = q3map.l2Offsets[0];
    const entry = q3map.dataEntries[3].entryAt;
    const cases: Array<[string, Buffer, string[]]> = [
      ['L1 past EOF', patch(q3, (b) => b.writeBigUInt64BE((1n << 40n) | (1n << 63n), l1)), [T]],
      ['L1 misaligned', patch(q3, (b) => b.writeBigUInt64BE(BigInt(first + 512), l1)), [C]],
      ['L1 to the L1 table', patch(q3, (b) => b.writeBigUInt64BE(BigInt(l1), l1)), [C]],
      ['L1 to the refcount table', patch(q3, (b) => b.writeBigUInt64BE(BigInt(q3map.refcountTableOffset), l1)), [C]],
      ['two L1 entries share an L2 table', patch(q3, (b) => b.writeBigUInt64BE(BigInt(first), l1 + 8)), [C]],
      ['L2 entry past EOF', patch(q3, (b) => b.writeBigUInt64BE(1n << 45n, entry)), [T]],
      [
        'L2 entry misaligned',
        patch(q3, (b) => b.writeBigUInt64BE(BigInt(q3map.dataEntries[3].host + 512), entry)),
        [C],
      ],
      ['L2 entry to its own table (loop)', patch(q3, (b) => b.writeBigUInt64BE(BigInt(first), entry)), [C]],
      ['L2 entry to the L1 table', patch(q3, (b) => b.writeBigUInt64BE(BigInt(l1), entry)), [C]],
      [
        'L2 entry to the refcount table',
        patch(q3, (b) => b.writeBigUInt64BE(BigInt(q3map.refcountTableOffset), entry)),
        [C],
      ],
      [
        'compressed entry past EOF',
        patch(qc, (b) => b.writeBigUInt64BE((1n << 62n) | (1n << 40n), qcmap.compressedEntries[1].entryAt)),
        [T],
      ],
      [
        'compressed entry into the header',
        patch(qc, (b) => b.writeBigUInt64BE((1n << 62n) | 100n, qcmap.compressedEntries[1].entryAt)),
        [C],
      ],
      [
        'compressed entry onto an L2 table',
        patch(qc, (b) =>
          b.writeBigUInt64BE((1n << 62n) | BigInt(qcmap.l2Offsets[0] + 8), qcmap.compressedEntries[1].entryAt),
        ),
        [C],
      ],
      [
        'compressed cluster with garbage data',
        patch(qc, (b) => b.fill(0xff, qcmap.compressedEntries[1].host, qcmap.compressedEntries[1].host + 64)),
        [C],
      ],
    ];
    for (const [name, bytes, codes] of cases) {
      await expectRefused(bytes, '.qcow2', codes).catch((error: Error) => {
        throw new Error(`${name}: ${error.message}`);
      });
    }
  });

  it('reads dirty and corrupt-flagged images but says so', async () => {
    const dirty = await writeCase(
      patch(bases.q3, (b) => b.writeBigUInt64BE(1n, 72)),
      '.qcow2',
    );
    expect((await probeImage(dirty)).problems.map((p) => [p.code, p.severity])).toEqual([['QCOW2_DIRTY', 'warning']]);
    const flagged = await writeCase(
      patch(bases.q3, (b) => b.writeBigUInt64BE(2n, 72)),
      '.qcow2',
    );
    expect((await probeImage(flagged)).problems.map((p) => [p.code, p.severity])).toEqual([
      ['QCOW2_MARKED_CORRUPT', 'error'],
    ]);
  });
});

describe('hostile VHD', () => {
  it('refuses truncation at every structural boundary of a dynamic VHD', async () => {
    const { vd, vdBat } = bases;
    const firstBlock = vd.readUInt32BE(vdBat) * 512;
    for (const cut of [
      100,
      511,
      600,
      1536,
      vdBat + 2,
      firstBlock + 100,
      firstBlock + MiB,
      vd.length - 512,
      vd.length - 1,
    ]) {
      await expectRefused(truncated(vd, cut), '.vhd', [T]);
    }
  });

  it('refuses bad checksums, bad BAT entries and fixed/dynamic mismatches', async () => {
    const { vd, vdBat, vf } = bases;
    const end = vd.length - 512;
    const cases: Array<[string, Buffer, string, string[]]> = [
      ['start footer checksum', patch(vd, (b) => (b[100] ^= 1)), '.vhd', [C]],
      ['end footer checksum', patch(vd, (b) => (b[end + 100] ^= 1)), '.vhd', [C]],
      ['dynamic header checksum', patch(vd, (b) => (b[512 + 100] ^= 1)), '.vhd', [C]],
      [
        'dynamic header cookie',
        patch(vd, (b) => (b.write('xxsparse', 512, 'latin1'), fixVhdChecksum(b, 512, 1024))),
        '.vhd',
        [C],
      ],
      ['BAT entry far past EOF', patch(vd, (b) => b.writeUInt32BE(0xfffffffe, vdBat)), '.vhd', [C]],
      ['BAT entry just past the data', patch(vd, (b) => b.writeUInt32BE(end / 512 - 10, vdBat)), '.vhd', [C]],
      ['BAT entry onto the header', patch(vd, (b) => b.writeUInt32BE(1, vdBat)), '.vhd', [C]],
      [
        'two BAT entries share a block',
        patch(vd, (b) => b.writeUInt32BE(b.readUInt32BE(vdBat), vdBat + 8)),
        '.vhd',
        [C],
      ],
      ['block size 0', patch(vd, (b) => (b.writeUInt32BE(0, 512 + 32), fixVhdChecksum(b, 512, 1024))), '.vhd', [C]],
      [
        'block size not a power of two',
        patch(vd, (b) => (b.writeUInt32BE(3 * 512, 512 + 32), fixVhdChecksum(b, 512, 1024))),
        '.vhd',
        [C],
      ],
      [
        'block size 2 GiB',
        patch(vd, (b) => (b.writeUInt32BE(0x80000000, 512 + 32), fixVhdChecksum(b, 512, 1024))),
        '.vhd',
        [C],
      ],
      ['BAT too small', patch(vd, (b) => (b.writeUInt32BE(1, 512 + 28), fixVhdChecksum(b, 512, 1024))), '.vhd', [C]],
      [
        'BAT offset past EOF',
        patch(vd, (b) => (b.writeBigUInt64BE(1n << 40n, 512 + 16), fixVhdChecksum(b, 512, 1024))),
        '.vhd',
        [T],
      ],
      [
        'dynamic header offset absurd',
        patch(vd, (b) => (b.writeBigUInt64BE(1n << 60n, 16), fixVhdChecksum(b, 0, 512))),
        '.vhd',
        [C],
      ],
      [
        'footer copies disagree',
        patch(vd, (b) => (b.writeBigUInt64BE(BigInt(4 * MiB), end + 48), fixVhdChecksum(b, end, 512))),
        '.vhd',
        [C],
      ],
      ['start copy says fixed', patch(vd, (b) => (b.writeUInt32BE(2, 60), fixVhdChecksum(b, 0, 512))), '.vhd', [C]],
      ['disk type 7', patch(vd, (b) => (b.writeUInt32BE(7, 60), fixVhdChecksum(b, 0, 512))), '.vhd', [C]],
      ['footer version 2', patch(vd, (b) => (b.writeUInt32BE(0x00020000, 12), fixVhdChecksum(b, 0, 512))), '.vhd', [U]],
      [
        'disk size absurd',
        patch(vd, (b) => {
          for (const at of [0, end]) {
            b.writeBigUInt64BE(1n << 52n, at + 48);
            fixVhdChecksum(b, at, 512);
          }
        }),
        '.vhd',
        [C],
      ],
      [
        'differencing',
        patch(vd, (b) => {
          for (const at of [0, end]) {
            b.writeUInt32BE(4, at + 60);
            fixVhdChecksum(b, at, 512);
          }
        }),
        '.vhd',
        ['IMAGE_BACKING_FILE'],
      ],
      ['fixed footer checksum', patch(vf, (b) => (b[vf.length - 512 + 100] ^= 1)), '.vhd', [C]],
      [
        'fixed footer says dynamic',
        patch(vf, (b) => (b.writeUInt32BE(3, vf.length - 512 + 60), fixVhdChecksum(b, vf.length - 512, 512))),
        '.vhd',
        [C],
      ],
      [
        'fixed footer larger than data',
        patch(
          vf,
          (b) => (b.writeBigUInt64BE(BigInt(2 * MiB), vf.length - 512 + 48), fixVhdChecksum(b, vf.length - 512, 512)),
        ),
        '.vhd',
        [T],
      ],
      ['fixed VHD cookie broken', patch(vf, (b) => (b[vf.length - 512] = 0x78)), '.vhd', ['IMAGE_BAD_MAGIC']],
      ['fixed VHD cut by a byte', truncated(vf, vf.length - 1), '.vhd', ['IMAGE_BAD_MAGIC', T]],
    ];
    for (const [name, bytes, extension, codes] of cases) {
      await expectRefused(bytes, extension, codes).catch((error: Error) => {
        throw new Error(`${name}: ${error.message}`);
      });
    }
  });

  it('refuses vhd-util encrypted VHDs', async () => {
    for (const name of ['enc256.vhd', 'enc512.vhd']) {
      const error = await expectAppError(
        () => probeImage(`/work/shared/vectors/vhd-util/${name}`),
        ['IMAGE_ALREADY_ENCRYPTED'],
      );
      expect(error.message).toMatch(/vhd-util/);
    }
  });
});

describe('hostile files', () => {
  it('refuses empty files, folders, devices, missing files, archives and LUKS volumes', async () => {
    const empty = join(dir, 'empty.raw');
    await writeFile(empty, '');
    await expectAppError(() => probeImage(empty), ['IMAGE_EMPTY']);
    await expectAppError(() => openDiskReader(empty), ['IMAGE_EMPTY']);
    const folder = join(dir, 'folder.qcow2');
    await mkdir(folder);
    await expectAppError(() => probeImage(folder), ['IMAGE_NOT_A_FILE']);
    const zero = join(dir, 'zero.img');
    await symlink('/dev/zero', zero);
    await expectAppError(() => probeImage(zero), ['IMAGE_NOT_A_FILE']);
    await expectAppError(() => openDiskReader(zero), ['IMAGE_NOT_A_FILE']);
    const loop = join(dir, 'loop.img');
    await symlink(loop, loop);
    await expectAppError(() => probeImage(loop), ['IMAGE_NOT_A_FILE', 'IMAGE_NOT_FOUND', 'IMAGE_UNREADABLE']);
    await expectAppError(() => probeImage(join(dir, 'missing.qcow2')), ['IMAGE_NOT_FOUND']);
    const gz = await writeCase(gzipSync(bases.q3), '.qcow2.gz');
    await expectAppError(() => probeImage(gz), [U]);
    const luks = Buffer.alloc(8192);
    luks.write('LUKS\xba\xbe', 0, 'latin1');
    const luksPath = await writeCase(luks, '.raw');
    await expectAppError(() => probeImage(luksPath), ['IMAGE_ALREADY_ENCRYPTED']);
  });

  it('refuses unreadable files', async (context) => {
    if (process.getuid?.() === 0) {
      context.skip('running as root: chmod 000 does not stop root from reading, so EACCES cannot happen here');
    }
    const locked = await writeCase(bases.q3, '.qcow2');
    await chmod(locked, 0o000);
    await expectAppError(() => probeImage(locked), ['IMAGE_UNREADABLE']);
  });

  it('notices a raw file that grows while it is being hashed', async () => {
    const path = await writeCase(Buffer.alloc(8 * MiB, 1), '.raw');
    const reader = await openDiskReader(path);
    let grown = false;
    await hashVirtualContent(reader, undefined, () => {
      if (!grown) {
        grown = true;
        void appendFile(path, Buffer.alloc(4096, 2));
      }
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(grown).toBe(true);
    const error = await expectAppError(() => reader.close(), ['IMAGE_CHANGED']);
    expect(error.message).toMatch(/changed while it was being read/);
  });

  it('notices a qcow2 rewritten or cut short under an open reader', async () => {
    const path = await writeCase(bases.q3, '.qcow2');
    const probe = await probeImage(path);
    const reader = await openDiskReader(path, { expected: probe });
    await truncate(path, bases.q3map.l2Offsets[1]);
    // Reading into the cut part meets the end of the file and sees that the file changed.
    await expectAppError(() => hashVirtualContent(reader), ['IMAGE_CHANGED']);
    await expectAppError(() => reader.close(), ['IMAGE_CHANGED']);
    await expectAppError(() => reader.read(0, Buffer.alloc(512)), ['IMAGE_CLOSED']);

    await writeFile(path, bases.q3);
    await utimes(path, new Date(), new Date(Date.now() + 5000));
    await expectAppError(() => openDiskReader(path, { expected: probe }), ['IMAGE_CHANGED']);
  });
});
