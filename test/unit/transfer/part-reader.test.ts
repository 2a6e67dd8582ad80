import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../../../main/common/errors';
import { PartReader, defaultReaderThreads } from '../../../main/transfer/part-reader';

describe('part reader', () => {
  let dir: string;
  let path: string;
  const bytes = randomBytes(3 * 1024 * 1024 + 123);
  const md5 = (data: Buffer) => createHash('md5').update(data).digest('hex');

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'part-reader-'));
    path = join(dir, 'file.bin');
    await writeFile(path, bytes);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  for (const threads of [0, 1, 2]) {
    it(`reads and hashes ranges with ${threads} worker thread(s) into a shared slot`, async () => {
      const reader = new PartReader(path, threads);
      try {
        const slot = reader.createSlot(1024 * 1024);
        for (const [offset, length] of [
          [0, 1024 * 1024],
          [1024 * 1024, 1024 * 1024],
          [3 * 1024 * 1024, 123],
          [5, 0],
        ] as const) {
          const read = await reader.read(offset, length, slot);
          expect(slot.bytes.length).toBe(1024 * 1024);
          expect(read.md5).toBe(md5(bytes.subarray(offset, offset + length)));
          expect(slot.bytes.subarray(0, length).equals(bytes.subarray(offset, offset + length))).toBe(true);
        }
        // a range larger than the slot: the slot is a moving window, only the MD5 comes back
        const whole = await reader.read(0, bytes.length, reader.createSlot(64 * 1024));
        expect(whole.md5).toBe(md5(bytes));
        // past the end of the file: the file must have shrunk
        const short = await reader
          .read(3 * 1024 * 1024, 1024, reader.createSlot(1024))
          .catch((error: unknown) => error);
        expect(isAppError(short, 'UPLOAD_SOURCE_CHANGED')).toBe(true);
      } finally {
        await reader.close();
      }
    });
  }

  it('hashes on one thread per core, none on a single core, at most one per default part in flight', () => {
    expect(defaultReaderThreads(1)).toBe(0);
    expect(defaultReaderThreads(2)).toBe(2);
    expect(defaultReaderThreads(3)).toBe(3);
    expect(defaultReaderThreads(16)).toBe(4);
  });
});
