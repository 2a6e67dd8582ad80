import { open, type FileHandle } from 'node:fs/promises';
import { AppError, isAppError } from '../common/errors';
import { openLuks1 } from '../crypto/luks1';
import { allocTransferable, type XtsKeyHandle, type XtsPool } from '../crypto/worker-pool';
import { createXtsCipher, type XtsCipher } from '../crypto/xts';
import type { DiskReader, Extent } from '../image/types';
import {
  parseQcow2Header,
  QCOW_OFFSET_MASK,
  QCOW_OFLAG_COMPRESSED,
  QCOW_OFLAG_ZERO,
  type Qcow2Header,
} from './qcow2-luks-format';

const SECTOR = 512;
/** Bytes per file read / decrypt request inside one `read` call. */
const PIECE = 1 << 20;

type ClusterEntry = { kind: 'zero' } | { kind: 'data'; host: number };

export function wrongKeyError(what: string): AppError {
  return new AppError('SEAL_WRONG_KEY', `The key does not open this sealed image (${what}).`, {
    hint: 'Use the DEK (or DEK file) the image was sealed with, and check the target: vpc and classic-luks use base64(DEK) as the LUKS passphrase.',
  });
}

/**
 * Reads the decrypted virtual disk of a LUKS-encrypted qcow2 (ours or qemu-img's). A wrong passphrase →
 * SEAL_WRONG_KEY; a file that is not a LUKS qcow2 → SEAL_NOT_SEALED_FORMAT; damaged tables → SEAL_CORRUPT.
 */
export async function openQcow2LuksReader(path: string, passphrase: Buffer, options: { pool?: XtsPool } = {}): Promise<DiskReader> {
  const file = await open(path, 'r');
  try {
    const { size: fileSize } = await file.stat();
    const first = Buffer.alloc(Math.min(fileSize, 1 << 16));
    await readFully(file, first, 0, path);
    const header = parseQcow2Header(first, path, fileSize);
    const crypto = header.cryptoHeader!;
    const readArea = async (offset: number, length: number): Promise<Buffer> => {
      if (offset + length > crypto.length) throw corrupt(path, 'a LUKS key slot lies outside the LUKS header area');
      const bytes = Buffer.alloc(length);
      await readFully(file, bytes, crypto.offset + offset, path);
      return bytes;
    };
    let opened;
    try {
      opened = await openLuks1(readArea, passphrase);
    } catch (error) {
      if (isAppError(error, 'LUKS_WRONG_PASSPHRASE')) throw wrongKeyError('no LUKS key slot accepts the passphrase');
      throw error;
    }
    const l1 = Buffer.alloc(header.l1Size * 8);
    await readFully(file, l1, header.l1TableOffset, path);
    const reader = new Qcow2LuksReader(path, file, fileSize, header, l1, opened.masterKey, options.pool);
    await reader.init();
    return reader;
  } catch (error) {
    await file.close();
    throw error;
  }
}

function corrupt(path: string, what: string): AppError {
  return new AppError('SEAL_CORRUPT', `The sealed image ${path} is damaged: ${what}.`, {
    hint: 'Seal the image again; if it was copied, copy it again and compare the SHA-256 in its manifest.',
  });
}

async function readFully(file: FileHandle, target: Buffer, position: number, path: string): Promise<void> {
  let done = 0;
  while (done < target.length) {
    const { bytesRead } = await file.read(target, done, target.length - done, position + done);
    if (bytesRead === 0) {
      throw new AppError('SEAL_TRUNCATED', `The sealed image ${path} ends early (needed byte ${position + target.length}).`, {
        hint: 'The file is incomplete: copy or download it again.',
      });
    }
    done += bytesRead;
  }
}

class Qcow2LuksReader implements DiskReader {
  readonly format = 'qcow2' as const;
  readonly virtualSize: number;
  private readonly clusterSize: number;
  private readonly l2Entries: number;
  private readonly l2Cache = new Map<number, Buffer>();
  private cipher: XtsCipher | null = null;
  private keyHandle: XtsKeyHandle | null = null;
  private closed = false;

  constructor(
    private readonly path: string,
    private readonly file: FileHandle,
    private readonly fileSize: number,
    header: Qcow2Header,
    private readonly l1: Buffer,
    private masterKey: Buffer,
    private readonly pool: XtsPool | undefined,
  ) {
    this.virtualSize = header.size;
    this.clusterSize = 2 ** header.clusterBits;
    this.l2Entries = this.clusterSize / 8;
  }

