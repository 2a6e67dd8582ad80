import { open, type FileHandle } from 'node:fs/promises';
import { AppError } from '../common/errors';

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
  /** flush to disk while writing and fsync at the end (default true) */
  fsync?: boolean;
  /** chunks being encrypted or written at once; bounds memory to about this many chunk buffers */
  window: number;
  /** how to open the file: 'w' (replace) or 'wx' (must not exist) */
  flags: 'w' | 'wx';
}

/**
 * With fsync on, flush every this many bytes while encrypting goes on, so the disk writes in
 * parallel with the CPU work instead of all at the final fsync.
 */
const FLUSH_EVERY = 128 * 1024 * 1024;

/**
 * The sealed file: positional writes of encrypted chunks while later chunks are still being encrypted, with
 * background flushes so the disk works while the CPU does, and the metadata written last.
 */
export class SealedOutput {
  private readonly inFlight = new Set<Promise<void>>();
  private writing: Promise<void> = Promise.resolve();
  private readonly flushes: Promise<void>[] = [];
  private flushing: Promise<void> | null = null;
  private unflushed = 0;
  private readonly fsync: boolean;

  private constructor(
    private readonly file: FileHandle,
    private readonly options: SealedOutputOptions,
  ) {
    this.fsync = options.fsync !== false;
  }

  static async open(path: string, options: SealedOutputOptions): Promise<SealedOutput> {
    return new SealedOutput(await open(path, options.flags, 0o600), options);
  }

  /**
   * Queues `data` (a promise of the encrypted bytes, e.g. a pool run) to be written at `position`; `onWritten`
   * runs once it is in the file. Resolves when the window has room for the next chunk; a failure of any queued
   * chunk surfaces from a later `add` or from `drain`.
   */
  async add(data: Promise<Buffer>, position: number, onWritten?: (written: Buffer) => void): Promise<void> {
    // One write at a time, in the order added: a file system takes one writer per file anyway (ext4's inode
    // lock), and on 2 cores the writers waiting for it spun on the lock and took CPU from the encryption.
    const task: Promise<void> = this.writing
      .then(() => data)
      .then(async (bytes) => {
        await this.writeChunk(bytes, position);
        onWritten?.(bytes);
      })
      .finally(() => this.inFlight.delete(task));
    this.writing = task.catch(() => undefined);
    task.catch(() => undefined); // raced below and awaited by drain
    this.inFlight.add(task);
    while (this.inFlight.size >= this.options.window) await Promise.race(this.inFlight);
  }

  /** Waits for every queued chunk and flush; rethrows the first failure. */
  async drain(): Promise<void> {
    await Promise.all(this.inFlight);
    await Promise.all(this.flushes);
  }

  /** Writes metadata directly (after drain): headers, tables. */
  write(data: Buffer, position: number): Promise<void> {
    return writeFully(this.file, data, position);
  }

  /** Cuts or extends the file to `size` bytes. */
  truncate(size: number): Promise<void> {
    return this.file.truncate(size);
  }

  /** The final fsync, when asked for. */
  async finish(): Promise<void> {
    await this.drain();
    if (this.fsync) await this.file.sync();
  }

  /** For `finally`: waits for everything started, whatever happened, then closes the file. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.inFlight, ...this.flushes]);
    await this.file.close();
  }

  private async writeChunk(bytes: Buffer, position: number): Promise<void> {
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

export async function writeFully(file: FileHandle, data: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < data.length) {
    const { bytesWritten } = await file.write(data, done, data.length - done, position + done);
    if (bytesWritten <= 0) throw new AppError('SEAL_WRITE_FAILED', 'Writing the sealed image made no progress.');
    done += bytesWritten;
  }
}
