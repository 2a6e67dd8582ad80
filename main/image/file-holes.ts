import { execFile } from 'node:child_process';
import { findExecutable } from '../common/tools';
import type { DiskReader, Extent } from './types';
import { ExtentMerger } from './reader-support';

/** [start, end) byte ranges of a file that hold data, ascending and not overlapping. */
export type DataRanges = ReadonlyArray<readonly [start: number, end: number]>;

/**
 * Where a file holds data, as its file system records it: the FIEMAP extent map, read through e2fsprogs'
 * `filefrag` (Node has neither SEEK_DATA/SEEK_HOLE nor ioctl). With it a sparse raw image is sealed without
 * reading its holes, as `cp` and `qemu-img convert` do; reading a hole is not free, the kernel fills page-cache
 * pages with zeros for it. `-s` flushes the file first, so data still in the page cache is mapped like the rest
 * (unflushed data behind an unwritten or delayed extent is what once made FIEMAP-based copies lose data).
 *
 * Resolves with null when this cannot be known: not Linux, no filefrag, a file system without FIEMAP (tmpfs),
 * output it does not understand, or no answer within 15 s (a stuck network file system must not hold the seal
 * up for long). The caller then reads everything.
 */
export async function fileDataRanges(path: string, size: number): Promise<DataRanges | null> {
  if (process.platform !== 'linux') return null;
  // filefrag lives in /usr/sbin, which is not on a normal Debian user's PATH.
  const filefrag = await findExecutable('filefrag', ['/usr/sbin', '/sbin']);
  if (!filefrag) return null;
  const output = await new Promise<string | null>((resolve) => {
    execFile(
      filefrag,
      ['-s', '-e', '-b512', '--', path],
      { timeout: 15_000, maxBuffer: 256 * 1024 * 1024, env: { ...process.env, LC_ALL: 'C' } },
      (error, stdout) => resolve(error ? null : stdout),
    );
  });
  return output === null ? null : parseFilefrag(output, size);
}

const SECTOR = 512;
const HEADER = /^File size of .* is (\d+) \((\d+) blocks of 512 bytes\)$/m;
// " 12:    9760..    9767:  409757216..  409757223:      8:       9760: last,unwritten" (the "expected"
// column, 9760 here, is blank when the extent follows the previous one on disk)
const EXTENT = /^\s*\d+:\s*(\d+)\.\.\s*(\d+):\s*\d+\.\.\s*\d+:\s*(\d+):(?:\s*\d+:)?\s*([a-z_,]*)\s*$/;

/**
 * The data ranges in `filefrag -e -b512` output, clipped to `size`. Unwritten extents (allocated but never
 * written: they read as zeros) count as holes. Null for output that is not for a file of this size or has a
 * line it cannot read.
 */
export function parseFilefrag(output: string, size: number): DataRanges | null {
  const header = HEADER.exec(output);
  if (!header || Number(header[1]) !== size) return null;
  const ranges: Array<[number, number]> = [];
  let inTable = false;
  for (const line of output.split('\n')) {
    if (/^\s*ext:\s+logical_offset:/.test(line)) {
      inTable = true;
      continue;
    }
    if (!inTable || line.trim() === '') continue;
    if (/: \d+ extents? found$/.test(line)) break;
    const match = EXTENT.exec(line);
    if (!match) return null;
    const [first, last, length] = [Number(match[1]), Number(match[2]), Number(match[3])];
    if (last - first + 1 !== length) return null;
    if (match[4]!.split(',').includes('unwritten')) continue;
    const start = first * SECTOR;
    const end = Math.min(size, (last + 1) * SECTOR);
    if (start >= end) continue;
    const previous = ranges.at(-1);
    if (previous && start < previous[1]) return null; // FIEMAP lists extents in order, without overlap
    if (previous && start === previous[1]) previous[1] = end;
    else ranges.push([start, end]);
  }
  return inTable || /: 0 extents found$/m.test(output) ? ranges : null;
}

/** `reader` with its extents taken from the data ranges of the file it reads the disk from as is (raw). */
export function withDataRanges(reader: DiskReader, ranges: DataRanges): DiskReader {
  const size = reader.virtualSize;
  return {
    format: reader.format,
    virtualSize: size,
    read: (offset, target) => reader.read(offset, target),
    close: () => reader.close(),
    async *extents(): AsyncIterable<Extent> {
      const merger = new ExtentMerger();
      let at = 0;
      for (const [start, end] of ranges) {
        const from = Math.min(start, size);
        const to = Math.min(end, size);
        yield* merger.add(at, from - at, false);
        yield* merger.add(from, to - from, true);
        at = Math.max(at, to);
      }
      yield* merger.add(at, size - at, false);
      yield* merger.finish();
    },
  };
}
