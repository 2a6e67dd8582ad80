import { createCipheriv, createDecipheriv, type Cipher, type Decipher } from 'node:crypto';
import { endianness } from 'node:os';
import { AppError } from '../common/errors';
import { XTS_TWEAK_WASM_BASE64 } from './xts-tweak-wasm';

/**
 * AES-XTS over whole 512-byte sectors, byte-identical to OpenSSL's `aes-256-xts` / `aes-128-xts` with the
 * dm-crypt IV generators `plain64` (64-bit little-endian sector number) and `plain` (32-bit, wraps at 2^32).
 *
 * Why not `createCipheriv('aes-256-xts', key, iv)`: Node cannot change the tweak of a live cipher object, so
 * that costs one OpenSSL context per sector (~160 MB/s here). Instead, two long-lived AES-ECB contexts do all
 * the AES work of a whole batch of sectors in one call each, and the tweak arithmetic (multiplication by α in
 * GF(2^128)) and the XORs run in a small WebAssembly SIMD module (xts-tweak.wat): in plain JS over 32-bit words
 * they cost more than the AES and held the cipher near 1 GB/s per core; with SIMD it runs at about twice that.
 * The result is checked against OpenSSL's XTS in the tests.
 */
export type XtsIvMode = 'plain64' | 'plain';

export const XTS_SECTOR_SIZE = 512;
/**
 * Sectors per ECB call. 64 KiB measured fastest: Node allocates a fresh output buffer per `update`; from 128 KiB
 * up glibc serves it with mmap, whose page faults cost more than the AES itself, and smaller calls pay Node's
 * per-call cost more often.
 */
const BATCH_SECTORS = 128;
const BATCH_BYTES = BATCH_SECTORS * XTS_SECTOR_SIZE;

if (endianness() !== 'LE') {
  // The sector numbers are written as little-endian 32-bit words through an Int32Array.
  throw new Error('main/crypto/xts.ts needs a little-endian platform');
}

export interface XtsCipher {
  /** 'aes-256-xts' or 'aes-128-xts' */
  readonly algorithm: string;
  readonly keyBytes: number;
  readonly ivMode: XtsIvMode;
  /**
   * Encrypts `data` (a whole number of 512-byte sectors) whose first sector has number `firstSector`,
   * writing the ciphertext into `out` (default: in place). Returns `out`.
   */
  encrypt(data: Uint8Array, firstSector: number, out?: Uint8Array): Uint8Array;
  decrypt(data: Uint8Array, firstSector: number, out?: Uint8Array): Uint8Array;
  /** Releases the OpenSSL contexts and zeroes the scratch buffers. The object is unusable after. */
  dispose(): void;
}

export function xtsAlgorithm(keyBytes: number): string {
  if (keyBytes === 64) return 'aes-256-xts';
  if (keyBytes === 32) return 'aes-128-xts';
  throw new AppError('XTS_KEY_SIZE', `An XTS key must be 32 or 64 bytes, not ${keyBytes}.`, {
    hint: '64 bytes select AES-256-XTS, 32 bytes AES-128-XTS.',
  });
}

/** Throws when the key is unusable for XTS (wrong size, or both halves equal, which OpenSSL 3 refuses). */
export function assertXtsKey(key: Uint8Array): void {
  xtsAlgorithm(key.length);
  const half = key.length / 2;
  let differ = 0;
  for (let i = 0; i < half; i++) differ |= key[i]! ^ key[half + i]!;
  if (differ === 0) {
    throw new AppError('XTS_KEY_WEAK', 'The XTS key has two equal halves, which XTS forbids.', {
      hint: 'Use a key of random bytes (e.g. a freshly generated DEK).',
    });
  }
}

export function createXtsCipher(key: Uint8Array, ivMode: XtsIvMode = 'plain64'): XtsCipher {
  assertXtsKey(key);
  return new EcbXtsCipher(key, ivMode);
}

/** The IV OpenSSL's XTS expects for a sector: the sector number little-endian in 16 bytes. */
export function xtsSectorIv(sector: number, ivMode: XtsIvMode): Buffer {
  const iv = Buffer.alloc(16);
  writeSectorNumber(iv, 0, sector, ivMode);
  return iv;
}

