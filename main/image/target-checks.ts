import { basename, extname } from 'node:path';
import { TARGETS, type TargetId } from '../targets';
import type { ProbeProblem } from './types';

const GB = 1000 ** 3;

/** What the chosen target's import service will say about this image, said before anything is sealed. */
export function targetProblems(path: string, virtualSize: number, target: TargetId): ProbeProblem[] {
  const spec = TARGETS[target];
  const problems: ProbeProblem[] = [];
  if (virtualSize === 0) {
    problems.push({
      code: 'EMPTY_DISK',
      severity: 'error',
      message: 'The image describes a disk of 0 bytes; there is nothing to seal.',
    });
  }
  if (virtualSize > spec.maxVirtualSize) {
    problems.push({
      code: 'TOO_LARGE',
      severity: 'error',
      message: `The virtual disk is ${gb(virtualSize)} GB; the ${target} import accepts at most ${gb(spec.maxVirtualSize)} GB. Shrink the disk (file system, then partition, then \`qemu-img resize --shrink\`) first.`,
    });
  }
  if (virtualSize > 0 && virtualSize < spec.minVirtualSize) {
    problems.push({
      code: 'TOO_SMALL',
      severity: 'warning',
      message: `The virtual disk is ${gb(virtualSize)} GB; it will be rounded up to ${gb(spec.minVirtualSize)} GB by the ${target} import (the extra space reads as zeros).`,
    });
  }
  const extension = extname(path);
  if (target === 'vpc' && extension !== extension.toLowerCase()) {
    problems.push({
      code: 'UPPERCASE_EXTENSION',
      severity: 'warning',
      message: `The file's extension "${extension}" is not lower case, which IBM Cloud VPC refuses; the sealed file is named with ".qcow2" anyway.`,
    });
  }
  if (target === 'classic-vhd' && !basename(path).endsWith('.vhd-0.vhd')) {
    problems.push({
      code: 'VHD_NAME',
      severity: 'warning',
      message: 'Classic image templates expect a file named "<name>.vhd-0.vhd"; the sealed file is named that way.',
    });
  }
  return problems;
}

function gb(bytes: number): string {
  const value = bytes / GB;
  return value >= 10 ? value.toFixed(0) : value.toFixed(value >= 1 ? 1 : 3);
}
