import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isAppError } from '../../../main/common/errors';
import { hashVirtualContent } from '../../../main/image/hash';
import { ExtentMerger, checkReadRange } from '../../../main/image/reader-support';
import type { DiskReader, Extent } from '../../../main/image/types';

/** An in-memory disk whose zero ranges are reported as holes; counts reads inside holes. */
class MemoryDisk implements DiskReader {
  readonly format = 'raw' as const;
  readsInHoles = 0;
  constructor(
    readonly content: Buffer,
    private readonly layout: Extent[],
  ) {}
  get virtualSize(): number {
    return this.content.length;
  }
  async *extents(): AsyncIterable<Extent> {
    yield* this.layout;
  }
  async read(offset: number, target: Buffer): Promise<number> {
    const length = checkReadRange(offset, target.length, this.virtualSize);
    if (this.layout.some((e) => !e.allocated && offset < e.offset + e.length && e.offset < offset + length))
      this.readsInHoles += 1;
    this.content.copy(target, 0, offset, offset + length);
    return length;
  }
  async close(): Promise<void> {}
}

const MiB = 1024 * 1024;

function disk(): MemoryDisk {
  const content = Buffer.alloc(9 * MiB + 777);
  randomBytes(3 * MiB + 5).copy(content, 0);
  randomBytes(MiB).copy(content, 7 * MiB);
  return new MemoryDisk(content, [
    { offset: 0, length: 3 * MiB + 5, allocated: true },
    { offset: 3 * MiB + 5, length: 4 * MiB - 5, allocated: false },
    { offset: 7 * MiB, length: 2 * MiB + 777, allocated: true },
  ]);
}

describe('hashVirtualContent', () => {
  it('equals the SHA-256 of the whole disk and never reads holes', async () => {
    const reader = disk();
    const reports: number[] = [];
    const digest = await hashVirtualContent(reader, undefined, (progress) => reports.push(progress.bytesDone));
    expect(digest).toBe(createHash('sha256').update(reader.content).digest('hex'));
    expect(reader.readsInHoles).toBe(0);
    expect(reports.at(-1)).toBe(reader.virtualSize);
  });

  it('stops with the abort reason when cancelled', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stop now'));
    await expect(hashVirtualContent(disk(), controller.signal)).rejects.toThrow('stop now');
  });

  it('refuses extents that leave gaps', async () => {
    const reader = new MemoryDisk(Buffer.alloc(4096), [{ offset: 0, length: 1024, allocated: true }]);
    let thrown: unknown;
    try {
      await hashVirtualContent(reader);
    } catch (error) {
      thrown = error;
    }
    expect(isAppError(thrown, 'IMAGE_READER_INCONSISTENT')).toBe(true);
  });
});

describe('reader support', () => {
  it('merges adjacent extents of the same kind', () => {
    const merger = new ExtentMerger();
    const out = [
      ...merger.add(0, 10, true),
      ...merger.add(10, 5, true),
      ...merger.add(15, 5, false),
      ...merger.add(20, 0, true),
      ...merger.add(20, 5, false),
      ...merger.add(25, 1, true),
      ...merger.finish(),
    ];
    expect(out).toEqual([
      { offset: 0, length: 15, allocated: true },
      { offset: 15, length: 10, allocated: false },
      { offset: 25, length: 1, allocated: true },
    ]);
  });

  it('clips reads at the end and refuses reads outside the disk', () => {
    expect(checkReadRange(0, 100, 50)).toBe(50);
    expect(checkReadRange(50, 0, 50)).toBe(0);
    for (const [offset, length] of [
      [51, 1],
      [50, 1],
      [-1, 1],
      [0.5, 1],
    ]) {
      expect(() => checkReadRange(offset, length, 50)).toThrow(/outside the virtual disk/);
    }
  });
});
