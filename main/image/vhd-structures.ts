import type { ImageFile } from './image-file';
import type { ProbeProblem } from './types';
import {
  alreadyEncryptedImage,
  backingFileImage,
  corruptImage,
  truncatedImage,
  unsupportedImage,
} from './image-errors';
import { readU64 } from './qcow2-header';

/** VHD footer and dynamic header (Microsoft VHD specification; all integers big-endian). */

export const VHD_FOOTER_SIZE = 512;
const DYNAMIC_HEADER_SIZE = 1024;
export const VHD_FIXED = 2;
export const VHD_DYNAMIC = 3;
export const VHD_DIFFERENCING = 4;
const MAX_CHS_SECTORS = 65535 * 16 * 255;
const MAX_BLOCK_SIZE = 256 * 1024 * 1024;
/** QEMU's limit for VHD (2040 GiB); also bounds the block table we read. */
const MAX_VIRTUAL_SIZE = 0xff000000 * 512;
const MAX_BAT_ENTRIES = 4 * 1024 * 1024;
export const BAT_UNALLOCATED = 0xffffffff;

export interface VhdFooter {
  diskType: number;
  dataOffset: number;
  currentSize: number;
  creatorApp: string;
  creatorVersion: number;
  /** what QEMU (and so the import service's tooling) takes as the disk size; see virtualSizeOf */
  virtualSize: number;
  uuidHex: string;
}

export interface VhdDynamicLayout {
  footer: VhdFooter;
  blockSize: number;
  /** bytes of each block's sector bitmap, rounded up to whole sectors */
  bitmapSize: number;
  /** BAT entries that cover the virtual disk */
  blockCount: number;
  /** sector number of each block's bitmap, or BAT_UNALLOCATED */
  bat: Uint32Array;
  allocatedBlocks: number;
}

export function hasFooterCookie(buffer: Buffer, at = 0): boolean {
  return buffer.length >= at + 8 && buffer.toString('latin1', at, at + 8) === 'conectix';
}

/** The VHD checksum: one's complement of the byte sum with the checksum field taken as zero. */
export function vhdChecksum(buffer: Buffer, checksumAt: number): number {
  let sum = 0;
  for (let index = 0; index < buffer.length; index += 1) {
    if (index < checksumAt || index >= checksumAt + 4) sum += buffer[index];
  }
  return ~sum >>> 0;
}

export function parseFooter(path: string, raw: Buffer, where: string): VhdFooter {
  if (!hasFooterCookie(raw)) throw corruptImage(path, 'VHD', `the ${where} has no "conectix" cookie`);
  const stored = raw.readUInt32BE(64);
  const computed = vhdChecksum(raw, 64);
  if (stored !== computed) {
    throw corruptImage(
      path,
      'VHD',
      `the ${where} checksum is wrong (stored 0x${stored.toString(16)}, computed 0x${computed.toString(16)})`,
    );
  }
  const version = raw.readUInt32BE(12);
  if (version >>> 16 !== 1) {
    throw unsupportedImage(
      path,
      `The VHD footer has format version ${version >>> 16}.${version & 0xffff}; only version 1 is read.`,
      'Convert the image with `qemu-img convert -O vpc`.',
    );
  }
  const currentSize = readU64(raw, 48);
  if (!Number.isFinite(currentSize)) throw corruptImage(path, 'VHD', `the ${where} gives an absurd disk size`);
  const creatorApp = raw.toString('latin1', 28, 32);
  const cylinders = raw.readUInt16BE(56);
  const heads = raw[58];
  const sectorsPerTrack = raw[59];
  return {
    diskType: raw.readUInt32BE(60),
    dataOffset: readU64(raw, 16),
    currentSize,
    creatorApp,
    creatorVersion: raw.readUInt32BE(32),
    virtualSize: virtualSizeOf(creatorApp, cylinders * heads * sectorsPerTrack, currentSize),
    uuidHex: raw.toString('hex', 68, 84),
  };
}

/**
 * Virtual PC (and old QEMU) size a VHD by its CHS geometry, Hyper-V and most other tools by "current size".
 * This follows QEMU's vpc driver so the disk we read is the disk qemu-img and the cloud's tooling see.
 */
