import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { AppError } from '../common/errors';
import { preallocate } from './preallocate';

/**
 * The two ends every sealed-format writer shares: reading the source ahead of the encryption, and writing the
 * encrypted chunks out while later ones are still being read and encrypted.
 *
 * Reads and writes both go through libuv's thread pool; one read or one write at a time left the main thread
 * waiting on each in turn (about half of a seal's time on 2 cores), so both ends keep several in flight.
 */

/**
 * Runs the tasks' reads with up to `depth` in flight and yields their results in task order. On early exit
 * (break, throw) it waits for the reads already started, so none still fills a buffer afterwards.
 */
export async function* readAhead<T>(
  tasks: AsyncIterable<() => Promise<T>> | Iterable<() => Promise<T>>,
  depth: number,
): AsyncGenerator<T> {
  const iterator =
    Symbol.asyncIterator in tasks
      ? tasks[Symbol.asyncIterator]()
      : (tasks[Symbol.iterator]() as Iterator<() => Promise<T>>);
  const queue: Promise<T>[] = [];
  let exhausted = false;
  const fill = async (): Promise<void> => {
    while (!exhausted && queue.length < depth) {
      const next = await iterator.next();
      if (next.done) {
        exhausted = true;
        return;
      }
      const reading = next.value();
      reading.catch(() => undefined); // observed when its turn comes; this only keeps an early failure handled
      queue.push(reading);
    }
  };
  try {
    await fill();
    while (queue.length > 0) {
      const value = await queue.shift()!;
      await fill();
      yield value;
    }
  } finally {
    await Promise.allSettled(queue);
  }
}

export interface SealedOutputOptions {
  /**
   * Durable output (default true): chunks go to the disk with direct I/O where they can, the rest is flushed
   * while writing, and the file is fsynced at the end.
   */
  fsync?: boolean;
  /** chunks being encrypted or written at once; bounds memory to about this many chunk buffers */
  window: number;
  /** how to open the file: 'w' (replace) or 'wx' (must not exist) */
  flags: 'w' | 'wx';
  /**
   * At most how many bytes the chunks will take from the start of the file: reserved up front for durable
   * output (see preallocate.ts) so several direct writes can be in flight. The writer truncates the file to its
   * real size at the end.
   */
  reserve?: number;
}

/**
 * With fsync on, flush every this many bytes while encrypting goes on, so the disk writes in
 * parallel with the CPU work instead of all at the final fsync.
 */
const FLUSH_EVERY = 128 * 1024 * 1024;

/** Direct I/O needs the file position, the length and the buffer aligned; 4 KiB suits every common disk. */
const DIRECT_ALIGNMENT = 4096;

/** Chunk writes in flight when they go directly into reserved space (2 and 4 measured alike on 2 cores). */
const RESERVED_DIRECT_WRITES = 4;

/**
 * The sealed file: positional writes of encrypted chunks while later chunks are still being encrypted, and the
 * metadata written last.
 *
 * Durable output writes the chunks with direct I/O (a second descriptor with O_DIRECT): the disk reads them
 * straight from the chunk buffers, so the CPU no longer copies every sealed byte into the page cache, the
 * kernel does not write it back later, and the final fsync has only the metadata left. On this VM that copy
 * cost 0.13–0.64 s per GiB (the page cache's fresh pages are slow to touch here) and made a durable seal swing
 * between 0.7 and 2 s for 1 GiB. Chunks that are not page-aligned, file systems without O_DIRECT, and the
 * small metadata writes go through the page cache, with background flushes so the disk works while the CPU does.
 * When the writer says how much the chunks can take (`reserve`), that space is allocated up front and several
 * direct writes run at once (see preallocate.ts).
 */
export class SealedOutput {
  private readonly inFlight = new Set<Promise<void>>();
  /** Each lane writes its chunks one after the other; chunks go to the lanes in turn. */
  private readonly lanes: Promise<void>[];
  private nextLane = 0;
  /** The space reservation, while it runs (it must end before the file is cut to size or closed). */
  private reserving: Promise<void> = Promise.resolve();
  private readonly flushes: Promise<void>[] = [];
  private flushing: Promise<void> | null = null;
  private unflushed = 0;
  private directWritten = 0;
  private readonly fsync: boolean;

  /** Whether chunks still go through `direct` (false once it refused one; other lanes may still be using it). */
  private directUsable: boolean;

  private constructor(
    private readonly file: FileHandle,
    private readonly direct: FileHandle | null,
    private readonly options: SealedOutputOptions,
  ) {
    this.fsync = options.fsync !== false;
    this.lanes = [Promise.resolve()];
    this.directUsable = direct !== null;
  }

  static async open(path: string, options: SealedOutputOptions): Promise<SealedOutput> {
    const file = await open(path, options.flags, 0o600);
    try {
      const output = new SealedOutput(file, options.fsync !== false ? await openDirect(path) : null, options);
      if (output.direct && options.reserve !== undefined) {
        // In the background: starting fallocate takes 6–30 ms here, and the first chunks need not wait for it
        // (fallocate leaves blocks already written alone).
        output.reserving = preallocate(path, options.reserve).then((reserved) => {
          while (reserved && output.lanes.length < RESERVED_DIRECT_WRITES) output.lanes.push(Promise.resolve());
        });
      }
      return output;
    } catch (error) {
      await file.close();
      throw error;
    }
  }

