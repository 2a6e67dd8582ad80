import { createInterface } from 'node:readline';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppContext } from '../../../main/app/context';
import { CLI, REPO_ROOT } from '../../helpers/cli';
import { makeSourceImage, runCliAndKill, sandboxImageRecords, watchCli } from '../../helpers/hardening-rig';
import { ReliabilityRecorder } from '../../helpers/hardening-stats';
import { makeTempDir } from '../../helpers/temp-dir';

/**
 * Several CLI processes on one data directory, with one sandbox started by `image-sealer sandbox`: one job
 * seals while another uploads, and a second `jobs resume` of a job that is already running is refused with
 * JOB_BUSY. Both jobs complete and the shared audit log's chain verifies.
 */
const stats = new ReliabilityRecorder('concurrency');

describe('jobs side by side on one data directory', { timeout: 300_000 }, () => {
  let work: { dir: string; cleanup: () => Promise<void> };
  let dataDir: string;
  let stopSandbox: () => Promise<void> = async () => undefined;

  beforeAll(async () => {
    work = await makeTempDir('hardening-concurrency-');
    dataDir = join(work.dir, 'data');
    const sandbox = spawn(process.execPath, [CLI, 'sandbox', '--json', '--data-dir', dataDir], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<void>((resolve) => sandbox.once('exit', () => resolve()));
    stopSandbox = async () => {
      sandbox.kill('SIGTERM');
      await exited;
    };
    await new Promise<void>((resolve, reject) => {
      createInterface({ input: sandbox.stdout }).once('line', () => resolve());
      sandbox.once('exit', (code) => reject(new Error(`the sandbox exited (${code}) before it was ready`)));
    });
  });
  afterAll(async () => {
    stats.flush();
    await stopSandbox();
    await work?.cleanup();
  });

  it('seals one job while another uploads; a second resume of the uploading job is refused with JOB_BUSY', async () => {
    const uploading = await makeSourceImage(work.dir, 'uploading.raw', 16, 8);
    const sealing = await makeSourceImage(work.dir, 'sealing.raw', 16, 8);
    const common = ['--iter-time', '20', '--data-dir', dataDir];

    // Job A: brought to `wrapped` by a run killed as its upload starts (slowly: 0.5 MB/s, persisted in the job).
    const first = await runCliAndKill(
      [
        'run',
        uploading,
        '--target',
        'vpc',
        '--name',
        'uploads',
        '--limit-rate',
        '0.5',
        '--part-size',
        '5',
        '--concurrency',
        '1',
        ...common,
      ],
      (line) => line.event === 'progress' && line.step === 'upload',
    );
    expect(first.killed).toBe(true);
    stats.add('faultsInjected', 1, 'kill -9 as the upload starts');
    const app = await createAppContext({ dataDir, host: 'test' });
    const jobA = (await app.jobs.list()).find((job) => job.name === 'uploads')!;
    expect(jobA.state).toBe('wrapped');

    // Two resumes of A: the first uploads; the second, started while the first holds the job, must refuse.
    const resumeA = watchCli(['jobs', 'resume', jobA.id, '--json', ...common.slice(2)]);
    await resumeA.waitFor((line) => line.event === 'progress' && line.step === 'upload');
    const [busy, sealed] = await Promise.all([
      watchCli(['jobs', 'resume', jobA.id, '--json', ...common.slice(2)]).done,
      (async () => {
        // Job B seals while A uploads.
        const runB = watchCli(['run', sealing, '--target', 'classic-luks', '--name', 'seals', '--json', ...common]);
        await runB.waitFor((line) => line.event === 'progress' && line.step === 'seal');
        const overlapped = !resumeA.saw((line) => line.event === 'result' || line.event === 'error');
        return { overlapped, run: await runB.done };
      })(),
    ]);

    expect(busy.code).toBe(1);
    expect(busy.error?.code).toBe('JOB_BUSY');
    expect(String(busy.error?.message)).toMatch(
      new RegExp(`${jobA.id} is running in another Image Sealer process \\(pid \\d+\\)`),
    );
    stats.add('refused', 1, 'second jobs resume of a running job: JOB_BUSY');

    expect(sealed.overlapped, 'job B sealed only after job A had finished uploading').toBe(true);
    expect(sealed.run.result?.state, sealed.run.stdout + sealed.run.stderr).toBe('imported');
    const resumed = await resumeA.done;
    expect(resumed.result?.state, resumed.stdout + resumed.stderr).toBe('imported');
    stats.add('resumed', 1, 'job A after the kill, alongside job B');
    stats.add('inputsTried', 2);

    // two images, one per job, and one intact audit chain holding both jobs' steps
    const images = await sandboxImageRecords(dataDir);
    expect(images).toHaveLength(2);
    expect(resumed.result?.imageId).not.toBe(sealed.run.result?.imageId);
    const verified = await app.audit.verify();
    expect(verified.ok, JSON.stringify(verified)).toBe(true);
    const entries = await app.audit.entries();
    const jobB = String(sealed.run.result?.jobId);
    for (const jobId of [jobA.id, jobB]) {
      expect(entries.some((entry) => entry.jobId === jobId && entry.type === 'import.succeeded')).toBe(true);
    }
    // the refused resume wrote nothing about job A (no started/failed entry of its own)
    const startedUploads = entries.filter((entry) => entry.jobId === jobA.id && entry.type === 'upload.started');
    expect(startedUploads).toHaveLength(2); // the killed run and the resume that did the work
  });
});
