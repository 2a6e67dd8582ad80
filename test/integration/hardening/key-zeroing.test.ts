import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAppContext, type AppContext } from '../../../main/app/context';
import { loadDekFile } from '../../../main/crypto/dek';
import { createXtsCipher } from '../../../main/crypto/xts';
import { createJob } from '../../../main/jobs/job-service';
import { jobRunner } from '../../../main/jobs/runner';
import { stopInProcessSandboxes } from '../../../main/sandbox/sandbox';
import { getDekCustody } from '../../../main/secrets/custody';
import { MemoryDekCustody } from '../../../main/secrets/dek-custody';
import { makeSourceImage } from '../../helpers/hardening-rig';
import { ReliabilityRecorder } from '../../helpers/hardening-stats';
import { makeTempDir } from '../../helpers/temp-dir';

/**
 * Key buffers are zeroed once used. Observed at the custody interface (the one place a DEK buffer crosses
 * between the steps and the key store): every buffer the seal step hands to custody and every buffer the wrap
 * step gets from it is all zeros when the step is over. Memory custody here, so the buffers are observable in
 * this process; the keychain custody is the same interface.
 */
const stats = new ReliabilityRecorder('key-zeroing');

describe('key buffers are zeroed after use', { timeout: 300_000 }, () => {
  let work: { dir: string; cleanup: () => Promise<void> };
  let app: AppContext;
  const previousCustody = process.env.IMAGE_SEALER_DEK_CUSTODY;

  beforeAll(async () => {
    process.env.IMAGE_SEALER_DEK_CUSTODY = 'memory';
    work = await makeTempDir('hardening-zero-');
    app = await createAppContext({ dataDir: join(work.dir, 'data'), host: 'test' });
  });
  afterAll(async () => {
    if (previousCustody === undefined) delete process.env.IMAGE_SEALER_DEK_CUSTODY;
    else process.env.IMAGE_SEALER_DEK_CUSTODY = previousCustody;
    stats.flush();
    await stopInProcessSandboxes();
    await work?.cleanup();
  });

  for (const [target, size] of [
    ['vpc', 32],
    ['classic-vhd', 64],
  ] as const) {
    it(`${target}: the DEK given to custody by seal and every copy wrap took from it end up all zeros`, async () => {
      const dek = randomBytes(size);
      const dekFile = join(work.dir, `${target}.dek`);
      await writeFile(dekFile, dek);
      const source = await makeSourceImage(work.dir, `${target}.raw`, 4, 1);
      const custody = getDekCustody(app);
      expect(custody).toBeInstanceOf(MemoryDekCustody);

      const given: Buffer[] = [];
      const taken: Buffer[] = [];
      const put = custody.put.bind(custody);
      const get = custody.get.bind(custody);
      const putSpy = vi.spyOn(custody, 'put').mockImplementation(async (jobId, buffer) => {
        expect(buffer.equals(dek)).toBe(true);
        given.push(buffer);
        await put(jobId, buffer);
      });
      const getSpy = vi.spyOn(custody, 'get').mockImplementation(async (jobId) => {
        const buffer = await get(jobId);
        if (buffer) {
          expect(buffer.equals(dek)).toBe(true);
          taken.push(buffer);
        }
        return buffer;
      });
      try {
        const { job } = await createJob(app, { sourcePath: source, target, options: { iterTimeMs: 10, dekFile } });
        const done = await jobRunner(app).run(job.id, { until: 'wrap' });
        expect(done.state).toBe('wrapped');
        expect(given.length).toBeGreaterThan(0);
        expect(taken.length).toBeGreaterThan(0);
        for (const buffer of [...given, ...taken]) expect(buffer.every((byte) => byte === 0)).toBe(true);
        // and custody holds nothing once the wrap is recorded
        expect(await get(job.id)).toBeNull();
        stats.add('inputsTried');
        stats.add('secretScans', given.length + taken.length);
      } finally {
        putSpy.mockRestore();
        getSpy.mockRestore();
      }
    });
  }

  it('a failed seal zeroes the DEK it loaded and leaves none in custody', async () => {
    const dek = randomBytes(32);
    const dekFile = join(work.dir, 'failing.dek');
    await writeFile(dekFile, dek);
    const source = await makeSourceImage(work.dir, 'changing.raw', 4, 1);
    const custody = getDekCustody(app);
    const given: Buffer[] = [];
    const put = custody.put.bind(custody);
    const putSpy = vi.spyOn(custody, 'put').mockImplementation(async (jobId, buffer) => {
      given.push(buffer);
      await put(jobId, buffer);
    });
    try {
      const { job } = await createJob(app, { sourcePath: source, target: 'vpc', options: { iterTimeMs: 10, dekFile } });
      // the source changes after the job was planned: sealing must refuse
      await writeFile(source, randomBytes(4 * 1024 * 1024 + 512));
      const failure = await jobRunner(app)
        .run(job.id)
        .catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(Error);
      expect((await app.jobs.get(job.id)).state).toBe('failed');
      for (const buffer of given) expect(buffer.every((byte) => byte === 0)).toBe(true);
      expect(await custody.get(job.id)).toBeNull();
      stats.add('failedClearly', 1, 'seal of a source changed after planning');
    } finally {
      putSpy.mockRestore();
    }
  });

  it('custody hands out copies: zeroing what one caller got does not touch the key kept', async () => {
    const custody = new MemoryDekCustody();
    const dek = randomBytes(32);
    await custody.put('job-zero-test', dek);
    dek.fill(0);
    const first = (await custody.get('job-zero-test'))!;
    expect(first.every((byte) => byte === 0)).toBe(false);
    const copy = Buffer.from(first);
    first.fill(0);
    expect((await custody.get('job-zero-test'))!.equals(copy)).toBe(true);
  });

  it('loadDekFile returns a buffer of its own, and a disposed XTS cipher refuses further use', async () => {
    const dek = randomBytes(32);
    const file = join(work.dir, 'plain.dek');
    await writeFile(file, dek.toString('base64'));
    const loaded = await loadDekFile(file, 'vpc');
    expect(loaded.equals(dek)).toBe(true);
    const again = await loadDekFile(file, 'vpc');
    loaded.fill(0);
    expect(again.equals(dek)).toBe(true);
    const cipher = createXtsCipher(Buffer.concat([dek, randomBytes(32)]), 'plain64');
    cipher.dispose();
    expect(() => cipher.encrypt(Buffer.alloc(512), 0)).toThrow();
  });
});
