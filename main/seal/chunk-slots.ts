/**
 * The chunk buffers of a seal, carved out of one SharedArrayBuffer that the encryption workers get once: a
 * worker then transforms a slot in place, with no transfer of the chunk to the worker and back, nor the copy
 * `run` makes of a Buffer that shares its ArrayBuffer with others.
 *
 * Every slot starts on a page boundary, so the sealed output can write it with direct I/O (O_DIRECT takes only
 * aligned buffers). A `new SharedArrayBuffer` comes from malloc and is only 16-byte aligned; the buffer of a
 * shared WebAssembly memory is mapped pages, so the memory is taken from one of those.
 */

const PAGE = 4096;
const WASM_PAGE = 65536;

/** The part of the WebAssembly API used here (the Node typings this project builds with do not declare it). */
interface SharedMemoryApi {
  Memory: new (descriptor: { initial: number; maximum: number; shared: true }) => { buffer: SharedArrayBuffer };
}

/** A SharedArrayBuffer of at least `bytes` bytes whose first byte is page-aligned. */
export function pageAlignedSharedMemory(bytes: number): SharedArrayBuffer {
  const pages = Math.max(1, Math.ceil(bytes / WASM_PAGE));
  const api = (globalThis as unknown as { WebAssembly: SharedMemoryApi }).WebAssembly;
  return new api.Memory({ initial: pages, maximum: pages, shared: true }).buffer;
}

export class ChunkSlots {
  readonly memory: SharedArrayBuffer;
  /** Bytes per slot: the asked size rounded up to whole pages (4 KiB). */
  readonly slotBytes: number;
  private readonly free: number[] = [];
  private readonly inUse: boolean[];
  private readonly waiting: Array<(slot: number) => void> = [];

  constructor(
    readonly count: number,
    bytesPerSlot: number,
  ) {
    if (!Number.isInteger(count) || count < 1 || !Number.isInteger(bytesPerSlot) || bytesPerSlot < 1) {
      throw new RangeError(`ChunkSlots needs at least one slot of at least one byte (${count} × ${bytesPerSlot})`);
    }
    this.slotBytes = Math.ceil(bytesPerSlot / PAGE) * PAGE;
    this.memory = pageAlignedSharedMemory(count * this.slotBytes);
    this.inUse = new Array<boolean>(count).fill(false);
    for (let slot = count - 1; slot >= 0; slot--) this.free.push(slot);
  }

  /** A whole free slot (its contents are whatever the last user left); waits while every slot is in use. */
  async take(): Promise<Buffer> {
    const slot = this.free.pop() ?? (await new Promise<number>((resolve) => this.waiting.push(resolve)));
    this.inUse[slot] = true;
    return Buffer.from(this.memory, slot * this.slotBytes, this.slotBytes);
  }

  /** Returns the slot a view lies in, wherever in the slot it starts (for layouts that use a slot from an offset). */
  giveContaining(view: Uint8Array): void {
    const start = Math.floor(view.byteOffset / this.slotBytes) * this.slotBytes;
    if (view.buffer !== this.memory || view.byteOffset + view.length > start + this.slotBytes) {
      throw new RangeError('ChunkSlots.giveContaining: not a view inside one of these slots');
    }
    this.give(new Uint8Array(this.memory, start, 1));
  }

  /** Returns the slot `buffer` lies in (any view that starts at a slot's start). */
  give(buffer: Uint8Array): void {
    if (buffer.buffer !== this.memory || buffer.byteOffset % this.slotBytes !== 0) {
      throw new RangeError('ChunkSlots.give: not a view at the start of one of these slots');
    }
    const slot = buffer.byteOffset / this.slotBytes;
    if (!this.inUse[slot]) throw new RangeError(`ChunkSlots.give: slot ${slot} is not in use`);
    this.inUse[slot] = false;
    const waiter = this.waiting.shift();
    if (waiter) waiter(slot);
    else this.free.push(slot);
  }
}
