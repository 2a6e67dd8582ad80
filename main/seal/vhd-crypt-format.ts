import { createHash, randomUUID } from 'node:crypto';
import { AppError } from '../common/errors';

/**
 * The on-disk structures of an encrypted dynamic VHD as XenServer's `vhd-util copy -k` writes it (blktap
 * libvhd, creator `tap` 1.3, batmap 1.2 carrying the key hash). See shared/VHD-CRYPT.md. Everything here is
 * pure: build and parse buffers, compute the layout. All integers are big-endian.
 */

export const SECTOR_SIZE = 512;
export const BLOCK_SIZE = 2 * 1024 * 1024;
export const SECTORS_PER_BLOCK = BLOCK_SIZE / SECTOR_SIZE;
/** One bit per sector of a block, padded to a whole sector. */
export const BLOCK_BITMAP_SECTORS = 1;
export const FOOTER_SIZE = 512;
export const DYNAMIC_HEADER_SIZE = 1024;
export const BATMAP_HEADER_SIZE = 512;
export const BAT_OFFSET = FOOTER_SIZE + DYNAMIC_HEADER_SIZE;
export const BAT_UNUSED = 0xffffffff;
/** blktap starts each block's data on a page (4 KiB = 8 sectors) boundary. */
export const DATA_ALIGN_SECTORS = 8;

export const FOOTER_COOKIE = 'conectix';
export const DYNAMIC_HEADER_COOKIE = 'cxsparse';
export const BATMAP_COOKIE = 'tdbatmap';
export const CREATOR_APP_TAP = 'tap\0';
export const CREATOR_VERSION_TAP = 0x00010003;
/** libvhd keeps the batmap (and with it the key hash) only for `tap` images of version 1.2 and later. */
export const MIN_CREATOR_VERSION_WITH_BATMAP = 0x00010002;
export const BATMAP_VERSION = 0x00010002;
export const DISK_TYPE_FIXED = 2;
export const DISK_TYPE_DYNAMIC = 3;
export const DISK_TYPE_DIFFERENCING = 4;
/** VHD timestamps count seconds from 2000-01-01T00:00:00Z. */
export const VHD_EPOCH_MS = Date.UTC(2000, 0, 1);
/** Our disks never exceed 100 GB, but BAT entries are 32-bit sector numbers: the file must stay below 2 TiB. */
export const MAX_FILE_SECTORS = 0xffffffff;

export const KEY_HASH_RECORD_SIZE = 65;
/** byte offsets inside the batmap header */
const BATMAP_MARKER_OFFSET = 28;
const KEY_HASH_OFFSET = 29;

export type VhdKeyBytes = 32 | 64;

function malformed(message: string, details?: Record<string, unknown>): AppError {
  return new AppError('VHD_MALFORMED', message, {
    hint: 'The file is not a valid encrypted VHD as vhd-util writes it. Check that it is the sealed output and was not truncated or altered.',
    details,
  });
}

// ---------------------------------------------------------------------------------------------------------
// Checksums

/** VHD checksum: one's complement of the 32-bit sum of all bytes, the checksum field counted as zero. */
export function vhdChecksum(structure: Uint8Array, checksumOffset: number): number {
  let sum = 0;
  for (let i = 0; i < structure.length; i += 1) {
    if (i >= checksumOffset && i < checksumOffset + 4) continue;
    sum = (sum + structure[i]) >>> 0;
  }
  return ~sum >>> 0;
}

/**
 * blktap's batmap checksum: NOT of the unsigned byte sum over the first `secs_round_up_no_zero(size >> 24)`
 * sectors of the batmap (libvhd `vhd_checksum_batmap`, batmap version 1.2). It depends on the footer's current
 * size, not on the batmap size in the header, so the two can disagree near sector boundaries; copy that exactly.
 */
export function batmapChecksum(batmap: Uint8Array, currentSize: number): number {
  const bytes = batmapChecksumSectors(currentSize) * SECTOR_SIZE;
  let sum = 0;
  for (let i = 0; i < bytes; i += 1) sum = (sum + (i < batmap.length ? batmap[i] : 0)) >>> 0;
  return ~sum >>> 0;
}

export function batmapChecksumSectors(currentSize: number): number {
  return sectorsNoZero(Math.floor(currentSize / 2 ** 24));
}

function sectorsNoZero(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / SECTOR_SIZE));
}

// ---------------------------------------------------------------------------------------------------------
// CHS geometry (the algorithm of the VHD specification, as libvhd `vhd_chs`)