function virtualSizeOf(creatorApp: string, chsSectors: number, currentSize: number): number {
  const sizeCreators = ['win ', 'qem2', 'd2v ', 'CTXS', 'tap\0'];
  const useChs = !sizeCreators.includes(creatorApp);
  const sectors = !useChs || chsSectors === MAX_CHS_SECTORS ? Math.floor(currentSize / 512) : chsSectors;
  return sectors * 512;
}

export function footerProblems(footer: VhdFooter): ProbeProblem[] {
  if (footer.virtualSize === footer.currentSize) return [];
  return [
    {
      code: 'VHD_SIZE_BY_GEOMETRY',
      severity: 'warning',
      message: `The VHD footer gives ${footer.currentSize} bytes but its disk geometry gives ${footer.virtualSize}; like QEMU, the geometry size is used.`,
    },
  ];
}

/** Reads and checks the dynamic header, the BAT and every block's place in the file. */
export async function readDynamicLayout(file: ImageFile, footer: VhdFooter): Promise<VhdDynamicLayout> {
  const path = file.path;
  if (footer.diskType === VHD_DIFFERENCING) {
    let parent: string | undefined;
    if (Number.isFinite(footer.dataOffset) && footer.dataOffset + DYNAMIC_HEADER_SIZE <= file.size) {
      const header = await file.readAt(footer.dataOffset, DYNAMIC_HEADER_SIZE, 'VHD dynamic header');
      parent = utf16be(header.subarray(64, 576)) || undefined;
    }
    throw backingFileImage(path, 'VHD', parent);
  }

  // A dynamic VHD keeps a second footer copy at the very end; without it the file was cut short.
  const tail = await file.readAt(file.size - VHD_FOOTER_SIZE, VHD_FOOTER_SIZE, 'VHD footer');
  if (!hasFooterCookie(tail)) {
    throw truncatedImage(path, 'VHD', 'the footer copy at the end of the file is missing');
  }
  const endFooter = parseFooter(path, tail, 'footer at the end of the file');
  if (
    endFooter.diskType !== footer.diskType ||
    endFooter.currentSize !== footer.currentSize ||
    endFooter.uuidHex !== footer.uuidHex
  ) {
    throw corruptImage(
      path,
      'VHD',
      'the footer copies at the start and the end of the file disagree (disk type, size or identity)',
    );
  }

  const headerOffset = footer.dataOffset;
  if (!Number.isFinite(headerOffset) || headerOffset < VHD_FOOTER_SIZE || headerOffset % 512 !== 0) {
    throw corruptImage(path, 'VHD', `the dynamic header offset (${headerOffset}) is invalid`);
  }
  if (headerOffset + DYNAMIC_HEADER_SIZE > file.size - VHD_FOOTER_SIZE) {
    throw truncatedImage(path, 'VHD', 'the dynamic header lies past the end of the file');
  }
  const header = await file.readAt(headerOffset, DYNAMIC_HEADER_SIZE, 'VHD dynamic header');
  if (header.toString('latin1', 0, 8) !== 'cxsparse')
    throw corruptImage(path, 'VHD', 'the dynamic header has no "cxsparse" cookie');
  const stored = header.readUInt32BE(36);
  const computed = vhdChecksum(header, 36);
  if (stored !== computed) {
    throw corruptImage(
      path,
      'VHD',
      `the dynamic header checksum is wrong (stored 0x${stored.toString(16)}, computed 0x${computed.toString(16)})`,
    );
  }
  const tableOffset = readU64(header, 16);
  const maxTableEntries = header.readUInt32BE(28);
  const blockSize = header.readUInt32BE(32);
  if (blockSize < 512 || blockSize > MAX_BLOCK_SIZE || (blockSize & (blockSize - 1)) !== 0) {
    throw corruptImage(path, 'VHD', `the block size (${blockSize}) is not a power of two between 512 B and 256 MiB`);
  }
  if (footer.virtualSize > MAX_VIRTUAL_SIZE) {
    throw corruptImage(
      path,
      'VHD',
      `the disk size (${footer.virtualSize} bytes) is larger than a VHD can be (2040 GiB)`,
    );
  }
  const blockCount = Math.ceil(footer.virtualSize / blockSize);
  if (blockCount > MAX_BAT_ENTRIES) {
    throw corruptImage(path, 'VHD', `the disk needs ${blockCount} blocks of ${blockSize} bytes, an absurd block table`);
  }
  if (maxTableEntries < blockCount) {
    throw corruptImage(
      path,
      'VHD',
      `the block table (${maxTableEntries} entries) is too small for the disk size (${blockCount} blocks needed)`,
    );
  }
  const batBytes = blockCount * 4;
  if (!Number.isFinite(tableOffset) || tableOffset < VHD_FOOTER_SIZE) {
    throw corruptImage(path, 'VHD', `the block table offset (${tableOffset}) is invalid`);
  }
  if (tableOffset + batBytes > file.size - VHD_FOOTER_SIZE) {
    throw truncatedImage(
      path,
      'VHD',
      `the block table (offset ${tableOffset}, ${batBytes} bytes) lies past the end of the file`,
    );
  }
  if (tableOffset < headerOffset + DYNAMIC_HEADER_SIZE && headerOffset < tableOffset + batBytes) {
    throw corruptImage(path, 'VHD', 'the block table overlaps the dynamic header');
  }
  const batRaw = blockCount > 0 ? await file.readAt(tableOffset, batBytes, 'VHD block table') : Buffer.alloc(0);
  const bat = new Uint32Array(blockCount);
  for (let index = 0; index < blockCount; index += 1) bat[index] = batRaw.readUInt32BE(index * 4);

  const bitmapSize = Math.ceil(blockSize / 512 / 8 / 512) * 512;
  const allocatedBlocks = checkBlocks(file, bat, bitmapSize + blockSize, [
    [0, VHD_FOOTER_SIZE],
    [headerOffset, headerOffset + DYNAMIC_HEADER_SIZE],
    [tableOffset, tableOffset + batBytes],
  ]);
  await refuseEncrypted(file, footer, tableOffset + Math.ceil((maxTableEntries * 4) / 512) * 512);
  return { footer, blockSize, bitmapSize, blockCount, bat, allocatedBlocks };
}

