import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAppContext, type AppContext } from '../../../main/app/context';
import { AppError } from '../../../main/common/errors';
import { JobRunner } from '../../../main/jobs/job-runner';
import type { StepRegistry, StepRunner } from '../../../main/jobs/steps/step';
import { nextStep } from '../../../main/jobs/state-machine';
import { makeTempDir } from '../../helpers/temp-dir';

const now = () => new Date().toISOString();

/** A step that runs until it is aborted, as a long seal or upload would. */
function waitForAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

function fakeSteps(overrides: Partial<StepRegistry> = {}): StepRegistry & { calls: string[] } {
  const calls: string[] = [];
  const record = (name: string, patch: StepRunner): StepRunner => async (context) => {
    calls.push(name);
    return patch(context);
  };
  const steps: StepRegistry = {
    seal: record('seal', async () => ({
      seal: {
        outputPath: '/tmp/x.qcow2',
        engine: 'native',
        format: 'qcow2-luks',
        cipher: 'aes-xts-plain64',
        outputSize: 1,
        outputSha256: 'a'.repeat(64),
        contentSha256: 'b'.repeat(64),
        keyFingerprint: 'deadbeef',
        dekSize: 32,
        dekSource: 'generated',
        verified: true,
      },
    })),
    wrap: record('wrap', async () => ({
      wrap: { rootKeyId: 'k', rootKeyCrn: 'crn:k', wdek: 'd2Rlaw==', wdekFingerprint: '01234567', roundTripVerified: true, wrappedAt: now() },
    })),
    upload: record('upload', async () => ({
      upload: { bucket: 'b', region: 'us-south', objectKey: 'x.qcow2', size: 1, verified: true },
    })),
    import: record('import', async () => ({
      import: { api: 'vpc-images', imageId: 'img-1', status: 'available', statusReasons: [], requestedAt: now() },
    })),
    provision: record('provision', async () => ({ provision: { instanceId: 'i-1', status: 'running', requestedAt: now() } })),
    ...overrides,
  };
  return Object.assign(steps, { calls });
}

describe('job runner', () => {
  let app: AppContext;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    const temp = await makeTempDir();
    cleanup = temp.cleanup;
    app = await createAppContext({ dataDir: temp.dir, host: 'test' });
  });
  afterEach(async () => cleanup());

  const newJob = (provision = false) =>
    app.jobs.create({ name: 'demo', target: 'vpc', profile: 'sandbox', options: { provision } });

  it('runs every step in order and audits each', async () => {
    const steps = fakeSteps();
    const runner = new JobRunner(app, steps);
    const job = await newJob();
    const done = await runner.run(job.id);
    expect(steps.calls).toEqual(['seal', 'wrap', 'upload', 'import']);
    expect(done.state).toBe('imported');
    expect(done.import?.imageId).toBe('img-1');
    const types = (await app.audit.entriesForJob(job.id)).map((entry) => entry.type);
    expect(types).toContain('seal.succeeded');
    expect(types).toContain('import.succeeded');
    expect((await app.audit.verify()).ok).toBe(true);
  });

  it('runs provision only when the job asks for it', async () => {
    const steps = fakeSteps();
    const job = await newJob(true);
    const done = await new JobRunner(app, steps).run(job.id);
    expect(done.state).toBe('provisioned');
  });

  it('stops after the requested step', async () => {
    const steps = fakeSteps();
    const job = await newJob();
    const done = await new JobRunner(app, steps).run(job.id, { until: 'wrap' });
    expect(done.state).toBe('wrapped');
    expect(steps.calls).toEqual(['seal', 'wrap']);
  });

  it('records a failure with the step and resumes from it without repeating earlier steps', async () => {
    let attempts = 0;
    const steps = fakeSteps({
      upload: async () => {
        attempts += 1;
        if (attempts === 1)
          throw new AppError('COS_UNREACHABLE', 'COS did not answer.', {
            hint: 'Check the network.',
            details: { endpoint: 'https://cos.example', status: undefined, attempts: [1, 2] },
          });
        return { upload: { bucket: 'b', region: 'us-south', objectKey: 'x', size: 1, verified: true } };
      },
    });
    const runner = new JobRunner(app, steps);
    const job = await newJob();
    await expect(runner.run(job.id)).rejects.toMatchObject({ code: 'COS_UNREACHABLE' });
    const failed = await app.jobs.get(job.id);
    expect(failed).toMatchObject({ state: 'failed', lastGoodState: 'wrapped', error: { step: 'upload', code: 'COS_UNREACHABLE' } });
    // The details a translated message quotes are kept with the failure; nested ones are not.
    expect(failed.error?.details).toEqual({ endpoint: 'https://cos.example' });
    expect(nextStep(failed)).toBe('upload');
    const resumed = await runner.run(job.id);
    expect(resumed.state).toBe('imported');
    expect(resumed.error).toBeUndefined();
    expect(steps.calls.filter((name) => name === 'seal')).toHaveLength(1);
  });

  it('pauses a running step without failing the job', async () => {
    const steps = fakeSteps({
      seal: (context) => waitForAbort(context.signal),
    });
    const runner = new JobRunner(app, steps);
    const job = await newJob();
    const running = runner.run(job.id);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await runner.pause(job.id);
    await expect(running).rejects.toMatchObject({ code: 'JOB_PAUSED' });
    expect((await app.jobs.get(job.id)).state).toBe('created');
  });

  it('cancels for good', async () => {
    const steps = fakeSteps();
    const runner = new JobRunner(app, steps);
    const job = await newJob();
    await runner.run(job.id, { until: 'seal' });
    const cancelled = await runner.cancel(job.id);
    expect(cancelled).toMatchObject({ state: 'cancelled', lastGoodState: 'sealed' });
    await expect(runner.run(job.id)).rejects.toMatchObject({ code: 'JOB_CANCELLED' });
  });

  it('refuses to run the same job twice at once', async () => {
    const steps = fakeSteps({
      seal: (context) => waitForAbort(context.signal),
    });
    const runner = new JobRunner(app, steps);
    const job = await newJob();
    void runner.run(job.id).catch(() => undefined);
    expect(() => runner.run(job.id)).toThrow(/already running/);
    await runner.pause(job.id);
  });

  it('checkpoints part of a step so a restart sees it', async () => {
    const steps = fakeSteps({
      import: async (context) => {
        await context.checkpoint({
          import: { api: 'vpc-images', imageId: 'img-early', status: 'pending', statusReasons: [], requestedAt: now() },
        });
        throw new AppError('IMPORT_TIMEOUT', 'still pending');
      },
    });
    const job = await newJob();
    await expect(new JobRunner(app, steps).run(job.id)).rejects.toMatchObject({ code: 'IMPORT_TIMEOUT' });
    expect((await app.jobs.get(job.id)).import?.imageId).toBe('img-early');
  });
});
