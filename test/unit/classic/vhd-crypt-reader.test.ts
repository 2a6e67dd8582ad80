import { createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../../../main/common/errors';
import type { DiskReader, Extent } from '../../../main/image/types';
import { openVhdCryptReader, readVhdCryptMetadata } from '../../../main/seal/vhd-crypt-reader';
import { KEY256_FILE, KEY512_FILE, readVector, vectorPath } from './vectors';

const MiB = 1024 * 1024;

async function readAll(reader: DiskReader, chunk = 3 * MiB + 512): Promise<Buffer> {
  const out = Buffer.alloc(reader.virtualSize);
  for (let offset = 0; offset < reader.virtualSize; offset += chunk) {
    const n = await reader.read(offset, out.subarray(offset, Math.min(offset + chunk, reader.virtualSize)));
    expect(n).toBe(Math.min(chunk, reader.virtualSize - offset));
  }
  return out;
}

function sha256(buf: Buffer): string {
  return createHash('sha256').update(buf).digest('hex');
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

describe('decrypting the vhd-util reference images', () => {
  const source = readVector('src.raw');

  for (const [name, keyFile] of [
    ['enc256.vhd', KEY256_FILE],
    ['enc512.vhd', KEY512_FILE],
  ] as const) {
    it(`${name} decrypts to exactly src.raw`, async () => {
      const reader = await openVhdCryptReader(vectorPath(name), readVector(keyFile));
      try {
        expect(reader.virtualSize).toBe(source.length);
        expect(sha256(await readAll(reader))).toBe(sha256(source));
        const extents: Extent[] = [];
        for await (const extent of reader.extents()) extents.push(extent);
        expect(extents).toEqual([
          { offset: 0, length: 2 * MiB, allocated: true },
          { offset: 2 * MiB, length: 2 * MiB, allocated: false },
          { offset: 4 * MiB, length: 2 * MiB, allocated: true },
        ]);
      } finally {
        await reader.close();
      }
    });
  }

  it('matches the known-answer values of VHD-CRYPT.md', async () => {
    expect(source.subarray(0, 8).toString('hex')).toBe('494fd050309b1c6c');
    for (const lba of [0, 3071, 8192, 8703]) {
      const counter = Buffer.alloc(8);
      counter.writeBigUInt64LE(BigInt(lba));
      const digest = createHash('sha256').update('vhd-test-sector').update(counter).digest();
      expect(
        source.subarray(lba * 512, (lba + 1) * 512).equals(Buffer.concat(new Array<Buffer>(16).fill(digest))),
      ).toBe(true);
    }
    const enc256 = readVector('enc256.vhd');
    const enc512 = readVector('enc512.vhd');
    expect(enc256.subarray(4096, 4112).toString('hex')).toBe('95c4a5129e069d43d220597e05ee8f58');
    expect(enc512.subarray(4096, 4112).toString('hex')).toBe('48e0c7e8d3dd6547253c501a4947a2c8');
    expect(enc256.subarray(2105344, 2105352).toString('hex')).toBe('53be2313e1cc3a64');
    // OpenSSL's own XTS (one context per sector, the reference) with the plain tweak agrees with the vectors
    const decipher = createDecipheriv(
      'aes-128-xts',
      readVector(KEY256_FILE),
      Buffer.from('00200000' + '0'.repeat(24), 'hex'),
    );
    const plain = decipher.update(enc256.subarray(2105344, 2105344 + 512));
    expect(plain.equals(source.subarray(8192 * 512, 8193 * 512))).toBe(true);
  });

  it('reads unaligned ranges across sector and block boundaries', async () => {
    const reader = await openVhdCryptReader(vectorPath('enc512.vhd'), readVector(KEY512_FILE));
    try {
      for (const [offset, length] of [
        [1, 10],
        [511, 2],
        [2 * MiB - 100, 300],
        [4 * MiB - 7, 1029],
        [6 * MiB - 5, 5],
        [8192 * 512 + 3, 4096],
      ]) {
        const target = Buffer.alloc(length);
        await reader.read(offset, target);
        expect(target.equals(source.subarray(offset, offset + length)), `${offset}+${length}`).toBe(true);
      }
      const tail = Buffer.alloc(100, 7);
      expect(await reader.read(6 * MiB - 10, tail)).toBe(10);
      await expectRejects(reader.read(6 * MiB + 1, Buffer.alloc(1)), 'READ_OUT_OF_RANGE');
    } finally {
      await reader.close();
    }
  });
});

describe('refusing keys and files', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vhd-crypt-reader-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a wrong key by its hash, also a key of the other size', async () => {
    await expectRejects(openVhdCryptReader(vectorPath('enc256.vhd'), randomBytes(32)), 'VHD_WRONG_KEY');
    await expectRejects(openVhdCryptReader(vectorPath('enc512.vhd'), readVector(KEY256_FILE)), 'VHD_WRONG_KEY');
    await expectRejects(openVhdCryptReader(vectorPath('enc256.vhd'), readVector(KEY512_FILE)), 'VHD_WRONG_KEY');
  });

  it('refuses keys of bad size or with equal halves before opening', async () => {
    await expectRejects(openVhdCryptReader(vectorPath('enc256.vhd'), Buffer.alloc(48, 3)), 'VHD_KEY_SIZE');
    const half = randomBytes(16);
    await expectRejects(openVhdCryptReader(vectorPath('enc256.vhd'), Buffer.concat([half, half])), 'VHD_KEY_WEAK');
  });

  it('says a qemu-written VHD is not encrypted', async () => {
    await expectRejects(readVhdCryptMetadata(vectorPath('src.vhd')), 'VHD_NOT_ENCRYPTED');
  });

  it('says a raw file is no VHD, and refuses a truncated image and damaged metadata as malformed', async () => {
    await expectRejects(readVhdCryptMetadata(vectorPath('src.raw')), 'VHD_NOT_ENCRYPTED');

    const image = readVector('enc256.vhd');
    const truncated = join(dir, 'truncated.vhd');
    await writeFile(truncated, image.subarray(0, 0x300000));
    await expectRejects(readVhdCryptMetadata(truncated), 'VHD_MALFORMED');

    const badBatmap = Buffer.from(image);
    badBatmap[0xa00] = 0xe0;
    const badBatmapPath = join(dir, 'bad-batmap.vhd');
    await writeFile(badBatmapPath, badBatmap);
    await expectRejects(readVhdCryptMetadata(badBatmapPath), 'VHD_MALFORMED');

    const badBat = Buffer.from(image);
    badBat.writeUInt32BE(0x10000, 1536 + 8);
    const badBatPath = join(dir, 'bad-bat.vhd');
    await writeFile(badBatPath, badBat);
    await expectRejects(readVhdCryptMetadata(badBatPath), 'VHD_MALFORMED');

    const badHeader = Buffer.from(image);
    badHeader[512 + 40] ^= 0xff;
    const badHeaderPath = join(dir, 'bad-header.vhd');
    await writeFile(badHeaderPath, badHeader);
    await expectRejects(readVhdCryptMetadata(badHeaderPath), 'VHD_MALFORMED');

    const bothFooters = Buffer.from(image);
    bothFooters[20] ^= 1;
    bothFooters[image.length - 512 + 20] ^= 1;
    const bothFootersPath = join(dir, 'bad-footers.vhd');
    await writeFile(bothFootersPath, bothFooters);
    await expectRejects(readVhdCryptMetadata(bothFootersPath), 'VHD_MALFORMED');
  });

  it('falls back to the footer copy at the start when the trailing footer is damaged', async () => {
    const image = Buffer.from(readVector('enc256.vhd'));
    image[image.length - 512 + 20] ^= 1;
    const path = join(dir, 'end-footer.vhd');
    await writeFile(path, image);
    const reader = await openVhdCryptReader(path, readVector(KEY256_FILE));
    try {
      expect(sha256(await readAll(reader))).toBe(sha256(readVector('src.raw')));
    } finally {
      await reader.close();
    }
  });

  it('says a VHD without a key hash is not encrypted', async () => {
    const image = Buffer.from(readVector('enc256.vhd'));
    image.fill(0, 0x800 + 29, 0x800 + 94);
    const path = join(dir, 'no-hash.vhd');
    await writeFile(path, image);
    await expectRejects(readVhdCryptMetadata(path), 'VHD_NOT_ENCRYPTED');
  });
});
