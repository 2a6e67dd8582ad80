import type { ImageFile } from './image-file';
import type { ProbeProblem } from './types';
import {
  alreadyEncryptedImage,
  backingFileImage,
  corruptImage,
  truncatedImage,
  unsupportedImage,
} from './image-errors';

/**
 * The qcow2 header (QEMU docs/interop/qcow2.txt), checked against the file it came from. Only what reading
 * the active L1/L2 tables needs is kept; refcounts and snapshots are never read (we only read the image).
 */
export interface Qcow2Layout {
  version: 2 | 3;
  clusterBits: number;
  clusterSize: number;
  virtualSize: number;
  /** L2 entries per table (cluster size / 8: extended L2 entries are refused) */
  l2Entries: number;
  /** L1 entries that describe the virtual disk (the header's l1_size may be larger) */
  l1Entries: number;
  l1Offset: number;
  refcountTableOffset: number;
  refcountTableBytes: number;
  snapshotCount: number;
  /** how compressed clusters are compressed; zstd ones cannot be read by this runtime */
  compression: 'zlib' | 'zstd';
  /** file regions holding metadata no guest cluster or L2 table may overlap: [start, end) */
  metadataRegions: Array<[number, number]>;
}

export const QCOW2_MAGIC = 0x514649fb;
const MAX_L1_BYTES = 32 * 1024 * 1024; // QEMU's own limit (QCOW_MAX_L1_SIZE)
const MAX_REFCOUNT_TABLE_BYTES = 8 * 1024 * 1024; // QEMU's QCOW_MAX_REFTABLE_SIZE
const MAX_SNAPSHOTS = 65536;
const EXT_END = 0x00000000;
const EXT_BACKING_FORMAT = 0xe2792aca;
const EXT_FEATURE_NAMES = 0x6803f857;
const EXT_CRYPTO_HEADER = 0x0537be77;
const EXT_DATA_FILE = 0x44415441;
const FORMAT = 'qcow2';

const INCOMPAT_DIRTY = 1n << 0n;
const INCOMPAT_CORRUPT = 1n << 1n;
const INCOMPAT_DATA_FILE = 1n << 2n;
const INCOMPAT_COMPRESSION = 1n << 3n;
const INCOMPAT_EXTENDED_L2 = 1n << 4n;
const INCOMPAT_KNOWN =
  INCOMPAT_DIRTY | INCOMPAT_CORRUPT | INCOMPAT_DATA_FILE | INCOMPAT_COMPRESSION | INCOMPAT_EXTENDED_L2;

/** A non-negative 64-bit big-endian field as a number, or Infinity when it does not fit a safe integer. */
export function readU64(buffer: Buffer, at: number): number {
  const value = buffer.readBigUInt64BE(at);
  return value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.POSITIVE_INFINITY : Number(value);
}

