import { describe, expect, it } from 'vitest';
import { targetProblems } from '../../../main/image/target-checks';

const GB = 1000 ** 3;

const codes = (problems: ReturnType<typeof targetProblems>) =>
  problems.map((problem) => `${problem.code}:${problem.severity}`);

describe('targetProblems', () => {
  it('accepts a 10–250 GB qcow2 for vpc without remarks', () => {
    expect(targetProblems('/images/disk.qcow2', 10 * GB, 'vpc')).toEqual([]);
    expect(targetProblems('/images/disk.qcow2', 250 * GB, 'vpc')).toEqual([]);
  });

  it('warns that small vpc disks will be rounded up to 10 GB', () => {
    const problems = targetProblems('/images/disk.qcow2', 2 * GB, 'vpc');
    expect(codes(problems)).toEqual(['TOO_SMALL:warning']);
    expect(problems[0].message).toContain('will be rounded up to 10 GB');
  });

  it('refuses disks over each target maximum', () => {
    expect(codes(targetProblems('/d.qcow2', 250 * GB + 1, 'vpc'))).toEqual(['TOO_LARGE:error']);
    expect(codes(targetProblems('/d.vhd-0.vhd', 100 * GB + 1, 'classic-vhd'))).toEqual(['TOO_LARGE:error']);
    expect(codes(targetProblems('/d.raw', 100 * GB + 1, 'classic-luks'))).toEqual(['TOO_LARGE:error']);
    expect(codes(targetProblems('/d.raw', 100 * GB, 'classic-luks'))).toEqual([]);
  });

  it('flags upper-case extensions for vpc only', () => {
    expect(codes(targetProblems('/images/DISK.QCOW2', 20 * GB, 'vpc'))).toEqual(['UPPERCASE_EXTENSION:warning']);
    expect(codes(targetProblems('/images/DISK.QCOW2', 20 * GB, 'classic-luks'))).toEqual([]);
    expect(codes(targetProblems('/images/Disk.qcow2', 20 * GB, 'vpc'))).toEqual([]);
  });

  it('names the classic VHD convention as a warning', () => {
    expect(codes(targetProblems('/images/disk.vhd', GB, 'classic-vhd'))).toEqual(['VHD_NAME:warning']);
    expect(codes(targetProblems('/images/disk.vhd-0.vhd', GB, 'classic-vhd'))).toEqual([]);
  });

  it('refuses an empty disk', () => {
    expect(codes(targetProblems('/d.raw', 0, 'classic-luks'))).toEqual(['EMPTY_DISK:error']);
  });
});