/** Every allocated block must sit inside the file, clear of the metadata and of every other block. */
function checkBlocks(file: ImageFile, bat: Uint32Array, blockSpan: number, metadata: Array<[number, number]>): number {
  const dataEnd = file.size - VHD_FOOTER_SIZE;
  const starts: number[] = [];
  for (let index = 0; index < bat.length; index += 1) {
    const sector = bat[index];
    if (sector === BAT_UNALLOCATED) continue;
    const start = sector * 512;
    if (start + blockSpan > dataEnd) {
      throw corruptImage(
        file.path,
        'VHD',
        `block ${index} points outside the file (sector ${sector}; the data ends at byte ${dataEnd})`,
        {
          block: index,
          sector,
        },
      );
    }
    for (const [from, to] of metadata) {
      if (start < to && from < start + blockSpan) {
        throw corruptImage(file.path, 'VHD', `block ${index} overlaps the footer copy, dynamic header or block table`, {
          block: index,
        });
      }
    }
    starts.push(start);
  }
  starts.sort((a, b) => a - b);
  for (let index = 1; index < starts.length; index += 1) {
    if (starts[index] < starts[index - 1] + blockSpan) {
      throw corruptImage(
        file.path,
        'VHD',
        `two blocks overlap in the file (at bytes ${starts[index - 1]} and ${starts[index]})`,
      );
    }
  }
  return starts.length;
}

/** vhd-util's encrypted VHDs keep a key hash in blktap's batmap header, right after the block table. */
async function refuseEncrypted(file: ImageFile, footer: VhdFooter, batmapHeaderOffset: number): Promise<void> {
  if (footer.creatorApp !== 'tap\0' || batmapHeaderOffset + 512 > file.size) return;
  const batmap = await file.readAt(batmapHeaderOffset, 512, 'VHD batmap header');
  if (batmap.toString('latin1', 0, 8) === 'tdbatmap' && batmap[29] === 1) {
    throw alreadyEncryptedImage(file.path, 'VHD', 'vhd-util encryption: the file carries a key hash');
  }
}

function utf16be(buffer: Buffer): string {
  const swapped = Buffer.from(buffer);
  swapped.swap16();
  return swapped.toString('utf16le').replace(/\0.*$/s, '');
}
