import { open, type FileHandle } from 'node:fs/promises';
import { timingSafeEqual } from 'node:crypto';
import { AppError } from '../common/errors';
import type { XtsPool } from '../crypto/worker-pool';
import type { DiskReader, Extent } from '../image/types';
import { localDecryptor, poolDecryptor, type SectorDecryptor } from './sector-decryptor';
import {
  BAT_UNUSED,
  BATMAP_HEADER_SIZE,
  BLOCK_BITMAP_SECTORS,
  BLOCK_SIZE,
  CREATOR_APP_TAP,
  DISK_TYPE_DYNAMIC,
  DYNAMIC_HEADER_SIZE,
  FOOTER_COOKIE,
  FOOTER_SIZE,
  MIN_CREATOR_VERSION_WITH_BATMAP,
  SECTOR_SIZE,
  SECTORS_PER_BLOCK,
  assertVhdCryptKey,
  batmapChecksum,
  batmapChecksumSectors,
  batmapTest,
  computeKeyHash,
  parseBat,
  parseBatmapHeader,
  parseDynamicHeader,
  parseFooter,
  type BatmapHeader,
  type DynamicHeader,
  type VhdFooter,
} from './vhd-crypt-format';

/** Everything of an encrypted VHD that can be read without the key. */
export interface VhdCryptMetadata {
  path: string;
  fileSize: number;
  footer: VhdFooter;
  header: DynamicHeader;
  bat: Uint32Array;
  batmapHeader: BatmapHeader;
  batmap: Buffer;
}

function malformed(path: string, message: string): AppError {
  return new AppError('VHD_MALFORMED', message, {
    hint: 'The file is not a valid encrypted VHD as vhd-util writes it. Check that it is the sealed output and was not truncated or altered.',
    details: { path },
  });
}

function notEncrypted(path: string, why: string): AppError {
  return new AppError('VHD_NOT_ENCRYPTED', `This VHD is not encrypted in the vhd-util format: ${why}`, {
    hint: 'Pick the sealed .vhd-0.vhd output of the classic-vhd target.',
    details: { path },
  });
}

function hasFooterCookie(buf: Buffer): boolean {
  return buf.toString('latin1', 0, 8) === FOOTER_COOKIE;
}

