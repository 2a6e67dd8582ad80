import { createHash } from 'node:crypto';
import { ProgressMeter, type ProgressListener } from '../common/progress';
import type { DiskReader } from './types';
import { AppError } from '../common/errors';

const CHUNK = 2 * 1024 * 1024;
let zeros: Buffer | undefined;

/**
 * SHA-256 (hex) of the whole virtual disk, holes included as zeros: the digest the sealing pipeline compares
 * between a source and its decrypted output. Holes are hashed from one shared zero buffer without reading,
 * and the next chunk is read while the current one is hashed.
 */
export async function hashVirtualContent(
  reader: DiskReader,
  signal?: AbortSignal,
  onProgress?: ProgressListener,
): Promise<string> {
  zeros ??= Buffer.alloc(CHUNK);
  const hash = createHash('sha256');
  const meter = new ProgressMeter('hash', reader.virtualSize, onProgress);
  // Two buffers: one being hashed while the other is filled.
  const buffers = [Buffer.allocUnsafe(CHUNK), Buffer.allocUnsafe(CHUNK)];
  let flip = 0;
  let expected = 0;
  for await (const extent of reader.extents()) {
    signal?.throwIfAborted();
    if (extent.offset !== expected)
      throw readerBug(`extents() left a gap or overlap at ${expected} (next extent at ${extent.offset})`);
    expected = extent.offset + extent.length;
    if (!extent.allocated) {
      for (let done = 0; done < extent.length; done += CHUNK) {
        signal?.throwIfAborted();
        const take = Math.min(CHUNK, extent.length - done);
        hash.update(take === CHUNK ? zeros : zeros.subarray(0, take));
        meter.add(take);
      }
      continue;
    }
    const end = extent.offset + extent.length;
    const readChunk = (at: number): Promise<Buffer> => {
      const buffer = buffers[flip];
      flip ^= 1;
      const view = buffer.subarray(0, Math.min(CHUNK, end - at));
      const reading = reader.read(at, view).then((placed) => view.subarray(0, placed));
      // Marked handled now: if hashing stops early (cancel), a failing prefetch must not go unhandled.
      reading.catch(() => undefined);
      return reading;
    };
    let position = extent.offset;
    let pending = readChunk(position);
    while (position < end) {
      const chunk = await pending;
      if (chunk.length === 0) throw readerBug(`the reader returned no data at offset ${position}`);
      position += chunk.length;
      if (position < end) pending = readChunk(position);
      signal?.throwIfAborted();
      hash.update(chunk);
      meter.add(chunk.length);
    }
  }
  if (expected !== reader.virtualSize) throw readerBug(`extents() covered ${expected} of ${reader.virtualSize} bytes`);
  meter.finish();
  return hash.digest('hex');
}

function readerBug(what: string): AppError {
  return new AppError('IMAGE_READER_INCONSISTENT', `Internal error while hashing the disk: ${what}.`);
}