export interface ChsGeometry {
  cylinders: number;
  heads: number;
  sectorsPerTrack: number;
}

export function chsGeometry(size: number): ChsGeometry {
  let totalSectors = sectorsNoZero(size);
  if (totalSectors > 65535 * 16 * 255) totalSectors = 65535 * 16 * 255;
  let sectorsPerTrack: number;
  let heads: number;
  let cylinderTimesHeads: number;
  if (totalSectors >= 65535 * 16 * 63) {
    sectorsPerTrack = 255;
    heads = 16;
    cylinderTimesHeads = Math.floor(totalSectors / sectorsPerTrack);
  } else {
    sectorsPerTrack = 17;
    cylinderTimesHeads = Math.floor(totalSectors / sectorsPerTrack);
    heads = Math.max(4, Math.floor((cylinderTimesHeads + 1023) / 1024));
    if (cylinderTimesHeads >= heads * 1024 || heads > 16) {
      sectorsPerTrack = 31;
      heads = 16;
      cylinderTimesHeads = Math.floor(totalSectors / sectorsPerTrack);
    }
    if (cylinderTimesHeads >= heads * 1024) {
      sectorsPerTrack = 63;
      heads = 16;
      cylinderTimesHeads = Math.floor(totalSectors / sectorsPerTrack);
    }
  }
  return { cylinders: Math.floor(cylinderTimesHeads / heads), heads, sectorsPerTrack };
}

export function encodeGeometry(geometry: ChsGeometry): number {
  return ((geometry.cylinders << 16) | (geometry.heads << 8) | geometry.sectorsPerTrack) >>> 0;
}

// ---------------------------------------------------------------------------------------------------------
// Footer

export interface VhdFooter {
  features: number;
  formatVersion: number;
  /** offset of the dynamic header; all ones for fixed disks */
  dataOffset: bigint;
  /** seconds since 2000-01-01 UTC */
  timestamp: number;
  creatorApp: string;
  creatorVersion: number;
  creatorOs: number;
  originalSize: number;
  currentSize: number;
  geometry: number;
  diskType: number;
  checksum: number;
  uuid: Buffer;
  savedState: number;
  hidden: number;
}

export function vhdTimestamp(date: Date): number {
  return Math.max(0, Math.floor((date.getTime() - VHD_EPOCH_MS) / 1000)) >>> 0;
}

export function uuidBytes(uuid: string = randomUUID()): Buffer {
  return Buffer.from(uuid.replace(/-/g, ''), 'hex');
}

/** The footer of a new tap 1.3 dynamic disk of `size` bytes (already rounded to whole blocks). */
export function newDynamicFooter(size: number, options: { now?: Date; uuid?: Buffer } = {}): VhdFooter {
  return {
    features: 2,
    formatVersion: 0x00010000,
    dataOffset: BigInt(FOOTER_SIZE),
    timestamp: vhdTimestamp(options.now ?? new Date()),
    creatorApp: CREATOR_APP_TAP,
    creatorVersion: CREATOR_VERSION_TAP,
    creatorOs: 0,
    originalSize: size,
    currentSize: size,
    geometry: encodeGeometry(chsGeometry(size)),
    diskType: DISK_TYPE_DYNAMIC,
    checksum: 0,
    uuid: options.uuid ?? uuidBytes(),
    savedState: 0,
    hidden: 0,
  };
}

export function buildFooter(footer: VhdFooter): Buffer {
  const buf = Buffer.alloc(FOOTER_SIZE);
  buf.write(FOOTER_COOKIE, 0, 'latin1');
  buf.writeUInt32BE(footer.features, 8);
  buf.writeUInt32BE(footer.formatVersion, 12);
  buf.writeBigUInt64BE(footer.dataOffset, 16);
  buf.writeUInt32BE(footer.timestamp, 24);
  buf.write(footer.creatorApp.padEnd(4, '\0').slice(0, 4), 28, 'latin1');
  buf.writeUInt32BE(footer.creatorVersion, 32);
  buf.writeUInt32BE(footer.creatorOs, 36);
  buf.writeBigUInt64BE(BigInt(footer.originalSize), 40);
  buf.writeBigUInt64BE(BigInt(footer.currentSize), 48);
  buf.writeUInt32BE(footer.geometry, 56);
  buf.writeUInt32BE(footer.diskType, 60);
  footer.uuid.copy(buf, 68, 0, 16);
  buf[84] = footer.savedState;
  buf[85] = footer.hidden;
  buf.writeUInt32BE(vhdChecksum(buf, 64), 64);
  return buf;
}