  async init(): Promise<void> {
    try {
      if (this.pool && this.pool.size > 0) this.keyHandle = await this.pool.addKey(this.masterKey, 'plain64');
      else this.cipher = createXtsCipher(this.masterKey, 'plain64');
    } finally {
      this.masterKey.fill(0);
    }
  }

  private async entry(cluster: number): Promise<ClusterEntry> {
    const index = Math.floor(cluster / this.l2Entries);
    const l1Entry = this.l1.readBigUInt64BE(index * 8) & QCOW_OFFSET_MASK;
    if (l1Entry === 0n) return { kind: 'zero' };
    let table = this.l2Cache.get(index);
    if (!table) {
      const offset = Number(l1Entry);
      if (offset % this.clusterSize !== 0 || offset + this.clusterSize > this.fileSize) {
        throw corrupt(this.path, `L2 table ${index} points outside the file`);
      }
      table = Buffer.alloc(this.clusterSize);
      await readFully(this.file, table, offset, this.path);
      this.l2Cache.set(index, table);
    }
    const raw = table.readBigUInt64BE((cluster % this.l2Entries) * 8);
    if (raw & QCOW_OFLAG_COMPRESSED) throw corrupt(this.path, 'an encrypted cluster is marked compressed');
    if (raw & QCOW_OFLAG_ZERO) return { kind: 'zero' };
    const host = Number(raw & QCOW_OFFSET_MASK);
    if (host === 0) return { kind: 'zero' };
    if (host % this.clusterSize !== 0) throw corrupt(this.path, `cluster ${cluster} is not cluster-aligned in the file`);
    if (host + this.clusterSize > this.fileSize) {
      throw new AppError('SEAL_TRUNCATED', `The sealed image ${this.path} ends before cluster ${cluster}'s data.`, {
        hint: 'The file is incomplete: copy or download it again.',
      });
    }
    return { kind: 'data', host };
  }

  async *extents(): AsyncIterable<Extent> {
    const clusters = Math.ceil(this.virtualSize / this.clusterSize);
    let current: Extent | null = null;
    for (let cluster = 0; cluster < clusters; cluster++) {
      const allocated = (await this.entry(cluster)).kind === 'data';
      const offset = cluster * this.clusterSize;
      const length = Math.min(this.clusterSize, this.virtualSize - offset);
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
    if (this.closed) throw new Error('read after close');
    if (!Number.isSafeInteger(offset) || offset < 0 || offset > this.virtualSize) {
      throw new RangeError(`read at ${offset} is outside the ${this.virtualSize}-byte disk`);
    }
    const end = Math.min(this.virtualSize, offset + target.length);
    const decrypting: Promise<void>[] = [];
    let position = offset;
    while (position < end) {
      const cluster = Math.floor(position / this.clusterSize);
      const first = await this.entry(cluster);
      // Extend over following clusters of the same kind that are contiguous in the file.
      let runEnd = Math.min(end, (cluster + 1) * this.clusterSize);
      let next = cluster + 1;
      while (runEnd < end && runEnd - position < PIECE) {
        const candidate = await this.entry(next);
        const contiguous =
          candidate.kind === first.kind &&
          (candidate.kind === 'zero' || (first.kind === 'data' && candidate.kind === 'data' && candidate.host === first.host + (next - cluster) * this.clusterSize));
        if (!contiguous) break;
        runEnd = Math.min(end, (next + 1) * this.clusterSize);
        next++;
      }
      if (first.kind === 'zero') {
        target.fill(0, position - offset, runEnd - offset);
      } else {
        const alignedStart = Math.floor(position / SECTOR) * SECTOR;
        const alignedEnd = Math.ceil(runEnd / SECTOR) * SECTOR;
        const hostStart = first.host + (alignedStart - cluster * this.clusterSize);
        decrypting.push(this.decryptInto(hostStart, alignedEnd - alignedStart, target, position - offset, position - alignedStart, runEnd - position));
      }
      position = runEnd;
    }
    await Promise.all(decrypting);
    return end - offset;
  }

  private async decryptInto(hostStart: number, length: number, target: Buffer, targetOffset: number, skip: number, take: number): Promise<void> {
    const buffer = allocTransferable(length);
    await readFully(this.file, buffer, hostStart, this.path);
    const plain = this.keyHandle
      ? await this.pool!.run(this.keyHandle, buffer, [[0, length, hostStart / SECTOR]], true)
      : (this.cipher!.decrypt(buffer, hostStart / SECTOR), buffer);
    plain.copy(target, targetOffset, skip, skip + take);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.cipher?.dispose();
    if (this.keyHandle) await this.pool!.removeKey(this.keyHandle).catch(() => undefined);
    this.l2Cache.clear();
    await this.file.close();
  }
}
