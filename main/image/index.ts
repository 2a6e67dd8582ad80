export { probeImage, type ProbeOptions } from './probe';
export { openDiskReader, type OpenReaderOptions } from './open-reader';
export { hashVirtualContent } from './hash';
export type { DiskReader, Extent, ProbeProblem, ProbeResult, SourceFormat } from './types';