  /**
   * Queues `data` (a promise of the encrypted bytes, e.g. a pool run) to be written at `position`; `onWritten`
   * runs once it is in the file. Resolves when the window has room for the next chunk; a failure of any queued
   * chunk surfaces from a later `add` or from `drain`.
   */
  async add(data: Promise<Buffer>, position: number, onWritten?: (written: Buffer) => void): Promise<void> {
    // One lane (one write at a time, in the order added) unless the space is reserved: a file system takes one
    // allocating writer per file anyway (ext4's inode lock), and on 2 cores buffered writers waiting for it spun
    // on the lock and took CPU from the encryption.
    const lane = this.nextLane;
    this.nextLane = (lane + 1) % this.lanes.length;
    const task: Promise<void> = this.lanes[lane]!.then(() => data)
      .then(async (bytes) => {
        await this.writeChunk(bytes, position);
        onWritten?.(bytes);
      })
      .finally(() => this.inFlight.delete(task));
    this.lanes[lane] = task.catch(() => undefined);
    task.catch(() => undefined); // raced below and awaited by drain
    this.inFlight.add(task);
    while (this.inFlight.size >= this.options.window) await Promise.race(this.inFlight);
  }

  /** Waits for every queued chunk, flush and the space reservation; rethrows the first failure. */
  async drain(): Promise<void> {
    await this.reserving;
    await Promise.all(this.inFlight);
    await Promise.all(this.flushes);
  }

  /** Writes metadata directly (after drain): headers, tables. */
  write(data: Buffer, position: number): Promise<void> {
    return writeFully(this.file, data, position);
  }

  /** Cuts or extends the file to `size` bytes (after the reservation, which could extend it again). */
  async truncate(size: number): Promise<void> {
    await this.reserving;
    await this.file.truncate(size);
  }

  /** The final fsync, when asked for. */
  async finish(): Promise<void> {
    await this.drain();
    if (this.fsync) await this.file.sync();
  }

  /** Bytes that went to the disk with direct I/O so far. */
  get directBytes(): number {
    return this.directWritten;
  }

  /** For `finally`: waits for everything started, whatever happened, then closes the file. */
  async close(): Promise<void> {
    await Promise.allSettled([this.reserving, ...this.inFlight, ...this.flushes]);
    const closing = await Promise.allSettled([this.direct?.close(), this.file.close()]);
    for (const result of closing) if (result.status === 'rejected') throw result.reason;
  }

  /**
   * A chunk whose start or end is not on a page boundary is written in up to three parts: the whole pages in the
   * middle directly, the partial pages at either end through the page cache (e.g. a VHD block's bitmap sector
   * just before its page-aligned data). No page is ever written both ways: a direct part covers whole pages
   * only, and those hold nothing of any other chunk.
   */
  private async writeChunk(bytes: Buffer, position: number): Promise<void> {
    const { head, middle } = this.directUsable ? directPart(bytes, position) : { head: bytes.length, middle: 0 };
    if (middle > 0 && (await this.writeDirect(bytes.subarray(head, head + middle), position + head))) {
      if (head > 0) await this.writeCached(bytes.subarray(0, head), position);
      if (head + middle < bytes.length) await this.writeCached(bytes.subarray(head + middle), position + head + middle);
      return;
    }
    await this.writeCached(bytes, position);
  }

  /** False when the file system or the buffer turns out not to take direct I/O (EINVAL); then none is tried again. */
  private async writeDirect(bytes: Buffer, position: number): Promise<boolean> {
    if (!this.direct || !this.directUsable) return false;
    try {
      await writeFully(this.direct, bytes, position);
      this.directWritten += bytes.length;
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EINVAL') throw error;
      this.directUsable = false; // closed with the file: a write on another lane may still be using it
      return false;
    }
  }

  private async writeCached(bytes: Buffer, position: number): Promise<void> {
    await writeFully(this.file, bytes, position);
    this.unflushed += bytes.length;
    this.flushInBackground();
  }

  private flushInBackground(): void {
    if (!this.fsync || this.flushing || this.unflushed < FLUSH_EVERY) return;
    this.unflushed = 0;
    const flushing = this.file.datasync().finally(() => {
      this.flushing = null;
    });
    flushing.catch(() => undefined);
    this.flushing = flushing;
    this.flushes.push(flushing);
  }
}

/**
 * The whole pages of a chunk: `head` bytes before them, `middle` bytes of them (0 when there are none, or when
 * the memory is not aligned the same way as the file position).
 */
function directPart(bytes: Buffer, position: number): { head: number; middle: number } {
  const head = (DIRECT_ALIGNMENT - (position % DIRECT_ALIGNMENT)) % DIRECT_ALIGNMENT;
  const middle = Math.max(0, Math.floor((bytes.length - head) / DIRECT_ALIGNMENT) * DIRECT_ALIGNMENT);
  if ((bytes.byteOffset + head) % DIRECT_ALIGNMENT !== 0) return { head: bytes.length, middle: 0 };
  return { head: Math.min(head, bytes.length), middle };
}

/** A second, write-only descriptor of the file with O_DIRECT, or null where the platform or file system has none. */
async function openDirect(path: string): Promise<FileHandle | null> {
  const flag = (constants as { O_DIRECT?: number }).O_DIRECT;
  if (flag === undefined) return null;
  try {
    return await open(path, constants.O_WRONLY | flag);
  } catch {
    return null;
  }
}

export async function writeFully(file: FileHandle, data: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < data.length) {
    const { bytesWritten } = await file.write(data, done, data.length - done, position + done);
    if (bytesWritten <= 0) throw new AppError('SEAL_WRITE_FAILED', 'Writing the sealed image made no progress.');
    done += bytesWritten;
  }
}
