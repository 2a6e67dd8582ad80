import { AppError } from '../common/errors';

/**
 * The parts of the qcow2 v3 format (QEMU docs/interop/qcow2.txt) that a LUKS-encrypted image uses, shared by
 * the writer and the reader. All integers are big-endian.
 */
export const QCOW2_MAGIC = 0x514649fb;
export const QCOW2_VERSION = 3;
export const QCOW2_CRYPT_LUKS = 2;
export const QCOW2_CRYPT_AES = 1;
export const QCOW2_EXT_END = 0x00000000;
export const QCOW2_EXT_CRYPTO_HEADER = 0x0537be77;
/** v3 header with the compression-type byte, padded to 8 bytes, as QEMU ≥ 5.1 writes it */
export const QCOW2_HEADER_LENGTH = 112;
export const QCOW2_REFCOUNT_ORDER = 4;
/** L1/L2 entries: bit 63 "COPIED" = refcount exactly 1; bit 62 compressed; bit 0 (L2) reads as zeros */
export const QCOW_OFLAG_COPIED = 1n << 63n;
export const QCOW_OFLAG_COMPRESSED = 1n << 62n;
export const QCOW_OFLAG_ZERO = 1n;
export const QCOW_OFFSET_MASK = 0x00fffffffffffe00n;

export interface Qcow2Header {
  version: number;
  clusterBits: number;
  size: number;
  cryptMethod: number;
  l1Size: number;
  l1TableOffset: number;
  refcountTableOffset: number;
  refcountTableClusters: number;
  nbSnapshots: number;
  incompatibleFeatures: bigint;
  refcountOrder: number;
  headerLength: number;
  backingFileOffset: number;
  /** the crypto header extension, when present */
  cryptoHeader?: { offset: number; length: number };
}

export function encodeQcow2Header(header: Omit<Qcow2Header, 'version' | 'headerLength' | 'nbSnapshots' | 'incompatibleFeatures' | 'backingFileOffset'>, clusterSize: number): Buffer {
  const out = Buffer.alloc(clusterSize);
  out.writeUInt32BE(QCOW2_MAGIC, 0);
  out.writeUInt32BE(QCOW2_VERSION, 4);
  // 8: backing file offset, 16: backing file size — none
  out.writeUInt32BE(header.clusterBits, 20);
  out.writeBigUInt64BE(BigInt(header.size), 24);
  out.writeUInt32BE(header.cryptMethod, 32);
  out.writeUInt32BE(header.l1Size, 36);
  out.writeBigUInt64BE(BigInt(header.l1TableOffset), 40);
  out.writeBigUInt64BE(BigInt(header.refcountTableOffset), 48);
  out.writeUInt32BE(header.refcountTableClusters, 56);
  // 60: nb_snapshots 0, 64: snapshots offset 0, 72/80/88: incompatible/compatible/autoclear features 0
  out.writeUInt32BE(header.refcountOrder, 96);
  out.writeUInt32BE(QCOW2_HEADER_LENGTH, 100);
  // 104: compression type 0 (zlib), then padding to 112
  let at = QCOW2_HEADER_LENGTH;
  if (header.cryptoHeader) {
    out.writeUInt32BE(QCOW2_EXT_CRYPTO_HEADER, at);
    out.writeUInt32BE(16, at + 4);
    out.writeBigUInt64BE(BigInt(header.cryptoHeader.offset), at + 8);
    out.writeBigUInt64BE(BigInt(header.cryptoHeader.length), at + 16);
    at += 24;
  }
  out.writeUInt32BE(QCOW2_EXT_END, at);
  out.writeUInt32BE(0, at + 4);
  return out;
}

function notSealed(path: string, what: string): AppError {
  return new AppError('SEAL_NOT_SEALED_FORMAT', `${path} is not a LUKS-encrypted qcow2 image: ${what}.`, {
    hint: 'Check that you picked the sealed image (.qcow2) and the target vpc.',
  });
}

/** Parses the header cluster; throws SEAL_NOT_SEALED_FORMAT when it is not a LUKS qcow2 this reader can open. */
export function parseQcow2Header(bytes: Buffer, path: string, fileSize: number): Qcow2Header {
  if (bytes.length < 72 || bytes.readUInt32BE(0) !== QCOW2_MAGIC) throw notSealed(path, 'the qcow2 magic is missing');
  const version = bytes.readUInt32BE(4);
  if (version !== 2 && version !== 3) throw notSealed(path, `qcow2 version ${version} is unknown`);
  const clusterBits = bytes.readUInt32BE(20);
  if (clusterBits < 9 || clusterBits > 21) throw notSealed(path, `cluster bits ${clusterBits} are out of range`);
  const header: Qcow2Header = {
    version,
    clusterBits,
    backingFileOffset: Number(bytes.readBigUInt64BE(8)),
    size: Number(bytes.readBigUInt64BE(24)),
    cryptMethod: bytes.readUInt32BE(32),
    l1Size: bytes.readUInt32BE(36),
    l1TableOffset: Number(bytes.readBigUInt64BE(40)),
    refcountTableOffset: Number(bytes.readBigUInt64BE(48)),
    refcountTableClusters: bytes.readUInt32BE(56),
    nbSnapshots: bytes.readUInt32BE(60),
    incompatibleFeatures: version === 3 ? bytes.readBigUInt64BE(72) : 0n,
    refcountOrder: version === 3 ? bytes.readUInt32BE(96) : 4,
    headerLength: version === 3 ? bytes.readUInt32BE(100) : 72,
  };
  if (header.cryptMethod !== QCOW2_CRYPT_LUKS) {
    throw notSealed(path, header.cryptMethod === 0 ? 'it is not encrypted' : 'it uses the legacy AES method, not LUKS');
  }
  if (header.backingFileOffset !== 0) throw notSealed(path, 'it has a backing file');
  // bit 0 dirty, 1 corrupt, 2 external data file, 3 compression type, 4 extended L2
  if ((header.incompatibleFeatures & ~0b1n) !== 0n) {
    throw notSealed(path, `it uses qcow2 features this reader does not support (0x${header.incompatibleFeatures.toString(16)})`);
  }
  const clusterSize = 2 ** clusterBits;
  const l2Entries = clusterSize / 8;
  if (header.l1Size < Math.ceil(Math.ceil(header.size / clusterSize) / l2Entries)) throw notSealed(path, 'the L1 table is too small');
  if (header.l1TableOffset % clusterSize !== 0 || header.l1TableOffset + header.l1Size * 8 > fileSize) {
    throw notSealed(path, 'the L1 table lies outside the file (truncated?)');
  }
  let at = version === 3 ? header.headerLength : 72;
  while (at + 8 <= bytes.length) {
    const type = bytes.readUInt32BE(at);
    const length = bytes.readUInt32BE(at + 4);
    if (type === QCOW2_EXT_END) break;
    if (type === QCOW2_EXT_CRYPTO_HEADER && length >= 16) {
      header.cryptoHeader = {
        offset: Number(bytes.readBigUInt64BE(at + 8)),
        length: Number(bytes.readBigUInt64BE(at + 16)),
      };
    }
    at += 8 + Math.ceil(length / 8) * 8;
  }
  if (!header.cryptoHeader) throw notSealed(path, 'the LUKS header extension is missing');
  if (header.cryptoHeader.offset + header.cryptoHeader.length > fileSize) {
    throw notSealed(path, 'the LUKS header lies outside the file (truncated?)');
  }
  return header;
}