/** Parses and checks a footer; `where` names it in error messages. */
export function parseFooter(buf: Buffer, where = 'footer'): VhdFooter {
  if (buf.length < FOOTER_SIZE) throw malformed(`The VHD ${where} is incomplete (the file is too short).`);
  const block = buf.subarray(0, FOOTER_SIZE);
  if (block.toString('latin1', 0, 8) !== FOOTER_COOKIE) {
    throw malformed(`The VHD ${where} does not start with "conectix": this is not a VHD file, or it is truncated.`);
  }
  const checksum = block.readUInt32BE(64);
  const expected = vhdChecksum(block, 64);
  if (checksum !== expected) {
    throw malformed(`The VHD ${where} checksum is wrong (stored ${hex32(checksum)}, computed ${hex32(expected)}).`);
  }
  return {
    features: block.readUInt32BE(8),
    formatVersion: block.readUInt32BE(12),
    dataOffset: block.readBigUInt64BE(16),
    timestamp: block.readUInt32BE(24),
    creatorApp: block.toString('latin1', 28, 32),
    creatorVersion: block.readUInt32BE(32),
    creatorOs: block.readUInt32BE(36),
    originalSize: safeNumber(block.readBigUInt64BE(40), 'original size'),
    currentSize: safeNumber(block.readBigUInt64BE(48), 'current size'),
    geometry: block.readUInt32BE(56),
    diskType: block.readUInt32BE(60),
    checksum,
    uuid: Buffer.from(block.subarray(68, 84)),
    savedState: block[84],
    hidden: block[85],
  };
}

// ---------------------------------------------------------------------------------------------------------
// Dynamic header

export interface DynamicHeader {
  dataOffset: bigint;
  tableOffset: number;
  headerVersion: number;
  maxTableEntries: number;
  blockSize: number;
  checksum: number;
}

export function newDynamicHeader(blockCount: number): DynamicHeader {
  return {
    dataOffset: 0xffffffffffffffffn,
    tableOffset: BAT_OFFSET,
    headerVersion: 0x00010000,
    maxTableEntries: blockCount,
    blockSize: BLOCK_SIZE,
    checksum: 0,
  };
}

export function buildDynamicHeader(header: DynamicHeader): Buffer {
  const buf = Buffer.alloc(DYNAMIC_HEADER_SIZE);
  buf.write(DYNAMIC_HEADER_COOKIE, 0, 'latin1');
  buf.writeBigUInt64BE(header.dataOffset, 8);
  buf.writeBigUInt64BE(BigInt(header.tableOffset), 16);
  buf.writeUInt32BE(header.headerVersion, 24);
  buf.writeUInt32BE(header.maxTableEntries, 28);
  buf.writeUInt32BE(header.blockSize, 32);
  buf.writeUInt32BE(vhdChecksum(buf, 36), 36);
  return buf;
}

export function parseDynamicHeader(buf: Buffer): DynamicHeader {
  if (buf.length < DYNAMIC_HEADER_SIZE)
    throw malformed('The VHD dynamic header is incomplete (the file is too short).');
  const block = buf.subarray(0, DYNAMIC_HEADER_SIZE);
  if (block.toString('latin1', 0, 8) !== DYNAMIC_HEADER_COOKIE) {
    throw malformed('The VHD dynamic header does not start with "cxsparse".');
  }
  const checksum = block.readUInt32BE(36);
  const expected = vhdChecksum(block, 36);
  if (checksum !== expected) {
    throw malformed(
      `The VHD dynamic header checksum is wrong (stored ${hex32(checksum)}, computed ${hex32(expected)}).`,
    );
  }
  return {
    dataOffset: block.readBigUInt64BE(8),
    tableOffset: safeNumber(block.readBigUInt64BE(16), 'table offset'),
    headerVersion: block.readUInt32BE(24),
    maxTableEntries: block.readUInt32BE(28),
    blockSize: block.readUInt32BE(32),
    checksum,
  };
}

// ---------------------------------------------------------------------------------------------------------
// BAT and batmap

/** BAT as written: N big-endian uint32, zero-padded to whole sectors (at least one). */
export function buildBat(entries: Uint32Array | readonly number[]): Buffer {
  const buf = Buffer.alloc(sectorsNoZero(entries.length * 4) * SECTOR_SIZE);
  for (let i = 0; i < entries.length; i += 1) buf.writeUInt32BE(entries[i] >>> 0, i * 4);
  return buf;
}

