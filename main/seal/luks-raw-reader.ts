import { open, type FileHandle } from 'node:fs/promises';
import { AppError } from '../common/errors';
import { openLuks1, type LuksHeader } from '../crypto/luks1';
import type { XtsPool } from '../crypto/worker-pool';
import type { DiskReader, Extent } from '../image/types';
import { localDecryptor, poolDecryptor, type SectorDecryptor } from './sector-decryptor';

const SECTOR = 512;
/** Pieces of a large read decrypted at the same time on the pool. */
const PIECE = 2 * 1024 * 1024;

/**
 * The decrypted payload of a raw LUKS1 volume (target classic-luks): everything after the payload offset,
 * aes-xts-plain64 with sector numbers counted from the start of the payload, as dm-crypt does.
 */
export class LuksRawReader implements DiskReader {
  readonly format = 'raw' as const;
  readonly virtualSize: number;
  private readonly payloadOffset: number;
  private closed = false;

  constructor(
    private readonly handle: FileHandle,
    readonly header: LuksHeader,
    fileSize: number,
    private readonly decryptor: SectorDecryptor,
  ) {
    this.payloadOffset = header.payloadOffsetSectors * SECTOR;
    // dm-crypt maps whole sectors only; a trailing partial sector is not part of the volume.
    this.virtualSize = Math.floor((fileSize - this.payloadOffset) / SECTOR) * SECTOR;
  }

  async *extents(): AsyncIterable<Extent> {
    if (this.virtualSize > 0) yield { offset: 0, length: this.virtualSize, allocated: true };
  }

  async read(offset: number, target: Buffer): Promise<number> {
    if (this.closed) throw new AppError('READER_CLOSED', 'The LUKS reader was closed.');
    if (!Number.isSafeInteger(offset) || offset < 0 || offset > this.virtualSize) {
      throw new AppError('READ_OUT_OF_RANGE', `Read at ${offset} is outside the ${this.virtualSize}-byte volume.`);
    }
    const length = Math.min(target.length, this.virtualSize - offset);
    const pieces: Array<Promise<void>> = [];
    for (let done = 0; done < length;) {
      // pieces end on PIECE boundaries of the volume, so only the first and last can be partial sectors
      const position = offset + done;
      const chunk = Math.min(length - done, PIECE - (position % PIECE));
      const piece = this.readPiece(position, target.subarray(done, done + chunk));
      if (this.decryptor.parallel) pieces.push(piece);
      else await piece;
      done += chunk;
    }
    await Promise.all(pieces);
    return length;
  }

  private async readPiece(offset: number, target: Buffer): Promise<void> {
    const firstSector = Math.floor(offset / SECTOR);
    const endSector = Math.ceil((offset + target.length) / SECTOR);
    const ciphertext = this.decryptor.alloc((endSector - firstSector) * SECTOR);
    await this.readExactly(ciphertext, this.payloadOffset + firstSector * SECTOR);
    const plain = await this.decryptor.decrypt(ciphertext, firstSector);
    plain.copy(target, 0, offset - firstSector * SECTOR, offset - firstSector * SECTOR + target.length);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.decryptor.dispose();
    await this.handle.close();
  }

  private async readExactly(buf: Buffer, position: number): Promise<void> {
    let done = 0;
    while (done < buf.length) {
      const { bytesRead } = await this.handle.read(buf, done, buf.length - done, position + done);
      if (bytesRead === 0) {
        throw new AppError('LUKS_TRUNCATED', `The LUKS volume ends early, at ${position + done} bytes.`, {
          hint: 'The file was truncated or is still being written; seal the image again.',
        });
      }
      done += bytesRead;
    }
  }
}

/**
 * Opens a raw LUKS1 volume with its passphrase (for classic-luks: base64(DEK)). A passphrase no key slot
 * accepts → LUKS_WRONG_PASSPHRASE; a file without the LUKS magic → LUKS_NOT_LUKS.
 */
export async function openLuksRawReader(
  path: string,
  passphrase: Buffer,
  options: { pool?: XtsPool } = {},
): Promise<LuksRawReader> {
  const handle = await open(path, 'r');
  try {
    const fileSize = (await handle.stat()).size;
    const readArea = async (offset: number, length: number): Promise<Buffer> => {
      if (offset + length > fileSize) {
        throw new AppError(
          'LUKS_CORRUPT_HEADER',
          'The LUKS header points past the end of the file; the file is truncated or damaged.',
        );
      }
      const buf = Buffer.alloc(length);
      let done = 0;
      while (done < length) {
        const { bytesRead } = await handle.read(buf, done, length - done, offset + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      return buf;
    };
    if (fileSize < 592) {
      throw new AppError('LUKS_NOT_LUKS', 'This is not a LUKS volume: the file is too short to hold a LUKS header.', {
        hint: 'Check that you picked the sealed image and the right target.',
      });
    }
    const { header, masterKey } = await openLuks1(readArea, passphrase);
    try {
      if (header.payloadOffsetSectors * SECTOR > fileSize) {
        throw new AppError(
          'LUKS_CORRUPT_HEADER',
          'The LUKS payload starts past the end of the file; the file is truncated.',
        );
      }
      const decryptor = options.pool
        ? await poolDecryptor(options.pool, masterKey, 'plain64')
        : localDecryptor(masterKey, 'plain64');
      return new LuksRawReader(handle, header, fileSize, decryptor);
    } finally {
      masterKey.fill(0);
    }
  } catch (error) {
    await handle.close();
    throw error;
  }
}
