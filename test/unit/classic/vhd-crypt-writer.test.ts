import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../../../main/common/errors';
import type { Progress } from '../../../main/common/progress';
import {
  BAT_UNUSED,
  parseBat,
  parseFooter,
  parseBatmapHeader,
  formatKeyHash,
} from '../../../main/seal/vhd-crypt-format';
import { openVhdCryptReader } from '../../../main/seal/vhd-crypt-reader';
import { writeVhdCrypt } from '../../../main/seal/vhd-crypt-writer';
import { MemoryDisk } from './memory-disk';
import { KEY256_FILE, KEY512_FILE, KEY_HASH_256, readVector } from './vectors';

const MiB = 1024 * 1024;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vhd-crypt-writer-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function decryptAll(path: string, key: Buffer): Promise<Buffer> {
  const reader = await openVhdCryptReader(path, key);
  try {
    const out = Buffer.alloc(reader.virtualSize);
    await reader.read(0, out);
    return out;
  } finally {
    await reader.close();
  }
}

async function expectRejects(promise: Promise<unknown>, code: string): Promise<void> {
  try {
    await promise;
  } catch (error) {
    expect(isAppError(error, code), `expected ${code}, got ${String(error)}`).toBe(true);
    return;
  }
  throw new Error(`expected AppError ${code}`);
}

describe('writing src.raw with the vectors keys', () => {
  for (const [reference, keyFile] of [
    ['enc256.vhd', KEY256_FILE],
    ['enc512.vhd', KEY512_FILE],
  ] as const) {
    it(`equals ${reference} byte for byte outside vhd-util's stale gaps`, async () => {
      const expected = readVector(reference);
      const refFooter = parseFooter(expected.subarray(0, 512));
      const out = join(dir, `ours-${reference}`);
      const result = await writeVhdCrypt({
        reader: new MemoryDisk(readVector('src.raw')),
        outPath: out,
        key: readVector(keyFile),
        uuid: refFooter.uuid,
        now: new Date(Date.UTC(2000, 0, 1) + refFooter.timestamp * 1000),
      });
      const ours = await readFile(out);
      expect(result.fileSize).toBe(expected.length);
      expect(ours.length).toBe(expected.length);
      expect(result.storedBlocks).toBe(2);
      // vhd-util leaves old footer copies in the alignment gaps; ours are zero. Everything else is identical:
      // footer, header, BAT, batmap header with the key hash, batmap, bitmaps and every encrypted sector.
      const gaps = [
        [0xc00, 0xe00],
        [0x201000, 0x201e00],
      ];
      let position = 0;
      for (const [start, end] of gaps) {
        expect(
          ours.subarray(position, start).equals(expected.subarray(position, start)),
          `bytes ${position}..${start}`,
        ).toBe(true);
        expect(ours.subarray(start, end).equals(Buffer.alloc(end - start)), `gap ${start}..${end}`).toBe(true);
        position = end;
      }
      expect(ours.subarray(position).equals(expected.subarray(position))).toBe(true);
    });
  }

  it('with a fresh UUID and timestamp, keeps the structure and decrypts to src.raw', async () => {
    const out = join(dir, 'fresh.vhd');
    const key = readVector(KEY256_FILE);
    await writeVhdCrypt({ reader: new MemoryDisk(readVector('src.raw')), outPath: out, key });
    const ours = await readFile(out);
    const reference = readVector('enc256.vhd');
    expect(parseFooter(ours.subarray(0, 512)).uuid.equals(parseFooter(reference.subarray(0, 512)).uuid)).toBe(false);
    expect(ours.subarray(0, 512).equals(ours.subarray(ours.length - 512))).toBe(true);
    expect(Array.from(parseBat(ours.subarray(1536), 3))).toEqual([7, BAT_UNUSED, 4111]);
    expect(formatKeyHash(parseBatmapHeader(ours.subarray(0x800, 0xa00)).keyHash)).toBe(
      `${'0'.repeat(64)} ${KEY_HASH_256}`,
    );
    expect(ours.subarray(0x1000, 0x201000).equals(reference.subarray(0x1000, 0x201000))).toBe(true);
    expect((await decryptAll(out, key)).equals(readVector('src.raw'))).toBe(true);
  });
});

