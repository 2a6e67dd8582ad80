import { randomBytes } from 'node:crypto';
import { mkdtemp, open, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { dispatch } from '../../../main/api/dispatch';
import { createAppContext, type AppContext } from '../../../main/app/context';
import type { Job } from '../../../main/jobs/job';

describe('seal API calls', () => {
  let dir: string;
  let app: AppContext;
  let source: string;

  beforeAll(async () => {
    vi.stubEnv('IMAGE_SEALER_DEK_CUSTODY', 'memory');
    dir = await mkdtemp(join(tmpdir(), 'seal-api-'));
    app = await createAppContext({ dataDir: join(dir, 'data'), host: 'test' });
    source = join(dir, 'Disk.raw');
    const file = await open(source, 'w');
    await file.truncate(24 << 20);
    for (let i = 0; i < 24; i += 3) await file.write(randomBytes(1 << 20), 0, 1 << 20, i << 20);
    await file.close();
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await rm(dir, { recursive: true, force: true });
  });

  async function call<T>(name: string, input: unknown): Promise<T> {
    const result = await dispatch(app, name, input);
    if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
    return result.value as T;
  }

  it('probes, seals in the background with progress events, verifies again, and refuses bad input', async () => {
    const probe = await call<{ format: string; virtualSize: number; problems: Array<{ code: string }> }>('probeImage', {
      path: source,
      target: 'vpc',
    });
    expect(probe).toMatchObject({ format: 'raw', virtualSize: 24 << 20 });
    expect(probe.problems.map((p) => p.code)).toContain('TOO_SMALL');
    const bad = await dispatch(app, 'probeImage', { path: '' });
    expect(bad.ok).toBe(false);

    const job = await call<Job>('createJob', { sourcePath: source, target: 'vpc', iterTimeMs: 10 });
    const phases = new Set<string>();
    const sealed = new Promise<void>((resolve, reject) => {
      const stop = app.events.on((event) => {
        if (event.type === 'progress' && event.jobId === job.id) phases.add(event.progress.phase);
        if (event.type === 'job-updated' && event.jobId === job.id && event.state === 'sealed') {
          stop();
          resolve();
        }
        if (event.type === 'notice' && event.jobId === job.id && event.level === 'error') reject(new Error(event.message));
      });
    });
    expect(await call('startSeal', { jobId: job.id })).toEqual({ started: true });
    await sealed;
    expect(phases.has('encrypt')).toBe(true);
    const record = await call<Job>('getJob', { jobId: job.id });
    expect(record.seal).toMatchObject({ verified: true, dekCustody: `dek:${job.id}` });
    const verified = await call<{ verified: boolean; contentSha256: string }>('verifySeal', { jobId: job.id });
    expect(verified.contentSha256).toBe(record.seal!.contentSha256);
    const again = await dispatch(app, 'startSeal', { jobId: job.id });
    expect(again.ok ? 'ok' : again.error.code).toBe('JOB_ALREADY_SEALED');
  });

  it('cancelSeal stops a running seal and leaves no output behind', async () => {
    const job = await call<Job>('createJob', { sourcePath: source, target: 'vpc', iterTimeMs: 400 });
    expect(await call('startSeal', { jobId: job.id })).toEqual({ started: true });
    await new Promise((resolve) => setTimeout(resolve, 100)); // inside the PBKDF2 of the key slot
    await call('cancelSeal', { jobId: job.id }); // resolves once the step has stopped
    const record = await call<Job>('getJob', { jobId: job.id });
    expect(record.seal).toBeUndefined();
    const left = await readdir(join(app.paths.images, job.id)).catch(() => [] as string[]);
    expect(left).toEqual([]);
  });
});
