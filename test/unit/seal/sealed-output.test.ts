import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChunkSlots } from '../../../main/seal/chunk-slots';
import { SealedOutput } from '../../../main/seal/sealed-output';

const MiB = 1024 * 1024;

/** Whether this folder's file system takes O_DIRECT (ext4 and xfs do; some others refuse the open). */
async function takesDirectIo(dir: string): Promise<boolean> {
  const probe = join(dir, 'direct-probe');
  await writeFile(probe, '');
  try {
    await (await open(probe, constants.O_WRONLY | constants.O_DIRECT)).close();
    return true;
  } catch {
    return false;
  } finally {
    await rm(probe, { force: true });
  }
}

describe('SealedOutput', () => {
  let dir: string;
  let direct: boolean;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sealed-output-'));
    direct = await takesDirectIo(dir);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** Writes `chunks` through a SealedOutput (each a slot's bytes at its position), then a header at 0. */
  async function writeChunks(
    path: string,
    fsync: boolean,
    chunks: Array<{ bytes: Buffer; position: number }>,
    header: Buffer,
  ): Promise<number> {
    const output = await SealedOutput.open(path, { flags: 'wx', fsync, window: 3 });
    try {
      for (const { bytes, position } of chunks) {
        await output.add(new Promise((resolve) => setTimeout(() => resolve(bytes), 1)), position);
      }
      await output.drain();
      await output.write(header, 0);
      await output.finish();
      return output.directBytes;
    } finally {
      await output.close();
    }
  }

  it('durable: whole pages go to the disk directly, partial pages and the metadata through the page cache', async () => {
    const slots = new ChunkSlots(5, 2 * MiB);
    const aligned = await slots.take();
    aligned.set(randomBytes(2 * MiB));
    const alignedTail = (await slots.take()).subarray(0, 64 * 1024);
    alignedTail.set(randomBytes(alignedTail.length));
    const oddLength = (await slots.take()).subarray(0, 5000);
    oddLength.set(randomBytes(oddLength.length));
    // Memory and file out of step by 512 bytes: no page of it can go directly.
    const oddPosition = (await slots.take()).subarray(0, 8192);
    oddPosition.set(randomBytes(oddPosition.length));
    // A VHD block as stored: one bitmap sector just before page-aligned data, in memory and in the file.
    const bitmapThenData = (await slots.take()).subarray(4096 - 512, 4096 + 8192);
    bitmapThenData.set(randomBytes(bitmapThenData.length));
    const header = randomBytes(512);
    const chunks = [
      { bytes: aligned, position: 64 * 1024 },
      { bytes: alignedTail, position: 64 * 1024 + 2 * MiB },
      { bytes: oddLength, position: 4 * MiB },
      { bytes: oddPosition, position: 5 * MiB + 512 },
      { bytes: bitmapThenData, position: 6 * MiB - 512 },
    ];
    const path = join(dir, 'durable.bin');
    const directBytes = await writeChunks(path, true, chunks, header);

    const written = await readFile(path);
    expect(written.length).toBe(6 * MiB + 8192);
    expect(written.subarray(0, 512).equals(header)).toBe(true);
    for (const { bytes, position } of chunks) {
      expect(written.subarray(position, position + bytes.length).equals(bytes)).toBe(true);
    }
    expect(written.subarray(512, 64 * 1024).every((byte) => byte === 0)).toBe(true);
    // The two page-aligned chunks, the whole page of the 5000-byte one and the VHD block's data; where the file
    // system has no O_DIRECT, all goes through the cache.
    expect(directBytes).toBe(direct ? aligned.length + alignedTail.length + 4096 + 8192 : 0);
  });

  it('durable, when direct I/O refuses a buffer: that chunk and the rest go through the page cache, same bytes', async (context) => {
    if (!direct) context.skip('this file system has no O_DIRECT');
    const slots = new ChunkSlots(2, 1 * MiB);
    const first = await slots.take();
    const last = await slots.take();
    // A plain SharedArrayBuffer comes from malloc (glibc: 16 bytes past a page start), so the kernel refuses it
    // with EINVAL although its offset and length look aligned.
    const unaligned = Buffer.from(new SharedArrayBuffer(1 * MiB));
    for (const buffer of [first, unaligned, last]) buffer.set(randomBytes(buffer.length));
    const chunks = [first, unaligned, last].map((bytes, i) => ({ bytes, position: i * MiB }));
    const path = join(dir, 'fallback.bin');
    const directBytes = await writeChunks(path, true, chunks, Buffer.alloc(0));
    const written = await readFile(path);
    expect(written.equals(Buffer.concat([first, unaligned, last]))).toBe(true);
    expect(directBytes).toBe(first.length);
  });

  it('durable into reserved space: later chunks are written while an earlier one is still being encrypted', async (context) => {
    if (!direct) context.skip('this file system has no O_DIRECT');
    const slots = new ChunkSlots(3, 1 * MiB);
    const chunks = [await slots.take(), await slots.take(), await slots.take()];
    for (const chunk of chunks) chunk.set(randomBytes(chunk.length));
    const order = async (reserve: number | undefined): Promise<number[]> => {
      const path = join(dir, `order-${reserve ?? 'none'}.bin`);
      const written: number[] = [];
      const output = await SealedOutput.open(path, { flags: 'wx', fsync: true, window: 4, reserve });
      try {
        await output.drain(); // the reservation runs in the background; chunks added before it ends go one by one
        let releaseFirst = (): void => undefined;
        const first = new Promise<Buffer>((resolve) => (releaseFirst = () => resolve(chunks[0]!)));
        await output.add(first, 0, () => written.push(0));
        await output.add(Promise.resolve(chunks[1]!), MiB, () => written.push(1));
        await output.add(Promise.resolve(chunks[2]!), 2 * MiB, () => written.push(2));
        await new Promise((resolve) => setTimeout(resolve, 50));
        releaseFirst();
        await output.drain();
        await output.truncate(3 * MiB); // as the writers do: the reserve is an upper bound
        await output.finish();
        expect(output.directBytes).toBe(3 * MiB);
      } finally {
        await output.close();
      }
      expect((await readFile(path)).equals(Buffer.concat(chunks))).toBe(true);
      return written;
    };
    // Without reserved space one write at a time, in order; with it (fallocate), the others need not wait.
    expect(await order(undefined)).toEqual([0, 1, 2]);
    const reserved = await order(4 * MiB);
    expect(reserved.at(-1)).toBe(0);
    expect(reserved.slice(0, 2).sort()).toEqual([1, 2]);
  });

  it('not durable (the benchmark CPU-bound mode): everything through the page cache', async () => {
    const slots = new ChunkSlots(1, 2 * MiB);
    const chunk = await slots.take();
    chunk.set(randomBytes(chunk.length));
    const path = join(dir, 'cached.bin');
    const directBytes = await writeChunks(path, false, [{ bytes: chunk, position: 0 }], Buffer.alloc(0));
    expect((await readFile(path)).equals(chunk)).toBe(true);
    expect(directBytes).toBe(0);
  });
});
