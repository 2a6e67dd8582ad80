import { constants } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { AppError } from '../common/errors';

/**
 * One opened source image: a read-only handle plus the identity (size, mtime) it had when opened, so that
 * every parser and reader can tell "the file is shorter than its own structures say" (IMAGE_TRUNCATED)
 * apart from "someone changed the file under us" (IMAGE_CHANGED).
 */
export class ImageFile {
  private closed = false;

  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    readonly size: number,
    readonly mtimeMs: number,
    /** bytes the file system really stores (sparse files store fewer) */
    readonly storedBytes: number,
  ) {}

  /** Opens a regular, non-empty, readable file; everything else is refused with a clear AppError. */
  static async open(path: string): Promise<ImageFile> {
    await statImage(path);
    let handle: FileHandle;
    try {
      // Non-blocking, so a name swapped for a FIFO after the stat above cannot hang the open.
      handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
    } catch (error) {
      throw openError(path, error);
    }
    try {
      // Re-check through the handle: the name could have been swapped between stat and open.
      const opened = await handle.stat();
      if (!opened.isFile()) throw notAFile(path, opened);
      if (opened.size === 0) throw emptyFile(path);
      return new ImageFile(path, handle, opened.size, opened.mtimeMs, Math.min(opened.size, opened.blocks * 512));
    } catch (error) {
      await handle.close().catch(() => undefined);
      throw error;
    }
  }

  /** Reads exactly `length` bytes at `position`; a short read means the file ends early. */
  async readAt(position: number, length: number, what: string): Promise<Buffer> {
    const buffer = Buffer.allocUnsafe(length);
    await this.readInto(buffer, 0, length, position, what);
    return buffer;
  }

  /** Fills target[targetOffset, targetOffset + length) from the file at `position`, looping over short reads. */
  async readInto(target: Buffer, targetOffset: number, length: number, position: number, what: string): Promise<void> {
    if (this.closed) throw new AppError('IMAGE_CLOSED', 'The image reader was already closed.');
    let done = 0;
    while (done < length) {
      let bytesRead: number;
      try {
        ({ bytesRead } = await this.handle.read(target, targetOffset + done, length - done, position + done));
      } catch (error) {
        throw readError(this.path, error);
      }
      if (bytesRead === 0) {
        await this.assertUnchanged();
        throw new AppError(
          'IMAGE_TRUNCATED',
          `The image ends before its ${what} (needed bytes up to ${position + length}, the file has ${this.size}). The file is incomplete or damaged.`,
          { hint: 'Copy or download the image again and check its size.', details: { path: this.path, what } },
        );
      }
      done += bytesRead;
    }
  }

  /** Throws IMAGE_CHANGED when the file's size or modification time differ from when it was opened. */
  async assertUnchanged(): Promise<void> {
    let now: Stats;
    try {
      now = await this.handle.stat();
    } catch (error) {
      throw readError(this.path, error);
    }
    if (now.size !== this.size || now.mtimeMs !== this.mtimeMs) {
      throw changedError(
        this.path,
        { size: this.size, mtimeMs: this.mtimeMs },
        { size: now.size, mtimeMs: now.mtimeMs },
      );
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.handle.close();
  }
}

export function changedError(
  path: string,
  before: { size: number; mtimeMs: number },
  after: { size: number; mtimeMs: number },
): AppError {
  return new AppError(
    'IMAGE_CHANGED',
    `The image file changed while it was being read (size ${before.size} → ${after.size} bytes). Whatever was produced from it cannot be trusted.`,
    {
      hint: 'Make sure nothing (a virtual machine, a download, a copy) is still writing the image, then start again.',
      details: { path, before, after },
    },
  );
}

async function statImage(path: string): Promise<Stats> {
  let info: Stats;
  try {
    info = await stat(path);
  } catch (error) {
    throw openError(path, error);
  }
  if (!info.isFile()) throw notAFile(path, info);
  if (info.size === 0) throw emptyFile(path);
  return info;
}

function notAFile(path: string, info: Stats): AppError {
  const kind = info.isDirectory()
    ? 'a folder'
    : info.isCharacterDevice() || info.isBlockDevice()
      ? 'a device'
      : info.isFIFO()
        ? 'a pipe'
        : info.isSocket()
          ? 'a socket'
          : 'not a regular file';
  return new AppError('IMAGE_NOT_A_FILE', `${path} is ${kind}, not a disk image file.`, {
    hint: 'Choose the image file itself (for example disk.qcow2, disk.vhd or disk.raw).',
    details: { path, kind },
  });
}

function emptyFile(path: string): AppError {
  return new AppError('IMAGE_EMPTY', `${path} is empty (0 bytes), so it holds no disk image.`, {
    hint: 'The copy or download probably failed; get the image again.',
    details: { path },
  });
}

function openError(path: string, error: unknown): AppError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return new AppError('IMAGE_NOT_FOUND', `No file at ${path}.`, {
      hint: 'Check the path; the file may have been moved or deleted.',
      details: { path },
      cause: error,
    });
  }
  if (code === 'EISDIR') {
    return new AppError('IMAGE_NOT_A_FILE', `${path} is a folder, not a disk image file.`, {
      hint: 'Choose the image file itself.',
      details: { path },
      cause: error,
    });
  }
  if (code === 'ELOOP') {
    return new AppError('IMAGE_NOT_A_FILE', `${path} is a symbolic link that loops.`, {
      details: { path },
      cause: error,
    });
  }
  return readError(path, error);
}

function readError(path: string, error: unknown): AppError {
  if (error instanceof AppError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EACCES' || code === 'EPERM') {
    return new AppError('IMAGE_UNREADABLE', `Permission denied: cannot read ${path}.`, {
      hint: "Check the file's permissions (it must be readable by the user running Image Sealer).",
      details: { path },
      cause: error,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new AppError('IMAGE_UNREADABLE', `Cannot read ${path}: ${message}`, {
    hint: 'Check that the disk holding the image is attached and healthy.',
    details: { path, code },
    cause: error,
  });
}
