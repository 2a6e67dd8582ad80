import { existsSync } from 'node:fs';
import { appendFile, copyFile, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../../main/api/dispatch';
import type { CallName, CallOutput } from '../../../main/api/contract';
import { createAppContext, type AppContext } from '../../../main/app/context';
import { ensureSandbox, stopInProcessSandboxes } from '../../../main/sandbox/sandbox';
import { fileUploadDone, transferIdFor } from '../../../main/transfer/file-uploads';
import { BUCKET, MIB, randomFile, runUploadChild, sha256File } from './helpers';

type FileUpload = CallOutput<'fileUploads'>[number];

/** A call as the UI makes it: input and output checked against the contract. */
async function call<N extends CallName>(app: AppContext, name: N, input: unknown): Promise<CallOutput<N>> {
  const result = await dispatch(app, name, input);
  if (!result.ok) throw Object.assign(new Error(result.error.message), result.error);
  return result.value as CallOutput<N>;
}

async function failureOf(promise: Promise<unknown>): Promise<{ code?: string; message?: string }> {
  return promise.then(
    () => ({}),
    (error: { code?: string; message?: string }) => error,
  );
}

/** The confirmed parts of a journal, read here line by line rather than by the app's journal reader. */
async function journaledParts(journalPath: string): Promise<{ uploadId: string; parts: number; bytes: number }> {
  const lines = (await readFile(journalPath, 'utf8')).split('\n');
  lines.pop(); // a torn tail is not confirmed
  const records = lines
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as { type: string; uploadId?: string; size?: number });
  const parts = records.filter((record) => record.type === 'part');
  return {
    uploadId: records[0].uploadId ?? '',
    parts: parts.length,
    bytes: parts.reduce((sum, part) => sum + (part.size ?? 0), 0),
  };
}

