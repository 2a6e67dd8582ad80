import { createCipheriv, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../../../main/common/errors';
import type { Progress } from '../../../main/common/progress';
import { parseLuksHeader } from '../../../main/crypto/luks1';
import { createXtsPool, type XtsPool } from '../../../main/crypto/worker-pool';
import { openLuksRawReader } from '../../../main/seal/luks-raw-reader';
import { luksRawWriter } from '../../../main/seal/luks-raw-writer';
import { TARGETS } from '../../../main/targets';
import { MemoryDisk } from './memory-disk';

const MiB = 1024 * 1024;
const passphraseOf = (dek: Buffer) => TARGETS['classic-luks'].encryptorSecret(dek);

let dir: string;
let pool: XtsPool;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'luks-raw-'));
  pool = createXtsPool(2);
});
afterAll(async () => {
  await pool.close();
  await rm(dir, { recursive: true, force: true });
});

async function expectRejects(promise: Promise<unknown>, code: string): Promise<void> {
  try {
    await promise;
  } catch (error) {
    expect(isAppError(error, code), `expected ${code}, got ${String(error)}`).toBe(true);
    return;
  }
  throw new Error(`expected AppError ${code}`);
}

describe('classic-luks raw volume', () => {
  it('lays out header, 2 MiB payload offset and payload = disk, decrypting back to the source', async () => {
    const size = 9 * MiB + 1000; // not whole sectors: padded to 9 MiB + 1024
    const source = randomBytes(size);
    source.fill(0, 4 * MiB, 8 * MiB);
    const dek = randomBytes(32);
    const out = join(dir, 'disk.raw');
    const seen: Progress[] = [];
    const result = await luksRawWriter.write({
      reader: new MemoryDisk(source, [{ offset: 4 * MiB, length: 4 * MiB }]),
      outPath: out,
      secret: passphraseOf(dek),
      iterTimeMs: 20,
      pool,
      onProgress: (p) => seen.push(p),
    });
    expect(result.cipher).toContain('xts-plain64');
    expect(seen.at(-1)?.bytesDone).toBe(size);
    expect((await stat(out)).size).toBe(2 * MiB + 9 * MiB + 1024);
    const header = parseLuksHeader(await readFile(out));
    expect(header).toMatchObject({
      cipherName: 'aes',
      cipherMode: 'xts-plain64',
      hashSpec: 'sha256',
      keyBytes: 64,
      payloadOffsetSectors: 4096,
    });

    const reader = await luksRawWriter.open(out, passphraseOf(dek));
    try {
      expect(reader.virtualSize).toBe(9 * MiB + 1024);
      const plain = Buffer.alloc(reader.virtualSize);
      await reader.read(0, plain);
      expect(plain.subarray(0, size).equals(source)).toBe(true);
      expect(plain.subarray(size).equals(Buffer.alloc(24))).toBe(true);
      const part = Buffer.alloc(777);
      await reader.read(3 * MiB + 5, part);
      expect(part.equals(source.subarray(3 * MiB + 5, 3 * MiB + 5 + 777))).toBe(true);
    } finally {
      await reader.close();
    }

    const pooled = await luksRawWriter.open(out, passphraseOf(dek), { pool });
    try {
      const plain = Buffer.alloc(pooled.virtualSize);
      await pooled.read(0, plain);
      expect(plain.subarray(0, size).equals(source)).toBe(true);
      const part = Buffer.alloc(5 * MiB + 3);
      await pooled.read(MiB + 511, part);
      expect(part.equals(source.subarray(MiB + 511, 6 * MiB + 514))).toBe(true);
    } finally {
      await pooled.close();
    }

    // the hole was encrypted like any data: no run of zeros in the payload
    const file = await readFile(out);
    expect(file.subarray(2 * MiB + 5 * MiB, 2 * MiB + 5 * MiB + 512).equals(Buffer.alloc(512))).toBe(false);
  });

  it('encrypts payload sector n with plain64 tweak n counted from the payload start (OpenSSL reference)', async () => {
    const source = randomBytes(MiB);
    const out = join(dir, 'kat.raw');
    const dek = randomBytes(32);
    await luksRawWriter.write({
      reader: new MemoryDisk(source),
      outPath: out,
      secret: passphraseOf(dek),
      iterTimeMs: 20,
      pool,
    });
    // get the master key through our reader's LUKS path, then check one sector with OpenSSL's own XTS
    const { openLuks1 } = await import('../../../main/crypto/luks1');
    const file = await readFile(out);
    const { masterKey } = await openLuks1(async (o, l) => file.subarray(o, o + l), passphraseOf(dek));
    const n = 1000;
    const tweak = Buffer.alloc(16);
    tweak.writeUInt32LE(n, 0);
    const expected = createCipheriv('aes-256-xts', masterKey, tweak).update(source.subarray(n * 512, (n + 1) * 512));
    expect(file.subarray(2 * MiB + n * 512, 2 * MiB + (n + 1) * 512).equals(expected)).toBe(true);
  });

  it('refuses a wrong passphrase and a file that is not LUKS', async () => {
    const out = join(dir, 'wrong.raw');
    const dek = randomBytes(32);
    await luksRawWriter.write({
      reader: new MemoryDisk(randomBytes(MiB)),
      outPath: out,
      secret: passphraseOf(dek),
      iterTimeMs: 20,
      pool,
    });
    await expectRejects(luksRawWriter.open(out, passphraseOf(randomBytes(32))), 'SEAL_WRONG_KEY');
    await expectRejects(openLuksRawReader(out, passphraseOf(randomBytes(32))), 'LUKS_WRONG_PASSPHRASE');
    const plain = join(dir, 'plain.raw');
    await writeFile(plain, randomBytes(4096));
    await expectRejects(luksRawWriter.open(plain, passphraseOf(dek)), 'SEAL_NOT_SEALED_FORMAT');
    const truncated = join(dir, 'truncated.raw');
    await writeFile(truncated, (await readFile(out)).subarray(0, 100_000));
    await expectRejects(luksRawWriter.open(truncated, passphraseOf(dek)), 'LUKS_CORRUPT_HEADER');
  });
});
