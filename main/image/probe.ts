import type { TargetId } from '../targets';
import type { ProbeResult } from './types';
import { inspectImage } from './inspect';
import { targetProblems } from './target-checks';

export interface ProbeOptions {
  /** report problems against this target's import requirements */
  target?: TargetId;
}

/**
 * Detects the format of a source image, checks its structures against the file, and reports its virtual
 * and allocated size plus anything the chosen target will object to. Needs no external tool for raw, qcow2
 * and VHD; other formats are described by qemu-img when it is installed. Damaged, encrypted, differencing
 * or unreadable images are refused with an AppError (IMAGE_*).
 */
export async function probeImage(path: string, options: ProbeOptions = {}): Promise<ProbeResult> {
  const inspection = await inspectImage(path);
  const { file } = inspection;
  try {
    const allocatedSize = await inspection.allocatedSize();
    const problems = [...inspection.problems];
    if (options.target) problems.push(...targetProblems(path, inspection.virtualSize, options.target));
    await file.assertUnchanged();
    return {
      path,
      format: inspection.format,
      description: inspection.description,
      virtualSize: inspection.virtualSize,
      fileSize: file.size,
      allocatedSize,
      mtimeMs: file.mtimeMs,
      problems,
    };
  } finally {
    await file.close();
  }
}
