/**
 * What every source-format reader offers: the virtual disk's size, which ranges hold data, and the bytes.
 * Writers use `extents` to keep holes as holes (unallocated clusters / VHD blocks).
 */
export type SourceFormat = 'raw' | 'qcow2' | 'vhd-fixed' | 'vhd-dynamic' | 'other';

export interface Extent {
  /** byte offset in the virtual disk */
  offset: number;
  length: number;
  /** false: the range reads as zeros and was never written in the source (a hole) */
  allocated: boolean;
}

export interface DiskReader {
  readonly format: SourceFormat;
  readonly virtualSize: number;
  /** Ranges covering [0, virtualSize) in order, with no gaps; adjacent ranges of the same kind are merged. */
  extents(): AsyncIterable<Extent>;
  /**
   * Fills `target` with virtual-disk bytes starting at `offset` (zeros in holes). Reads past the end are
   * an error. Returns the number of bytes placed (target.length unless clipped at virtualSize).
   */
  read(offset: number, target: Buffer): Promise<number>;
  close(): Promise<void>;
}

export interface ProbeProblem {
  /** stable code, e.g. TOO_LARGE, UPPERCASE_EXTENSION */
  code: string;
  severity: 'error' | 'warning';
  message: string;
}

export interface ProbeResult {
  path: string;
  format: SourceFormat;
  /** e.g. "qcow2 v3", "VHD dynamic" */
  description: string;
  virtualSize: number;
  fileSize: number;
  /** bytes of the virtual disk that hold data, when the format says */
  allocatedSize: number;
  mtimeMs: number;
  problems: ProbeProblem[];
}