export async function readQcow2Layout(file: ImageFile): Promise<{ layout: Qcow2Layout; problems: ProbeProblem[] }> {
  const path = file.path;
  if (file.size < 72)
    throw truncatedImage(path, FORMAT, `the file is ${file.size} bytes, shorter than a qcow2 header (72 bytes)`);
  const fixed = await file.readAt(0, Math.min(file.size, 112), 'qcow2 header');
  if (fixed.readUInt32BE(0) !== QCOW2_MAGIC) throw corruptImage(path, FORMAT, 'the qcow2 magic is missing');
  const version = fixed.readUInt32BE(4);
  if (version !== 2 && version !== 3) {
    throw unsupportedImage(
      path,
      `This is a qcow image of version ${version}; only qcow2 versions 2 and 3 are read natively.`,
      'Convert it first: `qemu-img convert -O qcow2 -o compat=1.1 old.img new.qcow2`.',
      { version },
    );
  }
  const clusterBits = fixed.readUInt32BE(20);
  if (clusterBits < 9 || clusterBits > 21) {
    throw corruptImage(path, FORMAT, `cluster_bits is ${clusterBits} (allowed: 9 to 21, i.e. 512 B to 2 MiB clusters)`);
  }
  const clusterSize = 2 ** clusterBits;
  const problems: ProbeProblem[] = [];

  let headerLength = 72;
  let incompatible = 0n;
  let compressionType = 0;
  if (version === 3) {
    if (file.size < 104)
      throw truncatedImage(path, FORMAT, `the file is ${file.size} bytes, shorter than a qcow2 v3 header (104 bytes)`);
    headerLength = fixed.readUInt32BE(100);
    if (headerLength < 104 || headerLength % 8 !== 0 || headerLength > clusterSize) {
      throw corruptImage(
        path,
        FORMAT,
        `header_length is ${headerLength} (must be a multiple of 8 between 104 and the cluster size)`,
      );
    }
    incompatible = fixed.readBigUInt64BE(72);
    const refcountOrder = fixed.readUInt32BE(96);
    if (refcountOrder > 6) throw corruptImage(path, FORMAT, `refcount_order is ${refcountOrder} (at most 6)`);
    if (headerLength > 104 && fixed.length > 104) compressionType = fixed[104];
  }

  // The first cluster holds the header, its extensions and the backing file name.
  const firstClusterLength = Math.min(clusterSize, file.size);
  if (firstClusterLength < headerLength) {
    throw truncatedImage(path, FORMAT, `the header says it is ${headerLength} bytes but the file has ${file.size}`);
  }
  const header = await file.readAt(0, firstClusterLength, 'qcow2 header cluster');

  const backingOffset = readU64(header, 8);
  const backingLength = header.readUInt32BE(16);
  if (backingOffset !== 0) {
    let name: string | undefined;
    if (backingLength > 0 && backingLength <= 1023 && backingOffset + backingLength <= header.length) {
      name = header.toString('utf8', backingOffset, backingOffset + backingLength);
    }
    throw backingFileImage(path, FORMAT, name);
  }

  const cryptMethod = header.readUInt32BE(32);
  if (cryptMethod !== 0) {
    const how =
      cryptMethod === 1
        ? 'qcow2 AES encryption'
        : cryptMethod === 2
          ? 'LUKS encryption inside qcow2'
          : `encryption method ${cryptMethod}`;
    throw alreadyEncryptedImage(path, FORMAT, how);
  }

  const featureNames = new Map<string, string>();
  readExtensions(path, header, headerLength, (type, data) => {
    if (type === EXT_CRYPTO_HEADER) throw alreadyEncryptedImage(path, FORMAT, 'it carries a disk-encryption header');
    if (type === EXT_DATA_FILE) {
      throw unsupportedImage(
        path,
        `The qcow2 image keeps its data in an external file (${data.toString('utf8')}); such images are not read.`,
        'Convert it into a self-contained image first: `qemu-img convert -O qcow2 image.qcow2 whole.qcow2`.',
      );
    }
    if (type === EXT_FEATURE_NAMES) {
      for (let at = 0; at + 48 <= data.length; at += 48) {
        const name = data.toString('utf8', at + 2, at + 48).replace(/\0.*$/s, '');
        featureNames.set(`${data[at]}:${data[at + 1]}`, name);
      }
    }
  });

  if (incompatible & INCOMPAT_DATA_FILE) {
    throw unsupportedImage(
      path,
      'The qcow2 image keeps its data in an external data file; such images are not read.',
      'Convert it into a self-contained image first: `qemu-img convert -O qcow2 image.qcow2 whole.qcow2`.',
    );
  }
  if (incompatible & INCOMPAT_EXTENDED_L2) {
    throw unsupportedImage(
      path,
      'The qcow2 image uses extended L2 entries (subclusters), which the native reader does not implement.',
      'Convert it first: `qemu-img convert -O qcow2 image.qcow2 plain.qcow2`, or choose the qemu-img engine.',
    );
  }
  const unknown = incompatible & ~INCOMPAT_KNOWN;
  if (unknown !== 0n) {
    const bits: string[] = [];
    for (let bit = 0; bit < 64; bit += 1) {
      if (unknown & (1n << BigInt(bit))) bits.push(featureNames.get(`0:${bit}`) ?? `bit ${bit}`);
    }
    throw unsupportedImage(
      path,
      `The qcow2 image uses features this reader does not know (${bits.join(', ')}); reading it could give wrong data.`,
      'Convert it with a current qemu-img into a plain qcow2 (`-o compat=1.1`) first.',
      { features: bits },
    );
  }
  // zstd images are fine until a compressed cluster is met: the reader refuses those (and so does the probe,
  // which walks every L2 table).
  if (incompatible & INCOMPAT_COMPRESSION && compressionType !== 1) {
    throw corruptImage(path, FORMAT, `the compression type is ${compressionType} (known: 0 zlib, 1 zstd)`);
  }
  if (!(incompatible & INCOMPAT_COMPRESSION) && compressionType !== 0) {
    throw corruptImage(
      path,
      FORMAT,
      `the compression type field is ${compressionType} but the compression-type feature bit is not set`,
    );
  }
  if (incompatible & INCOMPAT_DIRTY) {
    problems.push({
      code: 'QCOW2_DIRTY',
      severity: 'warning',
      message:
        'The image was not closed cleanly (dirty bit set). Its data is read as is; if it came from a running virtual machine, shut it down and copy it again.',
    });
  }
  if (incompatible & INCOMPAT_CORRUPT) {
    problems.push({
      code: 'QCOW2_MARKED_CORRUPT',
      severity: 'error',
      message: 'QEMU marked this image as corrupt. Repair it with `qemu-img check -r all` (on a copy) before sealing.',
    });
  }

  const virtualSize = readU64(header, 24);
  if (!Number.isFinite(virtualSize) || virtualSize > 2 ** 56) {
    throw corruptImage(path, FORMAT, `the virtual size field (${header.readBigUInt64BE(24)}) is absurd`);
  }
  const l2Entries = clusterSize / 8;
  const bytesPerL2 = clusterSize * l2Entries;
  const l1Entries = Math.ceil(virtualSize / bytesPerL2);
  const l1Size = header.readUInt32BE(36);
  const l1Offset = readU64(header, 40);
  if (l1Size * 8 > MAX_L1_BYTES) throw corruptImage(path, FORMAT, `the L1 table size (${l1Size} entries) is absurd`);
  if (l1Size < l1Entries) {
    throw corruptImage(
      path,
      FORMAT,
      `the L1 table (${l1Size} entries) is too small for the virtual size (${virtualSize} bytes needs ${l1Entries})`,
    );
  }
  if (l1Entries > 0) {
    checkClusterAligned(path, 'L1 table', l1Offset, clusterSize);
    checkInFile(file, 'L1 table', l1Offset, l1Entries * 8);
    if (l1Offset < clusterSize) throw corruptImage(path, FORMAT, 'the L1 table overlaps the header');
  }

  const refcountTableOffset = readU64(header, 48);
  const refcountTableClusters = header.readUInt32BE(56);
  const refcountTableBytes = refcountTableClusters * clusterSize;
  if (refcountTableClusters === 0) throw corruptImage(path, FORMAT, 'the image has no refcount table');
  if (refcountTableBytes > MAX_REFCOUNT_TABLE_BYTES) {
    throw corruptImage(path, FORMAT, `the refcount table size (${refcountTableClusters} clusters) is absurd`);
  }
  checkClusterAligned(path, 'refcount table', refcountTableOffset, clusterSize);
  if (refcountTableOffset < clusterSize) throw corruptImage(path, FORMAT, 'the refcount table overlaps the header');
  checkInFile(file, 'refcount table', refcountTableOffset, 8);

  const snapshotCount = header.readUInt32BE(60);
  if (snapshotCount > MAX_SNAPSHOTS)
    throw corruptImage(path, FORMAT, `the snapshot count (${snapshotCount}) is absurd`);
  if (snapshotCount > 0) {
    const snapshotsOffset = readU64(header, 64);
    checkClusterAligned(path, 'snapshot table', snapshotsOffset, clusterSize);
    checkInFile(file, 'snapshot table', snapshotsOffset, 40);
    problems.push({
      code: 'QCOW2_SNAPSHOTS',
      severity: 'warning',
      message: `The image holds ${snapshotCount} internal snapshot(s). Only the current state of the disk is sealed; the snapshots are left out.`,
    });
  }

  const l1End = l1Offset + l1Entries * 8;
  const metadataRegions: Array<[number, number]> = [[0, clusterSize]];
  if (l1Entries > 0) metadataRegions.push([l1Offset, l1End]);
  metadataRegions.push([refcountTableOffset, refcountTableOffset + refcountTableBytes]);
  if (l1Entries > 0 && overlaps(l1Offset, l1End, refcountTableOffset, refcountTableOffset + refcountTableBytes)) {
    throw corruptImage(path, FORMAT, 'the L1 table and the refcount table overlap');
  }

  return {
    layout: {
      version,
      clusterBits,
      clusterSize,
      virtualSize,
      l2Entries,
      l1Entries,
      l1Offset,
      refcountTableOffset,
      refcountTableBytes,
      snapshotCount,
      compression: compressionType === 1 ? 'zstd' : 'zlib',
      metadataRegions,
    },
    problems,
  };
}

