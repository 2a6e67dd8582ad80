import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli } from '../../helpers/cli';
import { makeTempDir } from '../../helpers/temp-dir';

describe('image-sealer CLI basics', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => ({ dir, cleanup } = await makeTempDir()));
  afterAll(async () => cleanup());

  it('prints one JSON result line for jobs list', async () => {
    const run = await runCli(['--json', '--data-dir', join(dir, 'a'), 'jobs', 'list']);
    expect(run.code).toBe(0);
    expect(run.result).toEqual({ event: 'result', jobs: [] });
  });

  it('says how to start when there are no jobs', async () => {
    const run = await runCli(['--data-dir', join(dir, 'a'), 'jobs', 'list']);
    expect(run.stdout).toMatch(/No jobs yet/);
  });

  it('exits 2 on usage errors, with a JSON error line in --json mode', async () => {
    const unknown = await runCli(['--json', 'frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.error).toMatchObject({ event: 'error', code: 'USAGE' });
    const badTarget = await runCli(['--json', '--data-dir', join(dir, 'a'), 'run', '/nonexistent.raw', '--target', 'mainframe']);
    expect(badTarget.code).toBe(2);
    expect(String(badTarget.error?.message)).toMatch(/--target must be one of vpc, classic-vhd, classic-luks/);
  });

  it('exits 1 with a clear error for a job that does not exist', async () => {
    const run = await runCli(['--json', '--data-dir', join(dir, 'a'), 'jobs', 'show', 'job-20260101-00000000']);
    expect(run.code).toBe(1);
    expect(run.error).toMatchObject({ code: 'JOB_NOT_FOUND' });
    const text = await runCli(['--data-dir', join(dir, 'a'), 'jobs', 'show', 'job-20260101-00000000']);
    expect(text.stderr).toMatch(/error: No job with id/);
    expect(text.stderr).not.toMatch(/\bat .*\.ts:\d+/);
  });

  it('verifies and exports the audit log', async () => {
    const verify = await runCli(['--json', '--data-dir', join(dir, 'a'), 'audit', 'verify']);
    expect(verify.code).toBe(0);
    expect(verify.result).toMatchObject({ ok: true, entries: 0 });
    const csv = await runCli(['--data-dir', join(dir, 'a'), 'audit', 'export', '--format', 'csv']);
    expect(csv.stdout.split('\n')[0]).toBe('seq,ts,type,jobId,data,prev,hash');
  });

  it('refuses a second app instance on the same data folder', async () => {
    const renderer = join(dir, 'renderer');
    await mkdir(renderer, { recursive: true });
    await writeFile(join(renderer, 'index.html'), '<html><head></head></html>');
    const data = join(dir, 'serve');
    const first = await startCli(['--json', '--data-dir', data, 'serve', '--renderer', renderer]);
    try {
      expect(String(first.first.launchUrl)).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{64}$/);
      const second = await runCli(['--json', '--data-dir', data, 'serve', '--renderer', renderer]);
      expect(second.code).toBe(1);
      expect(second.error).toMatchObject({ code: 'DATA_DIR_IN_USE' });
    } finally {
      first.child.kill('SIGTERM');
      await new Promise((resolve) => first.child.on('exit', resolve));
    }
    // After the first one stopped, the folder is free again.
    const third = await startCli(['--json', '--data-dir', data, 'serve', '--renderer', renderer]);
    third.child.kill('SIGKILL');
    await new Promise((resolve) => third.child.on('exit', resolve));
    // A killed instance leaves a stale lock that the next start takes over.
    const fourth = await startCli(['--json', '--data-dir', data, 'serve', '--renderer', renderer]);
    expect(fourth.first.event).toBe('result');
    fourth.child.kill('SIGTERM');
  });
});