describe('sources of any shape', () => {
  it('rounds a size that is not a multiple of 2 MiB up to whole blocks, padding with zeros', async () => {
    const size = 5 * MiB + 1536;
    const source = randomBytes(size);
    source.fill(0, 2 * MiB, 4 * MiB); // block 1 all zero: not stored
    const key = randomBytes(64);
    const out = join(dir, 'odd.vhd');
    const result = await writeVhdCrypt({ reader: new MemoryDisk(source), outPath: out, key });
    expect(result.virtualSize).toBe(6 * MiB);
    expect(result.storedBlocks).toBe(2);
    const plain = await decryptAll(out, key);
    expect(plain.length).toBe(6 * MiB);
    expect(plain.subarray(0, size).equals(source)).toBe(true);
    expect(plain.subarray(size).equals(Buffer.alloc(6 * MiB - size))).toBe(true);
    const image = await readFile(out);
    expect(Array.from(parseBat(image.subarray(1536), 3))).toEqual([7, BAT_UNUSED, 4111]);
  });

  it('stores a block with a single non-zero byte, encrypts its zero sectors too, and skips holes unread', async () => {
    const size = 16 * MiB;
    const source = Buffer.alloc(size);
    source[9 * MiB + 12345] = 1;
    source.fill(7, 14 * MiB, 14 * MiB + 100);
    const disk = new MemoryDisk(source, [{ offset: 12 * MiB, length: 2 * MiB }]);
    const key = randomBytes(32);
    const out = join(dir, 'sparse.vhd');
    const result = await writeVhdCrypt({ reader: disk, outPath: out, key });
    expect(result.storedBlocks).toBe(2);
    expect(disk.bytesRead).toBe(14 * MiB);
    const image = await readFile(out);
    const bat = parseBat(image.subarray(1536), 8);
    expect(Array.from(bat).map((entry) => entry !== BAT_UNUSED)).toEqual([
      false,
      false,
      false,
      false,
      true,
      false,
      false,
      true,
    ]);
    // a zero plaintext sector encrypts to something that is not zero
    const firstData = (bat[4] + 1) * 512;
    expect(image.subarray(firstData, firstData + 512).equals(Buffer.alloc(512))).toBe(false);
    expect((await decryptAll(out, key)).equals(source)).toBe(true);
  });

  it('writes an all-zero disk as headers and footer only', async () => {
    const key = randomBytes(64);
    const out = join(dir, 'zero.vhd');
    const result = await writeVhdCrypt({ reader: new MemoryDisk(Buffer.alloc(4 * MiB)), outPath: out, key });
    expect(result.storedBlocks).toBe(0);
    expect(result.fileSize).toBe(0xc00 + 512);
    expect((await decryptAll(out, key)).equals(Buffer.alloc(4 * MiB))).toBe(true);
  });

  it('uses the encryptor it is given with the block LBA and writes what it returns', async () => {
    const calls: Array<[number, number, number]> = [];
    const out = join(dir, 'hook.vhd');
    const source = randomBytes(4 * MiB);
    await writeVhdCrypt({
      reader: new MemoryDisk(source),
      outPath: out,
      key: randomBytes(64),
      encrypt: async (stored, dataOffset, firstSector) => {
        calls.push([stored.length, dataOffset, firstSector]);
        return stored;
      },
    });
    expect(calls.sort((x, y) => x[2] - y[2])).toEqual([
      [2 * MiB + 512, 512, 0],
      [2 * MiB + 512, 512, 4096],
    ]);
    const image = await readFile(out);
    expect(image.subarray(0x1000, 0x1000 + 2 * MiB).equals(source.subarray(0, 2 * MiB))).toBe(true);
  });

  it('reports progress up to the virtual size', async () => {
    const seen: Progress[] = [];
    await writeVhdCrypt({
      reader: new MemoryDisk(randomBytes(3 * MiB)),
      outPath: join(dir, 'progress.vhd'),
      key: randomBytes(32),
      onProgress: (progress) => seen.push(progress),
    });
    const last = seen.at(-1)!;
    expect(last.phase).toBe('encrypt');
    expect(last.bytesDone).toBe(3 * MiB);
    expect(last.bytesTotal).toBe(3 * MiB);
  });
});

describe('refusals', () => {
  it('refuses bad keys before creating the file', async () => {
    const out = join(dir, 'never.vhd');
    await expectRejects(
      writeVhdCrypt({ reader: new MemoryDisk(randomBytes(MiB)), outPath: out, key: randomBytes(48) }),
      'VHD_KEY_SIZE',
    );
    const half = randomBytes(32);
    await expectRejects(
      writeVhdCrypt({ reader: new MemoryDisk(randomBytes(MiB)), outPath: out, key: Buffer.concat([half, half]) }),
      'VHD_KEY_WEAK',
    );
    expect(existsSync(out)).toBe(false);
  });

  it('stops when aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(
      writeVhdCrypt({
        reader: new MemoryDisk(randomBytes(4 * MiB)),
        outPath: join(dir, 'aborted.vhd'),
        key: randomBytes(64),
        signal: controller.signal,
      }),
    ).rejects.toThrow('stop');
  });

  it('fails clearly when the source ends early', async () => {
    const disk = new MemoryDisk(randomBytes(6 * MiB));
    const read = disk.read.bind(disk);
    disk.read = async (offset, target) => (offset >= 4 * MiB ? 0 : read(offset, target));
    await expectRejects(
      writeVhdCrypt({ reader: disk, outPath: join(dir, 'short.vhd'), key: randomBytes(64) }),
      'SOURCE_SHORT_READ',
    );
  });
});

describe('digest stability', () => {
  it('two runs with the same UUID and time give the same file', async () => {
    const source = randomBytes(5 * MiB);
    const key = randomBytes(64);
    const uuid = randomBytes(16);
    const now = new Date('2026-01-01T00:00:00Z');
    const digests: string[] = [];
    for (const name of ['a.vhd', 'b.vhd']) {
      await writeVhdCrypt({
        reader: new MemoryDisk(source),
        outPath: join(dir, name),
        key,
        uuid,
        now,
        window: name === 'a.vhd' ? 1 : 8,
      });
      digests.push(
        createHash('sha256')
          .update(await readFile(join(dir, name)))
          .digest('hex'),
      );
    }
    expect(digests[0]).toBe(digests[1]);
  });
});