export function parseBat(buf: Buffer, entryCount: number): Uint32Array {
  if (buf.length < entryCount * 4) throw malformed('The VHD block allocation table is incomplete.');
  const entries = new Uint32Array(entryCount);
  for (let i = 0; i < entryCount; i += 1) entries[i] = buf.readUInt32BE(i * 4);
  return entries;
}

/** One bit per block, most significant bit first; set = block fully present. `sectors` pads it. */
export function buildBatmap(present: ArrayLike<boolean>, sectors: number): Buffer {
  const buf = Buffer.alloc(sectors * SECTOR_SIZE);
  for (let b = 0; b < present.length; b += 1) if (present[b]) buf[b >> 3] |= 0x80 >> (b & 7);
  return buf;
}

export function batmapTest(batmap: Uint8Array, block: number): boolean {
  const byte = block >> 3;
  return byte < batmap.length && (batmap[byte] & (0x80 >> (block & 7))) !== 0;
}

export function batmapSectorsFor(blockCount: number): number {
  return sectorsNoZero(Math.ceil(blockCount / 8));
}

// ---------------------------------------------------------------------------------------------------------
// Key hash record (blktap `struct vhd_keyhash`) and batmap header

export interface KeyHashRecord {
  /** 1 when set */
  cookie: number;
  nonce: Buffer;
  hash: Buffer;
}

/** SHA-256(nonce ‖ key), as blktap's `vhd_calculate_keyhash`. */
export function computeKeyHash(key: Uint8Array, nonce: Uint8Array = Buffer.alloc(32)): Buffer {
  return createHash('sha256').update(nonce).update(key).digest();
}

/** The record `vhd-util copy -k` stores: cookie 1, nonce all zero. */
export function keyHashRecordFor(key: Uint8Array): KeyHashRecord {
  const nonce = Buffer.alloc(32);
  return { cookie: 1, nonce, hash: computeKeyHash(key, nonce) };
}

/** What `vhd-util key -p` prints for a record: `<nonce hex> <hash hex>`. */
export function formatKeyHash(record: KeyHashRecord): string {
  return `${record.nonce.toString('hex')} ${record.hash.toString('hex')}`;
}

export interface BatmapHeader {
  batmapOffset: number;
  batmapSectors: number;
  version: number;
  checksum: number;
  marker: number;
  keyHash: KeyHashRecord;
}

export function buildBatmapHeader(header: BatmapHeader): Buffer {
  const buf = Buffer.alloc(BATMAP_HEADER_SIZE);
  buf.write(BATMAP_COOKIE, 0, 'latin1');
  buf.writeBigUInt64BE(BigInt(header.batmapOffset), 8);
  buf.writeUInt32BE(header.batmapSectors, 16);
  buf.writeUInt32BE(header.version, 20);
  buf.writeUInt32BE(header.checksum, 24);
  buf[BATMAP_MARKER_OFFSET] = header.marker;
  buf[KEY_HASH_OFFSET] = header.keyHash.cookie;
  header.keyHash.nonce.copy(buf, KEY_HASH_OFFSET + 1, 0, 32);
  header.keyHash.hash.copy(buf, KEY_HASH_OFFSET + 33, 0, 32);
  return buf;
}

