import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transferHandlers } from '../../../main/api/handlers/transfer';
import { createAppContext, type AppContext } from '../../../main/app/context';
import { isAppError } from '../../../main/common/errors';
import type { Job } from '../../../main/jobs/job';
import { jobRunner } from '../../../main/jobs/runner';
import { stopInProcessSandboxes } from '../../../main/sandbox/sandbox';
import { fileUploadDone } from '../../../main/transfer/file-uploads';
import { runCli } from '../../helpers/cli';
import { BUCKET, MIB } from './helpers';

/** A job that is sealed and wrapped, whose "sealed image" is random bytes (the upload does not look inside). */
async function wrappedJob(app: AppContext, dir: string, name: string, size: number): Promise<{ job: Job; sha256: string }> {
  const path = join(dir, `${name}.qcow2`);
  const bytes = randomBytes(size);
  await writeFile(path, bytes);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const created = await app.jobs.create({ name, target: 'vpc', profile: 'sandbox' });
  const job = await app.jobs.update(created.id, () => ({
    state: 'wrapped',
    lastGoodState: 'wrapped',
    seal: {
      outputPath: path,
      engine: 'native',
      format: 'qcow2',
      cipher: 'aes-xts-plain64',
      outputSize: size,
      outputSha256: sha256,
      contentSha256: sha256,
      keyFingerprint: '00000000',
      dekSize: 32,
      dekSource: 'generated',
      verified: true,
    },
    wrap: {
      rootKeyId: 'k',
      rootKeyCrn: 'crn:v1:test',
      wdek: 'wdek',
      wdekFingerprint: '00000000',
      roundTripVerified: true,
      wrappedAt: new Date().toISOString(),
    },
  }));
  return { job, sha256 };
}

function storedObject(dataDir: string, key: string): string {
  return join(dataDir, 'sandbox', 'cos', BUCKET, `${key}._S3rver_object`);
}

async function sha256Of(path: string): Promise<string> {
  return createHash('sha256').update(await readFile(path)).digest('hex');
}