function writeSectorNumber(target: Buffer, offset: number, sector: number, ivMode: XtsIvMode): void {
  if (!Number.isSafeInteger(sector) || sector < 0) {
    throw new AppError('XTS_SECTOR_RANGE', `Sector number ${sector} is out of range.`);
  }
  const low = sector % 0x1_0000_0000;
  target.writeUInt32LE(low, offset);
  target.writeUInt32LE(ivMode === 'plain64' ? Math.floor(sector / 0x1_0000_0000) : 0, offset + 4);
  target.writeUInt32LE(0, offset + 8);
  target.writeUInt32LE(0, offset + 12);
}

/** The compiled tweak module, shared by every cipher of this thread; each cipher has its own instance and memory. */
let tweakModule: object | null = null;

/** The parts of the WebAssembly API used here (the Node typings this project builds with do not declare them). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

interface TweakExports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  mask(first: number, sectors: number, tweaks: number, data: number, work: number): void;
  unmask(out: number, tweaks: number, bytes: number): void;
}

function instantiateTweakModule(): TweakExports {
  tweakModule ??= new wasm.Module(Buffer.from(XTS_TWEAK_WASM_BASE64, 'base64'));
  return new wasm.Instance(tweakModule, {}).exports as TweakExports;
}

/** Byte offsets in the tweak module's memory: first tweaks, all tweaks of a batch, the masked input, the data. */
const FIRST_TWEAKS_AT = 0;
const TWEAKS_AT = BATCH_SECTORS * 16;
const WORK_AT = TWEAKS_AT + BATCH_BYTES;
const DATA_AT = WORK_AT + BATCH_BYTES;
const MEMORY_BYTES = DATA_AT + BATCH_BYTES;

class EcbXtsCipher implements XtsCipher {
  readonly algorithm: string;
  readonly keyBytes: number;
  private readonly tweakCipher: Cipher;
  private readonly dataCipher: Cipher;
  private readonly dataDecipher: Decipher;
  private readonly sectorNumbers = new Int32Array(BATCH_SECTORS * 4);
  private readonly sectorNumberBytes = new Uint8Array(this.sectorNumbers.buffer);
  private readonly tweak: TweakExports;
  private readonly memory: Uint8Array;
  private disposed = false;

  constructor(
    key: Uint8Array,
    readonly ivMode: XtsIvMode,
  ) {
    this.keyBytes = key.length;
    this.algorithm = xtsAlgorithm(key.length);
    this.tweak = instantiateTweakModule();
    const pages = Math.ceil((MEMORY_BYTES - this.tweak.memory.buffer.byteLength) / 65536);
    if (pages > 0) this.tweak.memory.grow(pages);
    this.memory = new Uint8Array(this.tweak.memory.buffer);
    const ecb = key.length === 64 ? 'aes-256-ecb' : 'aes-128-ecb';
    const half = key.length / 2;
    const tweakKey = Buffer.from(key.subarray(half));
    const wholeKey = Buffer.from(key);
    let zeroTweakIv: Buffer | null = null;
    try {
      this.tweakCipher = createCipheriv(ecb, tweakKey, null).setAutoPadding(false);
      // The data pass is plain AES-ECB under the data key, but run through an XTS context whose tweak is zero:
      // OpenSSL restarts an XTS context's tweak from its IV on every update, and with IV = D_tweakKey(0) that
      // tweak E_tweakKey(IV)·α^j is 0 for every block, so the XTS context computes exactly ECB. Node returns an
      // XTS update's output as is, while for ECB (block size 16) it allocates a second, zero-filled buffer
      // and copies the output into it: that copy and its page faults cost as much as the AES.
      zeroTweakIv = createDecipheriv(ecb, tweakKey, null).setAutoPadding(false).update(Buffer.alloc(16));
      this.dataCipher = createCipheriv(this.algorithm, wholeKey, zeroTweakIv);
      this.dataDecipher = createDecipheriv(this.algorithm, wholeKey, zeroTweakIv);
    } finally {
      tweakKey.fill(0);
      wholeKey.fill(0);
      zeroTweakIv?.fill(0);
    }
  }

  encrypt(data: Uint8Array, firstSector: number, out: Uint8Array = data): Uint8Array {
    return this.run(data, firstSector, out, this.dataCipher);
  }

