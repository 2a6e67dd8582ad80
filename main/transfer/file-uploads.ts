import { createHash } from 'node:crypto';
import { basename, join, resolve } from 'node:path';
import type { AppContext } from '../app/context';
import { AppError, toErrorShape, type ErrorShape } from '../common/errors';
import type { Progress } from '../common/progress';
import { resolveProfile } from '../profiles/resolve';
import { cosClientForProfile } from './cos-for-profile';
import type { UploadOptions } from './upload-options';
import { UploadControl } from './upload-control';
import { uploadFile, type UploadResult } from './uploader';

/**
 * Uploads of a file that is not (or not yet) a job's, e.g. an image sealed earlier that a person drops on the
 * Upload step. Same engine and journal as a job's upload; the transfer id is derived from file and destination,
 * so starting the same upload again after a restart resumes it. Progress goes out as `progress` events with
 * `jobId: null` and `detail.transferId`; pause and resume act on the running upload without stopping it.
 */
export interface FileUploadRequest extends UploadOptions {
  path: string;
  profile?: string;
}

export type FileUploadState = 'running' | 'paused' | 'done' | 'failed' | 'cancelled';

export interface FileUploadInfo {
  transferId: string;
  path: string;
  profile: string;
  bucket: string;
  objectKey: string;
  state: FileUploadState;
  etag?: string;
  size?: number;
  error?: ErrorShape;
}

interface Entry {
  info: FileUploadInfo;
  control: UploadControl;
  done: Promise<UploadResult | undefined>;
}

const registries = new WeakMap<AppContext, Map<string, Entry>>();

function registry(app: AppContext): Map<string, Entry> {
  let entries = registries.get(app);
  if (!entries) {
    entries = new Map();
    registries.set(app, entries);
  }
  return entries;
}

export function transferIdFor(path: string, profile: string, bucket: string, objectKey: string): string {
  return `upl-${createHash('sha256').update(`${path}\n${profile}\n${bucket}\n${objectKey}`).digest('hex').slice(0, 16)}`;
}

export async function startFileUpload(app: AppContext, request: FileUploadRequest): Promise<FileUploadInfo> {
  const path = resolve(request.path);
  const resolved = await resolveProfile(app, request.profile);
  const profile = resolved.profile.name;
  const bucket = request.bucket ?? resolved.profile.cos.bucket;
  if (!bucket) {
    throw new AppError('COS_BUCKET_REQUIRED', `Profile "${profile}" names no COS bucket.`, { hint: 'Choose a bucket for the upload.' });
  }
  const objectKey = request.objectKey ?? basename(path);
  const transferId = transferIdFor(path, profile, bucket, objectKey);
  const entries = registry(app);
  const existing = entries.get(transferId);
  if (existing && (existing.info.state === 'running' || existing.info.state === 'paused')) return { ...existing.info };

  const client = await cosClientForProfile(resolved);
  const control = new UploadControl();
  const info: FileUploadInfo = { transferId, path, profile, bucket, objectKey, state: 'running' };
  control.onChange((state) => {
    if (info.state === 'running' || info.state === 'paused') info.state = state === 'cancelled' ? info.state : state;
  });
  const emit = (progress: Progress) =>
    app.events.emit({ type: 'progress', jobId: null, step: 'upload', progress: { ...progress, detail: { ...progress.detail, transferId } } });
  const done = uploadFile({
    client,
    file: path,
    bucket,
    key: objectKey,
    journalPath: join(app.paths.uploads, `${transferId}.journal`),
    partSizeMiB: request.partSizeMiB,
    concurrency: request.concurrency,
    limitRateMBps: request.limitRateMBps,
    control,
    onProgress: emit,
  })
    .then(async (result) => {
      Object.assign(info, { state: 'done', etag: result.etag, size: result.size });
      await app.audit.append({ type: 'upload.file.succeeded', jobId: null, data: { path, bucket, objectKey, etag: result.etag, size: result.size, verification: result.verification, skipped: result.skipped } });
      app.events.emit({ type: 'notice', level: 'info', code: 'UPLOAD_DONE', message: `Uploaded and verified ${bucket}/${objectKey}.` });
      return result;
    })
    .catch(async (error: unknown) => {
      const shape = toErrorShape(error);
      Object.assign(info, { state: control.state === 'cancelled' ? 'cancelled' : 'failed', error: shape });
      await app.audit.append({ type: `upload.file.${info.state}`, jobId: null, data: { path, bucket, objectKey, code: shape.code } }).catch(() => undefined);
      if (info.state === 'failed') app.events.emit({ type: 'notice', level: 'error', code: shape.code, message: shape.message });
      return undefined;
    })
    .finally(() => client.close());
  entries.set(transferId, { info, control, done });
  return { ...info };
}

function entry(app: AppContext, transferId: string): Entry {
  const found = registry(app).get(transferId);
  if (!found) {
    throw new AppError('UPLOAD_NOT_FOUND', `No upload ${transferId} runs in this session.`, { hint: 'Start it again; a partial upload resumes where it stopped.' });
  }
  return found;
}

export function pauseFileUpload(app: AppContext, transferId: string): void {
  entry(app, transferId).control.pause();
}

export function resumeFileUpload(app: AppContext, transferId: string): void {
  entry(app, transferId).control.resume();
}

/** Cancels: aborts the multipart upload where supported and forgets its parts; resolves when it has stopped. */
export async function cancelFileUpload(app: AppContext, transferId: string): Promise<void> {
  const found = entry(app, transferId);
  found.control.cancel();
  await found.done;
}

export function listFileUploads(app: AppContext): FileUploadInfo[] {
  return [...registry(app).values()].map((found) => ({ ...found.info }));
}

/** Waits for an upload to end (tests, the CLI); undefined when it failed or was cancelled. */
export function fileUploadDone(app: AppContext, transferId: string): Promise<UploadResult | undefined> {
  return entry(app, transferId).done;
}