async function readAt(handle: FileHandle, offset: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(buf, done, length - done, offset + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done === length ? buf : buf.subarray(0, done);
}

/** Reads and checks footer, header, BAT, batmap header (with the key hash) and batmap. */
export async function readVhdCryptMetadata(path: string, handle?: FileHandle): Promise<VhdCryptMetadata> {
  const own = handle === undefined;
  const file = handle ?? (await open(path, 'r'));
  try {
    const fileSize = (await file.stat()).size;
    if (fileSize < FOOTER_SIZE * 2 + DYNAMIC_HEADER_SIZE) {
      throw malformed(path, `The file is too short (${fileSize} bytes) to be a dynamic VHD.`);
    }
    let footer: VhdFooter;
    try {
      footer = parseFooter(await readAt(file, fileSize - FOOTER_SIZE, FOOTER_SIZE), 'footer at the end of the file');
    } catch (endError) {
      // libvhd falls back to the copy at offset 0 when the trailing footer is damaged; so do we.
      const head = await readAt(file, 0, FOOTER_SIZE);
      try {
        footer = parseFooter(head, 'footer copy at the start of the file');
      } catch {
        const tail = await readAt(file, fileSize - FOOTER_SIZE, FOOTER_SIZE);
        if (!hasFooterCookie(head) && !hasFooterCookie(tail)) throw notEncrypted(path, 'it is not a VHD file at all.');
        throw endError;
      }
    }
    if (footer.diskType !== DISK_TYPE_DYNAMIC) {
      throw notEncrypted(
        path,
        `it is a ${footer.diskType === 2 ? 'fixed' : `type ${footer.diskType}`} VHD, and only dynamic VHDs carry the key hash.`,
      );
    }
    if (footer.creatorApp !== CREATOR_APP_TAP || footer.creatorVersion < MIN_CREATOR_VERSION_WITH_BATMAP) {
      const app = footer.creatorApp.replace(/\0/g, '');
      throw notEncrypted(
        path,
        `it was written by "${app}" ${footer.creatorVersion >>> 16}.${footer.creatorVersion & 0xffff}, not by blktap (tap ≥ 1.2), so it has no key hash.`,
      );
    }
    const headerOffset = Number(footer.dataOffset);
    if (!Number.isSafeInteger(headerOffset) || headerOffset + DYNAMIC_HEADER_SIZE > fileSize - FOOTER_SIZE) {
      throw malformed(path, `The footer points to a dynamic header outside the file (offset ${footer.dataOffset}).`);
    }
    const header = parseDynamicHeader(await readAt(file, headerOffset, DYNAMIC_HEADER_SIZE));
    if (header.blockSize !== BLOCK_SIZE) {
      throw malformed(
        path,
        `The VHD uses ${header.blockSize}-byte blocks; vhd-util writes 2 MiB blocks and this app reads only those.`,
      );
    }
    const blockCount = Math.ceil(footer.currentSize / BLOCK_SIZE);
    if (header.maxTableEntries < blockCount) {
      throw malformed(
        path,
        `The block table has ${header.maxTableEntries} entries, too few for a ${footer.currentSize}-byte disk.`,
      );
    }
    const batBytes = Math.max(1, Math.ceil((header.maxTableEntries * 4) / SECTOR_SIZE)) * SECTOR_SIZE;
    if (header.tableOffset + batBytes + BATMAP_HEADER_SIZE > fileSize - FOOTER_SIZE) {
      throw malformed(path, 'The block table or batmap lies outside the file.');
    }
    const bat = parseBat(await readAt(file, header.tableOffset, header.maxTableEntries * 4), header.maxTableEntries);
    const dataEnd = fileSize - FOOTER_SIZE;
    for (let b = 0; b < bat.length; b += 1) {
      if (bat[b] === BAT_UNUSED) continue;
      const end = (bat[b] + BLOCK_BITMAP_SECTORS + SECTORS_PER_BLOCK) * SECTOR_SIZE;
      if (bat[b] * SECTOR_SIZE < header.tableOffset + batBytes || end > dataEnd) {
        throw malformed(path, `Block ${b} points outside the data area (sector ${bat[b]}); the file may be truncated.`);
      }
    }
    const batmapHeader = parseBatmapHeader(await readAt(file, header.tableOffset + batBytes, BATMAP_HEADER_SIZE));
    const checkedSectors = batmapChecksumSectors(footer.currentSize);
    if (
      batmapHeader.batmapSectors < checkedSectors ||
      batmapHeader.batmapOffset + batmapHeader.batmapSectors * SECTOR_SIZE > dataEnd
    ) {
      throw malformed(path, 'The batmap lies outside the file or is too small for the disk.');
    }
    const batmap = await readAt(file, batmapHeader.batmapOffset, batmapHeader.batmapSectors * SECTOR_SIZE);
    if (batmapChecksum(batmap, footer.currentSize) !== batmapHeader.checksum) {
      throw malformed(path, 'The batmap checksum is wrong.');
    }
    if (batmapHeader.keyHash.cookie !== 1) {
      throw notEncrypted(path, 'its batmap header holds no key hash.');
    }
    return { path, fileSize, footer, header, bat, batmapHeader, batmap };
  } finally {
    if (own) await file.close();
  }
}

/** Refuses a key of the wrong size or shape, and a key whose hash differs from the one stored in the VHD. */
export function checkVhdCryptKey(metadata: VhdCryptMetadata, key: Uint8Array): void {
  assertVhdCryptKey(key);
  const record = metadata.batmapHeader.keyHash;
  const hash = computeKeyHash(key, record.nonce);
  if (!timingSafeEqual(hash, record.hash)) {
    throw new AppError(
      'VHD_WRONG_KEY',
      'This key does not open the VHD: its hash differs from the key hash stored in the image.',
      {
        hint: "Use this image's own key (the job's DEK). A 64-byte key (--key-bits 512) and a 32-byte key (--key-bits 256) are not interchangeable.",
        details: { path: metadata.path },
      },
    );
  }
}

/**
 * The decrypted virtual disk of a vhd-util encrypted VHD. Sectors of stored blocks are decrypted with AES-XTS
 * and the "plain" tweak (32-bit LBA); sectors that neither the batmap nor the block bitmap mark present read as
 * zeros without decryption, as tapdisk returns them.
 */
export class VhdCryptReader implements DiskReader {
  readonly format = 'vhd-dynamic' as const;
  readonly virtualSize: number;
  private readonly bitmaps = new Map<number, Buffer>();
  private closed = false;

  constructor(
    private readonly handle: FileHandle,
    readonly metadata: VhdCryptMetadata,
    private readonly decryptor: SectorDecryptor,
  ) {
    this.virtualSize = metadata.footer.currentSize;
  }

  async *extents(): AsyncIterable<Extent> {
    const { bat } = this.metadata;
    let current: Extent | null = null;
    for (let b = 0; b * BLOCK_SIZE < this.virtualSize; b += 1) {
      const offset = b * BLOCK_SIZE;
      const length = Math.min(BLOCK_SIZE, this.virtualSize - offset);
      const allocated = bat[b] !== BAT_UNUSED;
      if (current && current.allocated === allocated) {
        current.length += length;
      } else {
        if (current) yield current;
        current = { offset, length, allocated };
      }
    }
    if (current) yield current;
  }

  async read(offset: number, target: Buffer): Promise<number> {
    if (this.closed) throw new AppError('READER_CLOSED', 'The VHD reader was closed.');
    if (!Number.isSafeInteger(offset) || offset < 0 || offset > this.virtualSize) {
      throw new AppError('READ_OUT_OF_RANGE', `Read at ${offset} is outside the ${this.virtualSize}-byte disk.`);
    }
    const length = Math.min(target.length, this.virtualSize - offset);
    const pieces: Array<Promise<void>> = [];
    let done = 0;
    while (done < length) {
      const position = offset + done;
      const block = Math.floor(position / BLOCK_SIZE);
      const inBlock = position - block * BLOCK_SIZE;
      const chunk = Math.min(length - done, BLOCK_SIZE - inBlock);
      const piece = this.readFromBlock(block, inBlock, target.subarray(done, done + chunk));
      if (this.decryptor.parallel) pieces.push(piece);
      else await piece;
      done += chunk;
    }
    await Promise.all(pieces);
    return length;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.bitmaps.clear();
    await this.decryptor.dispose();
    await this.handle.close();
  }

  private async readFromBlock(block: number, inBlock: number, target: Buffer): Promise<void> {
    const entry = this.metadata.bat[block];
    if (entry === BAT_UNUSED) {
      target.fill(0);
      return;
    }
    const firstSector = Math.floor(inBlock / SECTOR_SIZE);
    const endSector = Math.ceil((inBlock + target.length) / SECTOR_SIZE);
    const sectors = endSector - firstSector;
    const fileOffset = (entry + BLOCK_BITMAP_SECTORS + firstSector) * SECTOR_SIZE;
    const ciphertext = this.decryptor.alloc(sectors * SECTOR_SIZE);
    await this.readExactly(ciphertext, fileOffset);
    const buf = await this.decryptor.decrypt(ciphertext, block * SECTORS_PER_BLOCK + firstSector);
    if (!batmapTest(this.metadata.batmap, block)) {
      const bitmap = await this.bitmap(block, entry);
      for (let s = 0; s < sectors; s += 1) {
        const sector = firstSector + s;
        if ((bitmap[sector >> 3] & (0x80 >> (sector & 7))) === 0) buf.fill(0, s * SECTOR_SIZE, (s + 1) * SECTOR_SIZE);
      }
    }
    buf.copy(target, 0, inBlock - firstSector * SECTOR_SIZE);
  }

  private async bitmap(block: number, entry: number): Promise<Buffer> {
    let bitmap = this.bitmaps.get(block);
    if (!bitmap) {
      bitmap = Buffer.alloc(BLOCK_BITMAP_SECTORS * SECTOR_SIZE);
      await this.readExactly(bitmap, entry * SECTOR_SIZE);
      if (this.bitmaps.size > 4096) this.bitmaps.clear();
      this.bitmaps.set(block, bitmap);
    }
    return bitmap;
  }

  private async readExactly(buf: Buffer, position: number): Promise<void> {
    let done = 0;
    while (done < buf.length) {
      const { bytesRead } = await this.handle.read(buf, done, buf.length - done, position + done);
      if (bytesRead === 0) throw malformed(this.metadata.path, `The file ends early, at ${position + done} bytes.`);
      done += bytesRead;
    }
  }
}

/**
 * Opens an encrypted VHD with its raw key (32 or 64 bytes), refusing a key whose hash does not match. With a
 * pool, large reads are decrypted on all its workers at once.
 */
export async function openVhdCryptReader(
  path: string,
  key: Uint8Array,
  options: { pool?: XtsPool } = {},
): Promise<VhdCryptReader> {
  assertVhdCryptKey(key);
  const handle = await open(path, 'r');
  try {
    const metadata = await readVhdCryptMetadata(path, handle);
    checkVhdCryptKey(metadata, key);
    const decryptor = options.pool ? await poolDecryptor(options.pool, key, 'plain') : localDecryptor(key, 'plain');
    return new VhdCryptReader(handle, metadata, decryptor);
  } catch (error) {
    await handle.close();
    throw error;
  }
}
