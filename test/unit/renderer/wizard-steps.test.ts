import { describe, expect, it } from 'vitest';
import { jobNameFromFile, resumeStep, stepDone, wizardSteps } from '../../../renderer/src/wizard/steps';

describe('wizard steps', () => {
  it('lists Provision only when asked for', () => {
    expect(wizardSteps(false)).toEqual(['image', 'target', 'seal', 'key', 'upload', 'import', 'done']);
    expect(wizardSteps(true)).toEqual(['image', 'target', 'seal', 'key', 'upload', 'import', 'provision', 'done']);
  });

  it('knows which steps a job state has finished', () => {
    expect(stepDone('seal', 'created')).toBe(false);
    expect(stepDone('seal', 'sealed')).toBe(true);
    expect(stepDone('key', 'sealed')).toBe(false);
    expect(stepDone('key', 'uploaded')).toBe(true);
    expect(stepDone('upload', 'failed', 'wrapped')).toBe(false);
    expect(stepDone('key', 'failed', 'wrapped')).toBe(true);
  });

  it('resumes a job at its first unfinished step', () => {
    expect(resumeStep('created', undefined, false)).toBe('seal');
    expect(resumeStep('sealed', undefined, false)).toBe('key');
    expect(resumeStep('failed', 'wrapped', false)).toBe('upload');
    expect(resumeStep('imported', undefined, false)).toBe('done');
    expect(resumeStep('imported', undefined, true)).toBe('provision');
    expect(resumeStep('provisioned', undefined, true)).toBe('done');
  });

  it('derives a job name that is also a valid VPC image name', () => {
    expect(jobNameFromFile('Ubuntu 22.04 Server.qcow2')).toBe('ubuntu-22-04-server');
    expect(jobNameFromFile('/home/me/disk.raw')).toBe('disk');
    expect(jobNameFromFile('2024_backup.vhd')).toBe('image-2024-backup');
    expect(jobNameFromFile('___.img')).toBe('image');
    const long = jobNameFromFile(`${'a'.repeat(100)}.raw`);
    expect(long.length).toBeLessThanOrEqual(63);
    for (const name of ['Ubuntu 22.04 Server.qcow2', '2024_backup.vhd', 'x-.raw', `${'b-'.repeat(40)}.img`]) {
      expect(jobNameFromFile(name)).toMatch(/^[a-z]([a-z0-9-]*[a-z0-9])?$/);
    }
  });
});
