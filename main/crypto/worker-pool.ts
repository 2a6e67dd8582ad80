import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { abortable } from '../common/abortable';
import { AppError } from '../common/errors';
import { assertXtsKey, createXtsCipher, type XtsCipher, type XtsIvMode } from './xts';
import type { XtsRun, XtsWorkerReply, XtsWorkerRequest } from './xts-worker-protocol';

export type { XtsRun } from './xts-worker-protocol';

export interface XtsKeyHandle {
  readonly id: number;
}

/**
 * XTS on worker threads. Buffers travel by transfer, not copy: `run` takes ownership of `data`'s ArrayBuffer
 * (the caller's Buffer is detached afterwards) and resolves with a Buffer over the same memory, transformed in
 * place. Give it Buffers that own their whole ArrayBuffer (`allocTransferable`); others are copied first.
 * A Buffer over a SharedArrayBuffer (ChunkSlots) travels not at all: the memory is handed to every worker the
 * first time it is seen, each run names only a range of it, and `run` resolves with `data` itself, transformed
 * in place; `releaseMemory` lets the workers drop it. (Transferring large buffers back and forth made each
 * isolate count them as new external memory: in the upload path, 16 MiB parts caused a full GC every few parts.)
 * Results resolve per request; callers keep order by awaiting in the order they submitted.
 */
export interface XtsPool {
  readonly size: number;
  addKey(key: Uint8Array, ivMode?: XtsIvMode): Promise<XtsKeyHandle>;
  removeKey(handle: XtsKeyHandle): Promise<void>;
  /** Transforms the given runs of `data` (each whole 512-byte sectors); bytes outside the runs are kept. */
  run(handle: XtsKeyHandle, data: Buffer, runs: readonly XtsRun[], decrypt: boolean, signal?: AbortSignal): Promise<Buffer>;
  /** The workers forget a shared memory `run` handed them (when its user is done with it). */
  releaseMemory(memory: SharedArrayBuffer): Promise<void>;
  /** Terminates the workers; pending requests reject with XTS_POOL_CLOSED. */
  close(): Promise<void>;
}

/** A Buffer that owns its whole ArrayBuffer, so it can be transferred to a worker without a copy. */
export function allocTransferable(size: number): Buffer {
  return Buffer.from(new ArrayBuffer(size));
}

export function defaultPoolSize(): number {
  return Math.max(1, availableParallelism());
}

export function createXtsPool(size = defaultPoolSize()): XtsPool {
  return size <= 0 ? new InlineXtsPool() : new WorkerXtsPool(size);
}

/**
 * A built bundle ships xts-worker.js next to this module. From source (tsx, vitest) the worker needs tsx's
 * loader, and Node 20 does not apply `--import tsx` from a Worker's execArgv to the worker's own entry file,
 * so a two-line bootstrap registers tsx first and then imports the TypeScript worker.
 */
function spawnXtsWorker(): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL('./xts-worker.js', here));
  // require.resolve gives the CommonJS build of tsx's API; its ESM twin sits next to it.
  const tsxApi = pathToFileURL(createRequire(here).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  const entry = new URL('./xts-worker.ts', here).href;
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(bootstrap, { eval: true });
}

interface Pending {
  resolve: (reply: XtsWorkerReply) => void;
  reject: (error: unknown) => void;
  worker: WorkerSlot;
}

interface WorkerSlot {
  worker: Worker;
  inFlight: number;
}

class WorkerXtsPool implements XtsPool {
  private readonly slots: WorkerSlot[] = [];
  private readonly pending = new Map<number, Pending>();
  private readonly sharedMemories = new Map<SharedArrayBuffer, number>();
  private nextRequestId = 1;
  private nextKeyId = 1;
  private nextMemoryId = 1;
  private failure: AppError | null = null;
  private closed = false;

