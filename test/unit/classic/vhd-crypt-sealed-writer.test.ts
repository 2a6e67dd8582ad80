import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../../../main/common/errors';
import { createXtsPool, type XtsPool } from '../../../main/crypto/worker-pool';
import { poolBlockEncryptor, vhdCryptWriter, writeVhdCrypt } from '../../../main/seal/vhd-crypt-writer';
import { MemoryDisk } from './memory-disk';
import { KEY512_FILE, readVector, vectorPath } from './vectors';

const MiB = 1024 * 1024;

let dir: string;
let pool: XtsPool;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vhd-crypt-sealed-'));
  pool = createXtsPool(2);
});
afterAll(async () => {
  await pool.close();
  await rm(dir, { recursive: true, force: true });
});

async function expectRejects(promise: Promise<unknown>, code: string): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    expect(isAppError(error, code), `expected ${code}, got ${String(error)}`).toBe(true);
    return error;
  }
  throw new Error(`expected AppError ${code}`);
}

describe('classic-vhd through the SealedFormatWriter interface', () => {
  it('encrypting on the worker pool gives the same bytes as on this thread', async () => {
    const source = randomBytes(9 * MiB);
    source.fill(0, 4 * MiB, 6 * MiB);
    const key = randomBytes(64);
    const uuid = randomBytes(16);
    const now = new Date('2026-11-24T00:00:00Z');
    const handle = await pool.addKey(key, 'plain');
    try {
      await writeVhdCrypt({
        reader: new MemoryDisk(source),
        outPath: join(dir, 'pool.vhd'),
        key,
        uuid,
        now,
        encrypt: poolBlockEncryptor(pool, handle),
        window: 6,
      });
    } finally {
      await pool.removeKey(handle);
    }
    await writeVhdCrypt({ reader: new MemoryDisk(source), outPath: join(dir, 'local.vhd'), key, uuid, now });
    expect((await readFile(join(dir, 'pool.vhd'))).equals(await readFile(join(dir, 'local.vhd')))).toBe(true);
  });

  it('writes and opens back, decrypting to the source', async () => {
    const source = randomBytes(3 * MiB + 512);
    const key = randomBytes(32);
    const out = join(dir, 'sealed.vhd-0.vhd');
    const result = await vhdCryptWriter.write({
      reader: new MemoryDisk(source),
      outPath: out,
      secret: key,
      iterTimeMs: 0,
      pool,
    });
    expect(result.cipher).toContain('aes-128-xts');
    const reader = await vhdCryptWriter.open(out, key);
    try {
      const plain = Buffer.alloc(reader.virtualSize);
      await reader.read(0, plain);
      expect(plain.subarray(0, source.length).equals(source)).toBe(true);
      expect(plain.subarray(source.length).equals(Buffer.alloc(plain.length - source.length))).toBe(true);
    } finally {
      await reader.close();
    }
  });

  it('decrypts the vhd-util reference on the worker pool, in one large read and in odd pieces', async () => {
    const source = readVector('src.raw');
    const reader = await vhdCryptWriter.open(vectorPath('enc512.vhd'), readVector(KEY512_FILE), { pool });
    try {
      const all = Buffer.alloc(reader.virtualSize);
      await reader.read(0, all);
      expect(all.equals(source)).toBe(true);
      const part = Buffer.alloc(2 * MiB + 1001);
      await reader.read(3 * MiB - 17, part);
      expect(part.equals(source.subarray(3 * MiB - 17, 5 * MiB - 17 + 1001))).toBe(true);
    } finally {
      await reader.close();
    }
  });

  it('opens the vhd-util reference and refuses a wrong key or a non-encrypted VHD in sealed-format terms', async () => {
    const reader = await vhdCryptWriter.open(vectorPath('enc512.vhd'), readVector(KEY512_FILE));
    await reader.close();
    const wrong = (await expectRejects(
      vhdCryptWriter.open(vectorPath('enc512.vhd'), randomBytes(64)),
      'SEAL_WRONG_KEY',
    )) as {
      details?: Record<string, unknown>;
    };
    expect(wrong.details?.reason).toBe('VHD_WRONG_KEY');
    await expectRejects(vhdCryptWriter.open(vectorPath('enc512.vhd'), randomBytes(44)), 'SEAL_WRONG_KEY');
    await expectRejects(vhdCryptWriter.open(vectorPath('src.vhd'), randomBytes(64)), 'SEAL_NOT_SEALED_FORMAT');
    await expectRejects(vhdCryptWriter.open(vectorPath('src.raw'), randomBytes(64)), 'SEAL_NOT_SEALED_FORMAT');
    const truncated = join(dir, 'truncated.vhd');
    await writeFile(truncated, readVector('enc512.vhd').subarray(0, 3 * MiB));
    await expectRejects(vhdCryptWriter.open(truncated, readVector(KEY512_FILE)), 'VHD_MALFORMED');
  });

  it('refuses a secret that is not a 32- or 64-byte key', async () => {
    await expectRejects(
      vhdCryptWriter.write({
        reader: new MemoryDisk(randomBytes(MiB)),
        outPath: join(dir, 'no.vhd'),
        secret: randomBytes(44),
        iterTimeMs: 0,
        pool,
      }),
      'VHD_KEY_SIZE',
    );
  });
});