  decrypt(data: Uint8Array, firstSector: number, out: Uint8Array = data): Uint8Array {
    return this.run(data, firstSector, out, this.dataDecipher);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.memory.fill(0);
    this.sectorNumbers.fill(0);
    // final() frees nothing of the key in Node, but ends the contexts so they cannot be used again.
    for (const context of [this.dataCipher, this.dataDecipher, this.tweakCipher]) {
      try {
        context.final();
      } catch {
        // an ECB context with no pending data cannot fail here; ignore anyway
      }
    }
  }

  private run(data: Uint8Array, firstSector: number, out: Uint8Array, aes: Cipher | Decipher): Uint8Array {
    if (this.disposed) throw new Error('XTS cipher used after dispose()');
    if (data.length % XTS_SECTOR_SIZE !== 0) {
      throw new AppError('XTS_LENGTH', `XTS input must be whole 512-byte sectors (got ${data.length} bytes).`);
    }
    if (out.length < data.length) throw new RangeError('XTS output buffer is too small');
    const lastSector = firstSector + data.length / XTS_SECTOR_SIZE - 1;
    if (!Number.isSafeInteger(firstSector) || firstSector < 0 || !Number.isSafeInteger(lastSector)) {
      throw new AppError('XTS_SECTOR_RANGE', `Sector number ${firstSector} is out of range.`);
    }
    const sectors = data.length / XTS_SECTOR_SIZE;
    for (let done = 0; done < sectors; done += BATCH_SECTORS) {
      const count = Math.min(BATCH_SECTORS, sectors - done);
      const start = done * XTS_SECTOR_SIZE;
      const end = start + count * XTS_SECTOR_SIZE;
      this.batch(data.subarray(start, end), firstSector + done, count, out.subarray(start, end), aes);
    }
    return out;
  }

  /** C = E(P ⊕ T) ⊕ T for every block, with T_j = E_tweakKey(sector number) · α^j (decryption: D instead of E). */
  private batch(data: Uint8Array, firstSector: number, count: number, out: Uint8Array, aes: Cipher | Decipher) {
    const numbers = this.sectorNumbers;
    const plain64 = this.ivMode === 'plain64';
    for (let s = 0; s < count; s++) {
      const sector = firstSector + s;
      numbers[s * 4] = (sector % 0x1_0000_0000) | 0;
      numbers[s * 4 + 1] = plain64 ? Math.floor(sector / 0x1_0000_0000) | 0 : 0;
    }
    const memory = this.memory;
    const bytes = count * XTS_SECTOR_SIZE;
    const encryptedNumbers = this.tweakCipher.update(this.sectorNumberBytes.subarray(0, count * 16));
    memory.set(encryptedNumbers, FIRST_TWEAKS_AT);
    encryptedNumbers.fill(0);
    copyBytes(data, memory, DATA_AT);
    this.tweak.mask(FIRST_TWEAKS_AT, count, TWEAKS_AT, DATA_AT, WORK_AT);
    const transformed = aes.update(memory.subarray(WORK_AT, WORK_AT + bytes));
    memory.set(transformed, DATA_AT);
    transformed.fill(0);
    this.tweak.unmask(DATA_AT, TWEAKS_AT, bytes);
    copyBytes(memory.subarray(DATA_AT, DATA_AT + bytes), out, 0);
  }
}

/**
 * Copies `source` into `target` at `offset`. TypedArray.prototype.set copies to or from a SharedArrayBuffer (the
 * seal's chunk slots) with V8's relaxed-atomic moves, which cost as much as the AES itself; there, a whole-length
 * Buffer.prototype.fill does the same copy as one memcpy in Node's C++ (SAB-backed 2 MiB chunks: 713 → 625 ms
 * per GiB). Between private buffers `set` is the faster of the two.
 */
function copyBytes(source: Uint8Array, target: Uint8Array, offset: number): void {
  if (source.buffer instanceof SharedArrayBuffer || target.buffer instanceof SharedArrayBuffer) {
    if (source.length > 0) Buffer.prototype.fill.call(target, source, offset, offset + source.length);
  } else {
    target.set(source, offset);
  }
}