  constructor(readonly size: number) {
    for (let i = 0; i < size; i++) {
      const worker = spawnXtsWorker();
      const slot: WorkerSlot = { worker, inFlight: 0 };
      worker.on('message', (reply: XtsWorkerReply) => this.settle(reply));
      worker.on('error', (error) => this.fail(error));
      worker.on('exit', (code) => {
        if (!this.closed) this.fail(new Error(`XTS worker exited with code ${code}`));
      });
      // Idle workers must not keep a CLI process alive; `run` refs them while work is in flight.
      worker.unref();
      this.slots.push(slot);
    }
  }

  async addKey(key: Uint8Array, ivMode: XtsIvMode = 'plain64'): Promise<XtsKeyHandle> {
    assertXtsKey(key);
    const keyId = this.nextKeyId++;
    await Promise.all(
      this.slots.map((slot) => {
        const copy = new Uint8Array(key); // transferred, so no copy of the key stays on this thread
        return this.request(slot, (requestId) => ({ type: 'add-key', requestId, keyId, key: copy.buffer, ivMode }), [copy.buffer]);
      }),
    );
    return { id: keyId };
  }

  async removeKey(handle: XtsKeyHandle): Promise<void> {
    if (this.closed) return;
    await Promise.all(
      this.slots.map((slot) => this.request(slot, (requestId) => ({ type: 'remove-key', requestId, keyId: handle.id }), [])),
    );
  }

  async run(handle: XtsKeyHandle, data: Buffer, runs: readonly XtsRun[], decrypt: boolean, signal?: AbortSignal): Promise<Buffer> {
    signal?.throwIfAborted();
    checkRuns(data.length, runs);
    if (data.buffer instanceof SharedArrayBuffer) return this.runShared(handle, data, runs, decrypt, signal);
    let owned = data;
    if (data.byteOffset !== 0 || data.buffer.byteLength !== data.length) {
      owned = allocTransferable(data.length); // Buffer.from() could land in Node's shared pool slab
      data.copy(owned);
    }
    const buffer = owned.buffer as ArrayBuffer;
    const slot = this.leastBusy();
    const reply = this.request(
      slot,
      (requestId) => ({ type: 'run', requestId, keyId: handle.id, decrypt, buffer, runs: runs.map((r) => [...r] as const) }),
      [buffer],
    );
    const result = await abortable(reply, signal);
    if (result.type !== 'done') throw new Error('unexpected XTS worker reply');
    return Buffer.from(result.buffer);
  }

  async releaseMemory(memory: SharedArrayBuffer): Promise<void> {
    const memoryId = this.sharedMemories.get(memory);
    if (memoryId === undefined || this.closed) return;
    this.sharedMemories.delete(memory);
    await Promise.all(
      this.slots.map((slot) => this.request(slot, (requestId) => ({ type: 'remove-memory', requestId, memoryId }), [])),
    );
  }

  private async runShared(
    handle: XtsKeyHandle,
    data: Buffer,
    runs: readonly XtsRun[],
    decrypt: boolean,
    signal?: AbortSignal,
  ): Promise<Buffer> {
    const memoryId = this.sharedMemoryId(data.buffer as SharedArrayBuffer);
    const reply = this.request(
      this.leastBusy(),
      (requestId) => ({
        type: 'run-shared',
        requestId,
        keyId: handle.id,
        decrypt,
        memoryId,
        offset: data.byteOffset,
        length: data.length,
        runs: runs.map((r) => [...r] as const),
      }),
      [],
    );
    await abortable(reply, signal);
    return data;
  }

  /** The id the workers know `memory` by; the first time, hands it to every worker. */
  private sharedMemoryId(memory: SharedArrayBuffer): number {
    const known = this.sharedMemories.get(memory);
    if (known !== undefined) return known;
    const memoryId = this.nextMemoryId++;
    this.sharedMemories.set(memory, memoryId);
    // Not awaited: each worker reads its messages in order, so the memory arrives before any run naming it.
    for (const slot of this.slots) {
      this.request(slot, (requestId) => ({ type: 'add-memory', requestId, memoryId, memory }), []).catch(
        () => undefined, // a failing worker fails the pool, and the run naming the memory with it
      );
    }
    return memoryId;
  }

