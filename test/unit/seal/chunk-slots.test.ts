import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createXtsPool, type XtsPool } from '../../../main/crypto/worker-pool';
import { createXtsCipher } from '../../../main/crypto/xts';
import { ChunkSlots } from '../../../main/seal/chunk-slots';

describe('ChunkSlots', () => {
  it('hands out page-sized slots of one shared memory, waits when all are taken, and refuses a foreign give', async () => {
    const slots = new ChunkSlots(2, 5000);
    expect(slots.slotBytes).toBe(8192);
    expect(slots.memory).toBeInstanceOf(SharedArrayBuffer);
    const first = await slots.take();
    const second = await slots.take();
    expect([first.byteOffset, second.byteOffset].sort()).toEqual([0, 8192]);
    let third: Buffer | null = null;
    const waiting = slots.take().then((slot) => (third = slot));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(third).toBeNull();
    slots.give(first.subarray(0, 100)); // any view that starts at the slot's start
    await waiting;
    expect(third!.byteOffset).toBe(first.byteOffset);
    expect(() => slots.give(first)).not.toThrow(); // taken again by the waiter, so it may be given back once
    expect(() => slots.give(first)).toThrow(/not in use/);
    expect(() => slots.give(second.subarray(512))).toThrow(/start of one of these slots/);
    expect(() => slots.give(Buffer.alloc(8192))).toThrow(/start of one of these slots/);
    expect(() => new ChunkSlots(0, 4096)).toThrow(RangeError);
  });

  it('takes back a slot from a view that starts inside it, and refuses one that runs past its end', async () => {
    const slots = new ChunkSlots(2, 8192);
    const first = await slots.take();
    const second = await slots.take();
    const pastTheEnd = new Uint8Array(slots.memory, first.byteOffset + 4096, 4097);
    expect(() => slots.giveContaining(pastTheEnd)).toThrow(/inside one of these slots/);
    slots.giveContaining(second.subarray(3584, 8192));
    expect((await slots.take()).byteOffset).toBe(second.byteOffset);
    expect(() => slots.giveContaining(Buffer.alloc(16))).toThrow(/inside one of these slots/);
  });

  it('is page-aligned memory, so a slot can be written with direct I/O', () => {
    // Page alignment itself is checked where it matters (sealed-output.test.ts: direct writes succeed).
    expect(new ChunkSlots(3, 5000).memory.byteLength % 4096).toBe(0);
  });
});

describe('XTS pool on shared slots', () => {
  const pools: XtsPool[] = [];
  afterAll(async () => {
    await Promise.all(pools.map((pool) => pool.close()));
  });

  for (const size of [2, 0]) {
    it(`transforms a slot in place and resolves with the same view (${size} workers)`, async () => {
      const pool = createXtsPool(size);
      pools.push(pool);
      const key = randomBytes(64);
      const handle = await pool.addKey(key, 'plain64');
      const reference = createXtsCipher(key, 'plain64');
      const slots = new ChunkSlots(4, 64 * 1024);
      const plain = Array.from({ length: 4 }, () => randomBytes(64 * 1024));
      const views = await Promise.all(
        plain.map(async (data) => {
          const slot = await slots.take();
          data.copy(slot);
          return slot;
        }),
      );
      const results = await Promise.all(
        views.map((view, i) => pool.run(handle, view.subarray(0, 32768 + 512), [[512, 32768, 1000 * i]], false)),
      );
      for (let i = 0; i < views.length; i++) {
        expect(results[i]!.buffer).toBe(slots.memory);
        expect(results[i]!.byteOffset).toBe(views[i]!.byteOffset);
        const expected = Buffer.from(reference.encrypt(plain[i]!.subarray(512, 32768 + 512), 1000 * i));
        expect(views[i]!.subarray(512, 32768 + 512).equals(expected)).toBe(true);
        expect(views[i]!.subarray(0, 512).equals(plain[i]!.subarray(0, 512))).toBe(true); // outside the run
        expect(views[i]!.subarray(32768 + 512).equals(plain[i]!.subarray(32768 + 512))).toBe(true);
      }
      const before = Buffer.from(views[0]!);
      await pool.run(handle, views[0]!, [[0, 64 * 1024, 7]], true);
      expect(views[0]!.equals(Buffer.from(reference.decrypt(before, 7)))).toBe(true);
      await pool.releaseMemory(slots.memory);
      // released memory is handed over again the next time it is seen
      await pool.run(handle, views[1]!.subarray(0, 512), [[0, 512, 0]], false);
      await pool.removeKey(handle);
    });
  }
});
