import { randomBytes } from 'node:crypto';
import { mkdtemp, open, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createXtsPool, type XtsPool } from '../../../main/crypto/worker-pool';
import { sealImage } from '../../../main/seal/seal';

const MiB = 1 << 20;

// A file system whose extent map says the whole file is a hole, though it holds data.
vi.mock('../../../main/image/file-holes', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../../main/image/file-holes')>();
  return { ...actual, fileDataRanges: async () => [] };
});

describe('a wrong hole map from the file system', () => {
  let dir: string;
  let pool: XtsPool;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hole-map-'));
    pool = createXtsPool(2);
  });
  afterAll(async () => {
    await pool.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('is caught by verification (the source digest reads every byte): the seal fails and leaves nothing', async () => {
    const raw = join(dir, 'disk.raw');
    const file = await open(raw, 'w');
    await file.truncate(4 * MiB);
    await file.write(randomBytes(MiB), 0, MiB, MiB);
    await file.close();
    const out = join(dir, 'out', 'disk.qcow2');
    await expect(
      sealImage({ sourcePath: raw, target: 'vpc', outPath: out, iterTimeMs: 10, pool }),
    ).rejects.toMatchObject({
      code: 'SEAL_VERIFY_MISMATCH',
    });
    expect(await readdir(join(dir, 'out'))).toEqual([]);
  });
});