  private leastBusy(): WorkerSlot {
    return this.slots.reduce((best, candidate) => (candidate.inFlight < best.inFlight ? candidate : best));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const error = new AppError('XTS_POOL_CLOSED', 'The encryption workers were shut down.');
    for (const entry of this.pending.values()) entry.reject(error);
    this.pending.clear();
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
  }

  private request(
    slot: WorkerSlot,
    build: (requestId: number) => XtsWorkerRequest,
    transfer: ArrayBuffer[],
  ): Promise<XtsWorkerReply> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new AppError('XTS_POOL_CLOSED', 'The encryption workers were shut down.'));
    const requestId = this.nextRequestId++;
    return new Promise<XtsWorkerReply>((resolve, reject) => {
      this.pending.set(requestId, { resolve, reject, worker: slot });
      if (slot.inFlight++ === 0) slot.worker.ref();
      slot.worker.postMessage(build(requestId), transfer);
    });
  }

  private settle(reply: XtsWorkerReply): void {
    const entry = this.pending.get(reply.requestId);
    if (!entry) return;
    this.pending.delete(reply.requestId);
    if (--entry.worker.inFlight === 0) entry.worker.worker.unref();
    if (reply.type === 'error') entry.reject(new AppError(reply.code, reply.message));
    else entry.resolve(reply);
  }

  private fail(cause: unknown): void {
    if (this.failure) return;
    this.failure = new AppError('XTS_WORKER_FAILED', 'An encryption worker thread failed.', {
      hint: 'Try again; if it keeps failing, report it with the log.',
      cause,
    });
    for (const entry of this.pending.values()) entry.reject(this.failure);
    this.pending.clear();
    void this.close();
  }
}

/** The same interface on the calling thread: for tiny jobs (key material) and machines without workers. */
class InlineXtsPool implements XtsPool {
  readonly size = 0;
  private readonly ciphers = new Map<number, XtsCipher>();
  private nextKeyId = 1;

  async addKey(key: Uint8Array, ivMode: XtsIvMode = 'plain64'): Promise<XtsKeyHandle> {
    const id = this.nextKeyId++;
    this.ciphers.set(id, createXtsCipher(key, ivMode));
    return { id };
  }

  async removeKey(handle: XtsKeyHandle): Promise<void> {
    this.ciphers.get(handle.id)?.dispose();
    this.ciphers.delete(handle.id);
  }

  async run(handle: XtsKeyHandle, data: Buffer, runs: readonly XtsRun[], decrypt: boolean, signal?: AbortSignal): Promise<Buffer> {
    signal?.throwIfAborted();
    checkRuns(data.length, runs);
    const cipher = this.ciphers.get(handle.id);
    if (!cipher) throw new AppError('XTS_POOL_KEY', 'Unknown encryption key handle.');
    for (const [offset, length, firstSector] of runs) {
      const part = data.subarray(offset, offset + length);
      if (decrypt) cipher.decrypt(part, firstSector);
      else cipher.encrypt(part, firstSector);
    }
    return data;
  }

  async releaseMemory(): Promise<void> {
    // runs happen on this thread, in the caller's memory: nothing to forget
  }

  async close(): Promise<void> {
    for (const cipher of this.ciphers.values()) cipher.dispose();
    this.ciphers.clear();
  }
}

function checkRuns(length: number, runs: readonly XtsRun[]): void {
  for (const [offset, runLength] of runs) {
    if (offset < 0 || runLength < 0 || offset + runLength > length || runLength % 512 !== 0) {
      throw new RangeError(`XTS run [${offset}, +${runLength}) does not fit a ${length}-byte buffer in whole sectors`);
    }
  }
}