describe('the upload step of a job (sandbox profile)', () => {
  let dir: string;
  let app: AppContext;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'upload-step-'));
    app = await createAppContext({ dataDir: join(dir, 'data'), host: 'test' });
  });
  afterAll(async () => {
    await stopInProcessSandboxes();
    await rm(dir, { recursive: true, force: true });
  });

  it('uploads the sealed file, checks it, and moves the job to uploaded with key and ETag', async () => {
    const { job, sha256 } = await wrappedJob(app, dir, 'step', 20 * MIB + 3);
    const finished = await jobRunner(app).run(job.id, { until: 'upload' });
    expect(finished.state).toBe('uploaded');
    expect(finished.upload).toMatchObject({ bucket: BUCKET, objectKey: 'step.qcow2', size: 20 * MIB + 3, verified: true, partCount: 2 });
    expect(finished.upload?.etag).toMatch(/^[0-9a-f]{32}/);
    expect(await sha256Of(storedObject(app.dataDir, 'step.qcow2'))).toBe(sha256);
    // the content digest the sandbox import checks rides along as object metadata
    const metadataFile = join(app.dataDir, 'sandbox', 'cos', BUCKET, 'step.qcow2._S3rver_metadata.json');
    expect(JSON.parse(await readFile(metadataFile, 'utf8'))).toMatchObject({ 'x-amz-meta-content-sha256': sha256 });
    const timeline = await app.audit.entriesForJob(job.id);
    expect(timeline.map((entry) => entry.type)).toEqual(expect.arrayContaining(['upload.multipart.started', 'upload.object.verified', 'upload.succeeded']));
    expect(existsSync(join(app.paths.uploads, `${job.id}.journal`))).toBe(false);
  });

  it('pauses, reports confirmed parts, and cancels the upload but not the job', async () => {
    const { job } = await wrappedJob(app, dir, 'cancel-me', 48 * MIB);
    await transferHandlers.startUpload({ jobId: job.id, limitRateMBps: 20, partSizeMiB: 8 }, app);
    // wait until the journal shows a confirmed part, then pause
    for (;;) {
      const status = await transferHandlers.uploadStatus({ jobId: job.id }, app);
      if ((status.journal?.confirmedParts.length ?? 0) > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await transferHandlers.pauseUpload({ jobId: job.id }, app);
    const paused = await transferHandlers.uploadStatus({ jobId: job.id }, app);
    expect(paused.running).toBe(false);
    expect(paused.journal?.partCount).toBe(6);
    expect((await app.jobs.get(job.id)).upload?.uploadId).toBe(paused.journal?.uploadId);

    await transferHandlers.cancelUpload({ jobId: job.id }, app);
    const after = await app.jobs.get(job.id);
    expect(after.state).toBe('wrapped');
    expect(after.upload).toBeUndefined();
    expect((await transferHandlers.uploadStatus({ jobId: job.id }, app)).journal).toBeNull();
  });

  it('runs from the CLI with --object and --json, and rejects a bad part size', async () => {
    const { job, sha256 } = await wrappedJob(app, dir, 'cli', 6 * MIB + 1);
    const bad = await runCli(['--data-dir', app.dataDir, '--json', 'upload', job.id, '--part-size', '3']);
    expect(bad.code).not.toBe(0);
    expect(bad.error?.code).toBe('UPLOAD_PART_SIZE_INVALID');

    const run = await runCli(['--data-dir', app.dataDir, '--json', 'upload', job.id, '--object', 'images/custom.qcow2', '--concurrency', '2']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.result).toMatchObject({ objectKey: 'images/custom.qcow2', verified: true, state: 'uploaded' });
    expect(await sha256Of(storedObject(app.dataDir, 'images/custom.qcow2'))).toBe(sha256);
    const failure = await jobRunner(app).run(job.id, { until: 'upload' }).catch((error: unknown) => error);
    expect(isAppError(failure)).toBe(false);
  });

  it('uploads a file that belongs to no job, with live pause and resume, and cancels another', async () => {
    const path = join(dir, 'earlier.qcow2');
    const bytes = randomBytes(24 * MIB);
    await writeFile(path, bytes);
    const progressIds = new Set<unknown>();
    const stop = app.events.on((event) => {
      if (event.type === 'progress' && event.jobId === null) progressIds.add(event.progress.detail?.transferId);
    });
    const started = await transferHandlers.startFileUpload({ path, limitRateMBps: 30, partSizeMiB: 8 }, app);
    expect(started).toMatchObject({ state: 'running', bucket: BUCKET, objectKey: 'earlier.qcow2', profile: 'sandbox' });
    await transferHandlers.pauseFileUpload({ transferId: started.transferId }, app);
    expect((await transferHandlers.fileUploads({}, app)).find((info) => info.transferId === started.transferId)?.state).toBe('paused');
    await transferHandlers.resumeFileUpload({ transferId: started.transferId }, app);
    const result = await fileUploadDone(app, started.transferId);
    stop();
    expect(result?.verified).toBe(true);
    expect(progressIds.has(started.transferId)).toBe(true);
    expect((await transferHandlers.fileUploads({}, app)).find((info) => info.transferId === started.transferId)).toMatchObject({ state: 'done', size: 24 * MIB });
    expect(await sha256Of(storedObject(app.dataDir, 'earlier.qcow2'))).toBe(createHash('sha256').update(bytes).digest('hex'));

    const other = await transferHandlers.startFileUpload({ path, objectKey: 'never.qcow2', limitRateMBps: 5 }, app);
    await transferHandlers.cancelFileUpload({ transferId: other.transferId }, app);
    expect((await transferHandlers.fileUploads({}, app)).find((info) => info.transferId === other.transferId)?.state).toBe('cancelled');
    expect(existsSync(storedObject(app.dataDir, 'never.qcow2'))).toBe(false);
    expect(existsSync(join(app.paths.uploads, `${other.transferId}.journal`))).toBe(false);
  });
});
