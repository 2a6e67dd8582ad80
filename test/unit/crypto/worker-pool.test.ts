import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { allocTransferable, createXtsPool, type XtsPool } from '../../../main/crypto/worker-pool';
import { createXtsCipher } from '../../../main/crypto/xts';

describe('XTS worker pool', () => {
  const pools: XtsPool[] = [];
  afterAll(async () => {
    await Promise.all(pools.map((pool) => pool.close()));
  });

  for (const size of [2, 0]) {
    it(`encrypts and decrypts in order like the in-thread cipher (${size} workers)`, async () => {
      const pool = createXtsPool(size);
      pools.push(pool);
      const key = randomBytes(64);
      const handle = await pool.addKey(key, 'plain64');
      const reference = createXtsCipher(key, 'plain64');
      const clusters = Array.from({ length: 24 }, (_, i) => ({ data: randomBytes(8192), sector: i * 997 + 2 ** 33 }));
      const submitted = clusters.map(({ data, sector }) => {
        const buffer = allocTransferable(data.length + 512);
        data.copy(buffer, 512); // first sector stays outside the run and must come back unchanged
        buffer.fill(7, 0, 512);
        return pool.run(handle, buffer, [[512, data.length, sector]], false);
      });
      const results = await Promise.all(submitted);
      for (let i = 0; i < clusters.length; i++) {
        const { data, sector } = clusters[i]!;
        const expected = Buffer.from(reference.encrypt(Buffer.from(data), sector));
        expect(results[i]!.subarray(512).equals(expected)).toBe(true);
        expect(results[i]!.subarray(0, 512).every((b) => b === 7)).toBe(true);
        const back = await pool.run(handle, results[i]!, [[512, data.length, sector]], true);
        expect(back.subarray(512).equals(data)).toBe(true);
      }
      await pool.removeKey(handle);
      await expect(pool.run(handle, allocTransferable(512), [[0, 512, 0]], false)).rejects.toThrow();
    });
  }

  it('copies buffers it cannot transfer, refuses bad runs and honours abort', async () => {
    const pool = createXtsPool(1);
    pools.push(pool);
    const key = randomBytes(32);
    const handle = await pool.addKey(key, 'plain');
    const view = randomBytes(4096).subarray(512, 1536);
    const original = Buffer.from(view);
    const out = await pool.run(handle, view, [[0, 1024, 5]], false);
    expect(out.equals(Buffer.from(createXtsCipher(key, 'plain').encrypt(Buffer.from(original), 5)))).toBe(true);
    await expect(pool.run(handle, allocTransferable(1024), [[512, 1024, 0]], false)).rejects.toThrow(/does not fit/);
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(pool.run(handle, allocTransferable(512), [[0, 512, 0]], false, controller.signal)).rejects.toThrow('stop');
    await pool.close();
    await expect(pool.run(handle, allocTransferable(512), [[0, 512, 0]], false)).rejects.toThrow(/shut down/);
  });

  it('refuses a weak key before it reaches a worker', async () => {
    const pool = createXtsPool(1);
    pools.push(pool);
    await expect(pool.addKey(Buffer.alloc(64, 1))).rejects.toThrow(/equal halves/);
  });
});
