import type { DiskReader, ProbeResult } from './types';
import { fileDataRanges, withDataRanges } from './file-holes';
import { inspectImage } from './inspect';
import { changedError } from './image-file';

export interface OpenReaderOptions {
  /** the probe this job was planned from: opening fails with IMAGE_CHANGED if the file differs from it */
  expected?: Pick<ProbeResult, 'fileSize' | 'mtimeMs'>;
  /**
   * For a raw image or fixed VHD, report the file's holes as the file system records them (see file-holes.ts), so a writer
   * skips them unread. Off for digests: a source's digest reads every byte, so verifying a seal also checks
   * this hole map.
   */
  fileHoles?: boolean;
}

/**
 * Opens a reader for a raw, qcow2 or VHD (fixed/dynamic) image. The reader checks at close (and whenever it
 * meets the end of the file) that the file was not modified while it was read, and throws IMAGE_CHANGED if
 * it was. Other formats are refused with IMAGE_UNSUPPORTED_FORMAT (the qemu-img engine handles them).
 */
export async function openDiskReader(path: string, options: OpenReaderOptions = {}): Promise<DiskReader> {
  const inspection = await inspectImage(path);
  const { file } = inspection;
  const expected = options.expected;
  if (expected && (expected.fileSize !== file.size || expected.mtimeMs !== file.mtimeMs)) {
    await file.close();
    throw changedError(
      path,
      { size: expected.fileSize, mtimeMs: expected.mtimeMs },
      { size: file.size, mtimeMs: file.mtimeMs },
    );
  }
  try {
    const reader = await inspection.openReader();
    // Raw and fixed VHD store the disk as is from the file's first byte, so the file's holes are the disk's.
    if (!options.fileHoles || (reader.format !== 'raw' && reader.format !== 'vhd-fixed')) return reader;
    const ranges = await fileDataRanges(path, file.size);
    return ranges ? withDataRanges(reader, ranges) : reader;
  } catch (error) {
    await file.close().catch(() => undefined);
    throw error;
  }
}
