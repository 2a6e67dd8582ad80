import { createHash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { AppError } from '../common/errors';

/**
 * Reads a part of the source file into a caller-owned buffer and computes its MD5, once: that MD5 becomes the
 * Content-MD5 header, goes into the journal and later into the multipart ETag. MD5 costs ~1.5 CPU s per GiB
 * here, more than everything else in an upload together, so reading and hashing run in worker threads while
 * the main thread keeps the sockets busy. Parts land in slots of shared memory that every reading thread knows
 * from the start, so a part never travels between threads: handing 16 MiB buffers back and forth instead made
 * each isolate count them as new external memory and run a full garbage collection every few parts, which cost
 * more CPU than the hashing moved away.
 *
 * The worker is a few lines of plain JavaScript evaluated from a string: it then runs the same from source
 * (tsx), from the built bundle and inside Electron, with no separate entry to build.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { openSync, readSync, closeSync } = require('node:fs');
const { createHash } = require('node:crypto');
const fds = new Map();
const slots = new Map();
parentPort.on('message', (job) => {
  if (job.type === 'close') { for (const fd of fds.values()) closeSync(fd); fds.clear(); return; }
  if (job.type === 'slot') { slots.set(job.slotId, new Uint8Array(job.memory)); return; }
  try {
    let fd = fds.get(job.path);
    if (fd === undefined) { fd = openSync(job.path, 'r'); fds.set(job.path, fd); }
    const slot = slots.get(job.slotId);
    let done = 0;
    let md5;
    if (slot.length >= job.length) {
      while (done < job.length) {
        const n = readSync(fd, slot, done, job.length - done, job.offset + done);
        if (n === 0) break;
        done += n;
      }
      md5 = createHash('md5').update(slot.subarray(0, done)).digest('hex');
    } else {
      // hash-only: the part is larger than the slot, which is then a window moved along the range
      const hash = createHash('md5');
      while (done < job.length) {
        const n = readSync(fd, slot, 0, Math.min(slot.length, job.length - done), job.offset + done);
        if (n === 0) break;
        hash.update(slot.subarray(0, n));
        done += n;
      }
      md5 = hash.digest('hex');
    }
    parentPort.postMessage({ id: job.id, md5, bytesRead: done });
  } catch (error) {
    parentPort.postMessage({ id: job.id, error: String(error && error.message || error), code: error && error.code });
  }
});
`;

/** One reading thread per core, up to the default 4 parts in flight; none on a single core. */
export function defaultReaderThreads(cores = availableParallelism()): number {
  return cores <= 1 ? 0 : Math.min(4, cores);
}

/** Where a part is read to: memory shared with the reading threads. */
export interface PartSlot {
  readonly id: number;
  /** after `read`, the part's bytes at [0, size) (unless the part is larger than the slot: hash only) */
  readonly bytes: Buffer;
}

export interface ReadPart {
  md5: string;
}

interface WorkerReply {
  id: number;
  md5?: string;
  bytesRead?: number;
  error?: string;
  code?: string;
}

interface Pending {
  resolve: (reply: WorkerReply) => void;
  reject: (error: unknown) => void;
}

export class PartReader {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private nextSlotId = 1;
  private nextWorker = 0;
  private closed = false;
  private handle: Promise<FileHandle> | undefined;

  /**
   * `threads: 0` reads (on libuv's pool) and hashes on the calling thread, which then stalls the sockets for
   * ~25 ms per 16 MiB part: on 2 cores bench/upload.ts measured 350–400 MB/s that way against 450–550 MB/s with
   * two hashing threads, at the same CPU per GiB (with shared slots; see above).
   */
  constructor(
    private readonly path: string,
    threads = defaultReaderThreads(),
  ) {
    for (let index = 0; index < threads; index += 1) {
      const worker = new Worker(WORKER_SOURCE, { eval: true });
      worker.unref();
      worker.on('message', (reply: WorkerReply) => {
        const waiting = this.pending.get(reply.id);
        if (!waiting) return;
        this.pending.delete(reply.id);
        waiting.resolve(reply);
      });
      worker.on('error', (error) => this.failAll(error));
      this.workers.push(worker);
    }
  }

  /** A slot of `size` bytes for `read`; it lives as long as this reader. */
  createSlot(size: number): PartSlot {
    if (size <= 0) throw new RangeError('a part slot needs at least one byte');
    const memory = new SharedArrayBuffer(size);
    const slot: PartSlot = { id: this.nextSlotId++, bytes: Buffer.from(memory) };
    for (const worker of this.workers) worker.postMessage({ type: 'slot', slotId: slot.id, memory });
    return slot;
  }

  /**
   * Reads `length` bytes at `offset` into `slot` and hashes them. With a slot smaller than the part, only the
   * MD5 is computed (the slot serves as a moving window).
   */
  async read(offset: number, length: number, slot: PartSlot): Promise<ReadPart> {
    if (this.closed) throw new Error('PartReader is closed');
    const reply =
      this.workers.length === 0
        ? await this.readHere(offset, length, slot)
        : await this.readInWorker(offset, length, slot);
    if (reply.error !== undefined) {
      throw new AppError('UPLOAD_SOURCE_UNREADABLE', `Cannot read ${this.path}: ${reply.error}`, {
        hint: 'Check that the sealed file is still there and readable, then resume.',
        details: { code: reply.code },
      });
    }
    if (reply.bytesRead !== length) {
      throw new AppError('UPLOAD_SOURCE_CHANGED', `The file ${this.path} became shorter while it was being uploaded.`, {
        hint: 'Do not change the sealed file during an upload. Cancel this upload and start it again.',
      });
    }
    return { md5: reply.md5 ?? '' };
  }

  private readInWorker(offset: number, length: number, slot: PartSlot): Promise<WorkerReply> {
    const id = this.nextId++;
    const worker = this.workers[this.nextWorker++ % this.workers.length];
    return new Promise<WorkerReply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ type: 'read', id, path: this.path, offset, length, slotId: slot.id });
    }).finally(() => {
      if (this.pending.size === 0) for (const w of this.workers) w.unref();
    });
  }

  private async readHere(offset: number, length: number, slot: PartSlot): Promise<WorkerReply> {
    try {
      // one handle for all parts (opening per part showed up in profiles); closed by close()
      this.handle ??= open(this.path, 'r');
      const handle = await this.handle;
      const window = slot.bytes.length >= length ? slot.bytes.subarray(0, length) : slot.bytes;
      const hash = createHash('md5');
      let done = 0;
      while (done < length) {
        const windowOffset = window.length === length ? done : 0;
        const { bytesRead } = await handle.read(
          window,
          windowOffset,
          Math.min(window.length - windowOffset, length - done),
          offset + done,
        );
        if (bytesRead === 0) break;
        hash.update(window.subarray(windowOffset, windowOffset + bytesRead));
        done += bytesRead;
      }
      return { id: 0, md5: hash.digest('hex'), bytesRead: done };
    } catch (error) {
      this.handle = undefined;
      return { id: 0, error: (error as Error).message, code: (error as NodeJS.ErrnoException).code };
    }
  }

  private failAll(error: unknown): void {
    for (const waiting of this.pending.values()) waiting.reject(error);
    this.pending.clear();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.failAll(new Error('PartReader closed'));
    await Promise.all(this.workers.map((worker) => worker.terminate()));
    const handle = this.handle;
    this.handle = undefined;
    await handle?.then((opened) => opened.close()).catch(() => undefined);
  }
}