describe('file uploads interrupted by a restart (sandbox COS over HTTP)', () => {
  let dir: string;
  let dataDir: string;
  let uploadsDir: string;
  let cosDir: string;
  let cosUrl: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'interrupted-uploads-'));
    dataDir = join(dir, 'data');
    const first = await createAppContext({ dataDir, host: 'test' });
    uploadsDir = first.paths.uploads;
    cosDir = join(dataDir, 'sandbox', 'cos', BUCKET);
    cosUrl = (await ensureSandbox(dataDir)).cos ?? '';
  });
  afterAll(async () => {
    await stopInProcessSandboxes();
    await rm(dir, { recursive: true, force: true });
  });

  /** The multipart uploads the sandbox COS holds open (s3rver keeps each in a folder named by its id). */
  async function openMultipartUploads(): Promise<string[]> {
    return readdir(join(cosDir, '._S3rver_uploads')).catch(() => []);
  }

  /** Another process uploads the file as the app does and is killed with SIGKILL half way. */
  async function killedHalfWay(
    name: string,
    size: number,
  ): Promise<{ file: string; transferId: string; journalPath: string }> {
    const file = await randomFile(dir, name, size);
    const run = runUploadChild(
      {
        endpoint: cosUrl,
        file,
        bucket: BUCKET,
        key: name,
        fileUpload: { uploadsDir, profile: 'sandbox' },
        partSizeMiB: 5,
        concurrency: 1,
        limitRateMBps: 25,
      },
      0.5,
    );
    expect((await run.done).signal).toBe('SIGKILL');
    const transferId = transferIdFor(file, 'sandbox', BUCKET, name);
    return { file, transferId, journalPath: join(uploadsDir, `${transferId}.journal`) };
  }

  /** A new app context on the same data folder: what the app sees after a restart. */
  const restart = () => createAppContext({ dataDir, host: 'test' });

  const listed = async (app: AppContext, transferId: string): Promise<FileUpload | undefined> =>
    (await call(app, 'fileUploads', {})).find((upload) => upload.transferId === transferId);

  it('lists the interrupted upload after a restart with its confirmed bytes, and resumes it to a verified object', async () => {
    const size = 24 * MIB + 5;
    const { file, transferId, journalPath } = await killedHalfWay('resume-me.qcow2', size);
    const journaled = await journaledParts(journalPath);
    expect(journaled.parts).toBeGreaterThan(0);
    expect(journaled.bytes).toBeLessThan(size);

    const app = await restart();
    expect(await listed(app, transferId)).toEqual({
      transferId,
      path: file,
      profile: 'sandbox',
      bucket: BUCKET,
      objectKey: 'resume-me.qcow2',
      state: 'interrupted',
      bytesConfirmed: journaled.bytes,
      bytesTotal: size,
    });

    const resumed = await call(app, 'resumeFileUpload', { transferId });
    expect(resumed).toMatchObject({ transferId, state: 'running', path: file, profile: 'sandbox' });
    const result = await fileUploadDone(app, transferId);
    expect(result).toMatchObject({ verified: true, uploadId: journaled.uploadId, resumedParts: journaled.parts });
    expect(await sha256File(join(cosDir, 'resume-me.qcow2._S3rver_object'))).toBe(await sha256File(file));
    expect(existsSync(journalPath)).toBe(false);
    expect(await listed(app, transferId)).toMatchObject({ state: 'done', size });
    expect(await openMultipartUploads()).not.toContain(journaled.uploadId);
  });

  it('resumes with the concurrency and rate limit it is given, keeping the journal\u2019s part size', async () => {
    const { transferId, journalPath } = await killedHalfWay('resume-options.qcow2', 24 * MIB + 5);
    const journaled = await journaledParts(journalPath);
    const app = await restart();
    const details: Record<string, unknown>[] = [];
    const stop = app.events.on((event) => {
      if (event.type === 'progress' && event.progress.detail?.transferId === transferId)
        details.push(event.progress.detail);
    });
    try {
      // The killed run used concurrency 1 and 25 MB/s; the resume asks for others.
      await call(app, 'resumeFileUpload', { transferId, concurrency: 2, limitRateMBps: 40 });
      expect(await fileUploadDone(app, transferId)).toMatchObject({ verified: true, resumedParts: journaled.parts });
    } finally {
      stop();
    }
    expect(details.length).toBeGreaterThan(0);
    for (const detail of details) {
      expect(detail).toMatchObject({ concurrency: 2, limitRateMBps: 40, partSize: 5 * MIB });
      // never more parts read, sent or retried at once than the concurrency asked for
      expect(String(detail.parts).replace(/[.#]/g, '').length).toBeLessThanOrEqual(2);
    }
  });

  it('refuses resume options outside the start call\u2019s bounds, and a part size, with INVALID_INPUT', async () => {
    const { transferId, journalPath } = await killedHalfWay('resume-bad-options.qcow2', 16 * MIB);
    const before = await readFile(journalPath, 'utf8');
    const app = await restart();
    for (const options of [
      { concurrency: 0 },
      { concurrency: 65 },
      { concurrency: 2.5 },
      { limitRateMBps: 0 },
      { limitRateMBps: -1 },
      { limitRateMBps: 100_001 },
      { partSizeMiB: 8 },
    ]) {
      const refused = await failureOf(call(app, 'resumeFileUpload', { transferId, ...options }));
      expect(refused.code, JSON.stringify(options)).toBe('INVALID_INPUT');
    }
    expect((await listed(app, transferId))?.state).toBe('interrupted');
    expect(await readFile(journalPath, 'utf8')).toBe(before);
    expect(await call(app, 'discardFileUpload', { transferId })).toEqual({ multipart: 'aborted' });
  });

  it('discards an interrupted upload: the multipart upload is aborted, the journal removed, the audit log says so', async () => {
    const { transferId, journalPath } = await killedHalfWay('discard-me.qcow2', 16 * MIB);
    const { uploadId } = await journaledParts(journalPath);
    expect(await openMultipartUploads()).toContain(uploadId);

    const app = await restart();
    expect((await listed(app, transferId))?.state).toBe('interrupted');
    expect(await call(app, 'discardFileUpload', { transferId })).toEqual({ multipart: 'aborted' });
    expect(existsSync(journalPath)).toBe(false);
    expect(await openMultipartUploads()).not.toContain(uploadId);
    expect(existsSync(join(cosDir, 'discard-me.qcow2._S3rver_object'))).toBe(false);
    expect(await listed(app, transferId)).toBeUndefined();
    const entries = await app.audit.entries();
    expect(entries.at(-1)).toMatchObject({
      type: 'upload.file.discarded',
      jobId: null,
      data: { transferId, bucket: BUCKET, objectKey: 'discard-me.qcow2', multipart: 'aborted' },
    });
    const again = await failureOf(call(app, 'discardFileUpload', { transferId }));
    expect(again.code).toBe('UPLOAD_NOT_FOUND');
  });

  it('refuses to resume when the file changed or went away, and uploads nothing', async () => {
    const { file, transferId, journalPath } = await killedHalfWay('changed.qcow2', 16 * MIB);
    const { uploadId } = await journaledParts(journalPath);
    const partsBefore = await readdir(join(cosDir, '._S3rver_uploads', uploadId));
    const later = new Date(Date.now() + 5000);
    await utimes(file, later, later);

    const app = await restart();
    const changed = await listed(app, transferId);
    expect(changed).toMatchObject({
      state: 'interrupted',
      profile: 'sandbox',
      sourceProblem: { code: 'UPLOAD_SOURCE_CHANGED' },
    });
    expect(changed?.sourceProblem?.message).toMatch(/changed since its upload started/);
    const refused = await failureOf(call(app, 'resumeFileUpload', { transferId }));
    expect(refused.code).toBe('UPLOAD_SOURCE_CHANGED');
    // starting the same upload by hand is refused the same way, not left to fail in the background
    const startedByHand = await failureOf(
      call(app, 'startFileUpload', { path: file, profile: 'sandbox', objectKey: 'changed.qcow2' }),
    );
    expect(startedByHand.code).toBe('UPLOAD_SOURCE_CHANGED');
    expect(existsSync(join(cosDir, 'changed.qcow2._S3rver_object'))).toBe(false);
    expect(await readdir(join(cosDir, '._S3rver_uploads', uploadId))).toEqual(partsBefore);
    expect(existsSync(journalPath)).toBe(true);
    expect((await listed(app, transferId))?.state).toBe('interrupted');

    await rm(file);
    expect((await listed(await restart(), transferId))?.sourceProblem?.code).toBe('UPLOAD_SOURCE_MISSING');
  });

  it('an upload whose profile was removed since is listed without it: Resume is refused, Discard only forgets it', async () => {
    // As a removed profile would leave it: the same journal, recorded under a profile that no longer exists.
    const { file, journalPath } = await killedHalfWay('removed-profile.qcow2', 16 * MIB);
    const [header, ...rest] = (await readFile(journalPath, 'utf8')).split('\n');
    const transferId = transferIdFor(file, 'gone-profile', BUCKET, 'removed-profile.qcow2');
    const orphanJournal = join(uploadsDir, `${transferId}.journal`);
    await writeFile(orphanJournal, [JSON.stringify({ ...JSON.parse(header), profile: 'gone-profile' }), ...rest].join('\n'));
    await rm(journalPath);

    const app = await restart();
    expect(await listed(app, transferId)).toMatchObject({ state: 'interrupted', profile: '', path: file });
    expect((await failureOf(call(app, 'resumeFileUpload', { transferId }))).code).toBe('UPLOAD_PROFILE_UNKNOWN');
    expect(await call(app, 'discardFileUpload', { transferId })).toEqual({ multipart: 'not-attempted' });
    expect(existsSync(orphanJournal)).toBe(false);
  });

  it('lists a damaged journal with UPLOAD_JOURNAL_CORRUPT next to the others, finds the profile of an older journal, and leaves job journals alone', async () => {
    const { transferId: damagedId, journalPath: damaged } = await killedHalfWay('damaged.qcow2', 16 * MIB);
    const { uploadId: damagedUploadId } = await journaledParts(damaged);
    await appendFile(damaged, '{"type":"part","partNumber":"three"}\n');
    // a journal written before the profile was recorded: the transfer id still tells the profile
    const { transferId: olderId, journalPath: older, file: olderFile } = await killedHalfWay('older.qcow2', 16 * MIB);
    const [header, ...rest] = (await readFile(older, 'utf8')).split('\n');
    const { profile: _profile, ...withoutProfile } = JSON.parse(header) as Record<string, unknown>;
    await writeFile(older, [JSON.stringify(withoutProfile), ...rest].join('\n'));
    // a job's journal and stray files in the same folder are not file uploads
    await copyFile(older, join(uploadsDir, 'job-20250101-0a1b2c3d.journal'));
    await writeFile(join(uploadsDir, 'upl-notanid.journal'), 'x');

    const app = await restart();
    const uploads = await call(app, 'fileUploads', {});
    expect(uploads.every((upload) => upload.transferId.startsWith('upl-') && upload.transferId !== 'upl-notanid')).toBe(
      true,
    );
    expect(uploads.find((upload) => upload.transferId === damagedId)).toMatchObject({
      state: 'interrupted',
      objectKey: 'damaged.qcow2',
      profile: 'sandbox',
      error: { code: 'UPLOAD_JOURNAL_CORRUPT' },
    });
    expect(uploads.find((upload) => upload.transferId === olderId)).toMatchObject({
      state: 'interrupted',
      profile: 'sandbox',
      path: olderFile,
    });
    expect(uploads.find((upload) => upload.objectKey === 'changed.qcow2')?.state).toBe('interrupted');

    expect((await failureOf(call(app, 'resumeFileUpload', { transferId: damagedId }))).code).toBe(
      'UPLOAD_JOURNAL_CORRUPT',
    );
    // its header still names the multipart upload, so discarding it aborts that too
    expect(await call(app, 'discardFileUpload', { transferId: damagedId })).toEqual({ multipart: 'aborted' });
    expect(await openMultipartUploads()).not.toContain(damagedUploadId);
    expect(existsSync(damaged)).toBe(false);
    expect(existsSync(join(uploadsDir, 'job-20250101-0a1b2c3d.journal'))).toBe(true);

    const bad = await failureOf(call(app, 'discardFileUpload', { transferId: '../job-20250101-0a1b2c3d' }));
    expect(bad.code).toBe('INVALID_INPUT');
  });
});
