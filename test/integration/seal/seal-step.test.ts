import { randomBytes } from 'node:crypto';
import { mkdtemp, open, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppContext, type AppContext } from '../../../main/app/context';
import { keyFingerprint } from '../../../main/crypto/dek';
import { createXtsPool, type XtsPool } from '../../../main/crypto/worker-pool';
import type { Job } from '../../../main/jobs/job';
import { createSealStep } from '../../../main/jobs/steps/seal-step';
import type { StepContext } from '../../../main/jobs/steps/step';
import { verifySealedImage } from '../../../main/seal/verify';
import { MemoryDekCustody } from '../../../main/secrets/dek-custody';

describe('seal step', () => {
  let dir: string;
  let app: AppContext;
  let pool: XtsPool;
  let source: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'seal-step-'));
    app = await createAppContext({ dataDir: join(dir, 'data'), host: 'test' });
    pool = createXtsPool(1);
    source = join(dir, 'disk.raw');
    const file = await open(source, 'w');
    await file.truncate(3 << 20);
    await file.write(randomBytes(1 << 20), 0, 1 << 20, 1 << 20);
    await file.close();
  });
  afterAll(async () => {
    await pool.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function newJob(options: Partial<Job['options']> = {}): Promise<Job> {
    const job = await app.jobs.create({ name: 'My Disk', target: 'vpc', profile: 'sandbox', options: { iterTimeMs: 10, ...options } });
    return { ...job, source: { path: source, format: 'raw', virtualSize: 3 << 20, fileSize: 3 << 20 } };
  }

  function contextFor(job: Job, audits: Array<{ type: string; data?: Record<string, unknown> }>): StepContext {
    return {
      app,
      job,
      signal: new AbortController().signal,
      progress: () => undefined,
      audit: async (type, data) => {
        audits.push({ type, data });
      },
      checkpoint: async (patch) => ({ ...job, ...patch }),
    };
  }

  it('seals, keeps the DEK in custody and records only its name and fingerprint', async () => {
    const custody = new MemoryDekCustody();
    const step = createSealStep({ custody: () => custody, pool });
    const job = await newJob();
    const audits: Array<{ type: string; data?: Record<string, unknown> }> = [];
    const { seal } = await step(contextFor(job, audits));
    expect(seal).toBeDefined();
    const dek = await custody.get(job.id);
    expect(dek?.length).toBe(32);
    expect(seal!).toMatchObject({ dekCustody: `dek:${job.id}`, dekSource: 'generated', verified: true, keyFingerprint: keyFingerprint(dek!) });
    expect(seal!.outputPath).toBe(join(app.paths.images, job.id, 'my-disk.qcow2'));
    const recordText = JSON.stringify({ seal, audits });
    expect(recordText).not.toContain(dek!.toString('base64'));
    expect(recordText).not.toContain(dek!.toString('hex'));
    expect(audits.map((a) => a.type)).toEqual(['dek-in-custody', 'seal-started', 'sealed']);
    await verifySealedImage({ sealedPath: seal!.outputPath, sourcePath: source, target: 'vpc', dek: dek!, pool });

    // run again after a "crash" that lost the job record: the finished output is adopted, not resealed
    const again = await step(contextFor(job, []));
    expect(again.seal!.outputSha256).toBe(seal!.outputSha256);
  });

  it('uses a DEK file and removes the DEK from custody when sealing fails', async () => {
    const custody = new MemoryDekCustody();
    const step = createSealStep({ custody: () => custody, pool });
    const dek = randomBytes(32);
    const dekFile = join(dir, 'dek.b64');
    await writeFile(dekFile, dek.toString('base64'));
    const job = await newJob({ dekFile });
    const { seal } = await step(contextFor(job, []));
    expect(seal).toMatchObject({ dekSource: 'file', keyFingerprint: keyFingerprint(dek) });

    const broken = await newJob();
    const missing = { ...broken, source: { ...broken.source!, path: join(dir, 'gone.raw') } };
    await expect(step(contextFor(missing, []))).rejects.toBeTruthy();
    expect(await custody.get(broken.id)).toBeNull();
    const left = await readdir(join(app.paths.images, broken.id)).catch(() => [] as string[]);
    expect(left).toEqual([]);
  });

  it('refuses to overwrite a chosen output that exists', async () => {
    const custody = new MemoryDekCustody();
    const step = createSealStep({ custody: () => custody, pool });
    const out = join(dir, 'taken.qcow2');
    await writeFile(out, 'mine');
    const job = await newJob({ outputPath: out });
    await expect(step(contextFor(job, []))).rejects.toMatchObject({ code: 'SEAL_OUTPUT_EXISTS' });
    expect(await readFile(out, 'utf8')).toBe('mine');
  });
});