export function parseBatmapHeader(buf: Buffer): BatmapHeader {
  if (buf.length < BATMAP_HEADER_SIZE) throw malformed('The VHD batmap header is incomplete.');
  if (buf.toString('latin1', 0, 8) !== BATMAP_COOKIE) {
    throw new AppError(
      'VHD_NOT_ENCRYPTED',
      'This VHD has no blktap batmap, so it carries no encryption key hash: it was not encrypted by vhd-util.',
      {
        hint: 'Seal the image with the classic-vhd target, or pick the encrypted output file.',
      },
    );
  }
  const version = buf.readUInt32BE(20);
  if (version > BATMAP_VERSION)
    throw malformed(`The VHD batmap version ${hex32(version)} is newer than this app knows (1.2).`);
  return {
    batmapOffset: safeNumber(buf.readBigUInt64BE(8), 'batmap offset'),
    batmapSectors: buf.readUInt32BE(16),
    version,
    checksum: buf.readUInt32BE(24),
    marker: buf[BATMAP_MARKER_OFFSET],
    keyHash: {
      cookie: buf[KEY_HASH_OFFSET],
      nonce: Buffer.from(buf.subarray(KEY_HASH_OFFSET + 1, KEY_HASH_OFFSET + 33)),
      hash: Buffer.from(buf.subarray(KEY_HASH_OFFSET + 33, KEY_HASH_OFFSET + 65)),
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// Layout

export interface VhdCryptLayout {
  /** source size rounded up to whole blocks, as vhd-util does; the footer's current size */
  virtualSize: number;
  blockCount: number;
  batOffset: number;
  /** bytes of the BAT including padding */
  batBytes: number;
  batmapHeaderOffset: number;
  batmapOffset: number;
  batmapSectors: number;
  /** first sector after the metadata; the first block's bitmap goes at or after it */
  endOfHeadersSector: number;
}

export function vhdCryptLayout(sourceSize: number): VhdCryptLayout {
  if (!Number.isSafeInteger(sourceSize) || sourceSize <= 0) {
    throw new AppError('VHD_SIZE_INVALID', `A VHD cannot hold a disk of ${sourceSize} bytes.`);
  }
  const blockCount = Math.ceil(sourceSize / BLOCK_SIZE);
  const batBytes = sectorsNoZero(blockCount * 4) * SECTOR_SIZE;
  const batmapHeaderOffset = BAT_OFFSET + batBytes;
  const batmapOffset = batmapHeaderOffset + BATMAP_HEADER_SIZE;
  const batmapSectors = batmapSectorsFor(blockCount);
  return {
    virtualSize: blockCount * BLOCK_SIZE,
    blockCount,
    batOffset: BAT_OFFSET,
    batBytes,
    batmapHeaderOffset,
    batmapOffset,
    batmapSectors,
    endOfHeadersSector: batmapOffset / SECTOR_SIZE + batmapSectors,
  };
}

/**
 * Where the next block's bitmap goes when the data so far ends at `endSector`: blktap advances until the
 * data (one bitmap sector later) starts on a 4 KiB boundary (libvhd `__vhd_io_allocate_block`).
 */
export function nextBlockBitmapSector(endSector: number): number {
  const misalignment = (endSector + BLOCK_BITMAP_SECTORS) % DATA_ALIGN_SECTORS;
  return misalignment === 0 ? endSector : endSector + DATA_ALIGN_SECTORS - misalignment;
}

/** Sectors a stored block occupies: its bitmap, then its data. */
export const STORED_BLOCK_SECTORS = BLOCK_BITMAP_SECTORS + SECTORS_PER_BLOCK;

/** The per-block sector bitmap for a fully written block. */
export const FULL_BLOCK_BITMAP: Buffer = Buffer.alloc(BLOCK_BITMAP_SECTORS * SECTOR_SIZE, 0xff);

// ---------------------------------------------------------------------------------------------------------
// Keys and tweaks

/** Checks a raw XTS key for this format; the error names what is wrong and never echoes key bytes. */
export function assertVhdCryptKey(key: Uint8Array): asserts key is Buffer {
  if (key.length !== 32 && key.length !== 64) {
    throw new AppError(
      'VHD_KEY_SIZE',
      `A vhd-util key must be exactly 32 or 64 raw bytes (AES-128-XTS or AES-256-XTS); this one has ${key.length}.`,
      {
        hint: 'Use a 64-byte key (--key-bits 512, the default) or a 32-byte key (--key-bits 256). A key file must not end with a newline.',
      },
    );
  }
  const half = key.length / 2;
  if (Buffer.from(key.subarray(0, half)).equals(Buffer.from(key.subarray(half)))) {
    throw new AppError(
      'VHD_KEY_WEAK',
      "The key's two halves are equal, which XTS forbids (OpenSSL refuses it and vhd-util crashes on it).",
      {
        hint: 'Generate a new random key.',
      },
    );
  }
}

/** XTS mode name for Node/OpenSSL from the key length: 32 bytes → AES-128-XTS, 64 → AES-256-XTS. */
export function xtsAlgorithmFor(key: Uint8Array): 'aes-128-xts' | 'aes-256-xts' {
  return key.length === 64 ? 'aes-256-xts' : 'aes-128-xts';
}

/** dm-crypt "plain" tweak as blktap computes it: the LBA's low 32 bits little-endian, then 12 zero bytes. */
export function plainTweak(lba: number): Buffer {
  const tweak = Buffer.alloc(16);
  tweak.writeUInt32LE(lba >>> 0, 0);
  return tweak;
}

function hex32(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}

function safeNumber(value: bigint, what: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw malformed(`The VHD ${what} (${value}) is out of range.`);
  return Number(value);
}