function readExtensions(
  path: string,
  header: Buffer,
  start: number,
  onExtension: (type: number, data: Buffer) => void,
): void {
  let at = start;
  // Each extension takes at least 8 bytes, so the loop ends within one cluster even on hostile input.
  while (at + 8 <= header.length) {
    const type = header.readUInt32BE(at);
    const length = header.readUInt32BE(at + 4);
    if (type === EXT_END) return;
    const dataEnd = at + 8 + length;
    if (dataEnd > header.length)
      throw corruptImage(path, FORMAT, `header extension 0x${type.toString(16)} runs past the first cluster`);
    if (type !== EXT_BACKING_FORMAT) onExtension(type, header.subarray(at + 8, dataEnd));
    at = dataEnd + ((8 - (length % 8)) % 8);
  }
}

function checkClusterAligned(path: string, what: string, offset: number, clusterSize: number): void {
  if (!Number.isFinite(offset) || offset % clusterSize !== 0) {
    throw corruptImage(path, FORMAT, `the ${what} offset (${offset}) is not aligned to a cluster`);
  }
}

function checkInFile(file: ImageFile, what: string, offset: number, length: number): void {
  if (offset + length > file.size) {
    throw truncatedImage(
      file.path,
      FORMAT,
      `the ${what} at offset ${offset} lies past the end of the file (${file.size} bytes)`,
      {
        offset,
        fileSize: file.size,
      },
    );
  }
}

export function overlaps(aStart: number, aEnd: number, bStart: number, bEnd: number): boolean {
  return aStart < bEnd && bStart < aEnd;
}
