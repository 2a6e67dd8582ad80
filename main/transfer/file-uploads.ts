import { createHash } from 'node:crypto';
import { basename, resolve } from 'node:path';
import type { AppContext } from '../app/context';
import { AppError, toErrorShape, type ErrorShape } from '../common/errors';
import type { Progress } from '../common/progress';
import { profileStore, resolveProfile } from '../profiles/resolve';
import { cosClientForProfile } from './cos-for-profile';
import { fileUploadJournalPath, findInterruptedUploads, readInterruptedUpload, type InterruptedUpload } from './interrupted-uploads';
import { removeJournal } from './journal';
import type { UploadOptions } from './upload-options';
import { UploadControl } from './upload-control';
import { discardUpload, uploadFile, type UploadResult } from './uploader';

/**
 * Uploads of a file that is not (or not yet) a job's, e.g. an image sealed earlier that a person drops on the
 * Upload step. Same engine and journal as a job's upload; the transfer id is derived from file and destination,
 * so starting the same upload again after a restart resumes it. Progress goes out as `progress` events with
 * `jobId: null` and `detail.transferId`; pause and resume act on the running upload without stopping it.
 * The registry of this session lives in memory; an upload a previous run left unfinished is found from its
 * journal (which names the profile) and listed as `interrupted`, to be resumed or discarded.
 */
export interface FileUploadRequest extends UploadOptions {
  path: string;
  profile?: string;
}

export type FileUploadState = 'running' | 'paused' | 'done' | 'failed' | 'cancelled' | 'interrupted';

export interface FileUploadInfo {
  transferId: string;
  path: string;
  /** empty for an interrupted upload whose journal does not tell (damaged, or of a profile since removed) */
  profile: string;
  bucket: string;
  objectKey: string;
  state: FileUploadState;
  etag?: string;
  size?: number;
  /** a failure; for an interrupted upload, a journal that cannot be trusted (it can only be discarded) */
  error?: ErrorShape;
  /** interrupted: what the journal confirmed, of the file's size when the upload started */
  bytesConfirmed?: number;
  bytesTotal?: number;
  /** interrupted: why the file as it is now cannot continue the upload (missing, changed) */
  sourceProblem?: ErrorShape;
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
    throw new AppError('COS_BUCKET_REQUIRED', `Profile "${profile}" names no COS bucket.`, {
      hint: 'Choose a bucket for the upload.',
      details: { profile },
    });
  }
  const objectKey = request.objectKey ?? basename(path);
  const transferId = transferIdFor(path, profile, bucket, objectKey);
  const entries = registry(app);
  const existing = entries.get(transferId);
  if (existing && isUnderway(existing.info.state)) return { ...existing.info };
  // A resume that cannot work (damaged journal, different file) is refused here, not left to fail in the background.
  const earlier = await readInterruptedUpload(app.paths.uploads, transferId);
  const refusal = earlier?.damage ?? earlier?.sourceProblem;
  if (refusal) throw refusal;

  const client = await cosClientForProfile(resolved);
  const control = new UploadControl();
  const info: FileUploadInfo = { transferId, path, profile, bucket, objectKey, state: 'running' };
  control.onChange((state) => {
    if (isUnderway(info.state)) info.state = state === 'cancelled' ? info.state : state;
  });
  const emit = (progress: Progress) =>
    app.events.emit({ type: 'progress', jobId: null, step: 'upload', progress: { ...progress, detail: { ...progress.detail, transferId } } });
  const done = uploadFile({
    client,
    file: path,
    bucket,
    key: objectKey,
    journalPath: fileUploadJournalPath(app.paths.uploads, transferId),
    profile,
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
  if (!found) throw notFound(transferId);
  return found;
}

export function pauseFileUpload(app: AppContext, transferId: string): void {
  entry(app, transferId).control.pause();
}

/** What a resume may set: the part size cannot change, since the journal fixes it for the multipart upload. */
export type ResumeOptions = Pick<UploadOptions, 'concurrency' | 'limitRateMBps'>;

/**
 * Resumes a paused upload of this session, or one an earlier run left unfinished: from its journal, which gives
 * the file, profile, bucket and object key (hence the same transfer id), so only unconfirmed parts are sent.
 * `options` apply to an upload that restarts from its journal; a paused one of this session keeps its own.
 */
export async function resumeFileUpload(app: AppContext, transferId: string, options: ResumeOptions = {}): Promise<FileUploadInfo> {
  const found = registry(app).get(transferId);
  if (found && isUnderway(found.info.state)) {
    found.control.resume();
    return { ...found.info };
  }
  const earlier = await readInterruptedUpload(app.paths.uploads, transferId);
  if (!earlier) throw notFound(transferId);
  if (earlier.damage || !earlier.header) throw earlier.damage ?? notFound(transferId);
  const profile = await profileOf(earlier, profileNames(app));
  if (!profile) {
    throw new AppError('UPLOAD_PROFILE_UNKNOWN', `No profile matches the interrupted upload ${transferId} (it may have been removed or renamed).`, {
      hint: 'Start the upload again with the profile it used, or discard it.',
    });
  }
  const { sourcePath, bucket, key } = earlier.header;
  return startFileUpload(app, { path: sourcePath, profile, bucket, objectKey: key, ...options });
}

export type DiscardOutcome = Awaited<ReturnType<typeof discardUpload>> | 'not-attempted';

/**
 * Discards an upload that does not run (one an earlier run left, or one that failed): aborts its multipart
 * upload in COS where it can, removes the journal, and says so in the audit log. Best effort towards COS: when
 * the profile is gone or its client cannot be made, the journal still goes and the outcome says `not-attempted`.
 */
export async function discardFileUpload(app: AppContext, transferId: string): Promise<{ multipart: DiscardOutcome }> {
  const entries = registry(app);
  if (isUnderway(entries.get(transferId)?.info.state)) {
    throw new AppError('UPLOAD_RUNNING', `The upload ${transferId} is running; it cannot be discarded.`, { hint: 'Cancel it instead.' });
  }
  const earlier = await readInterruptedUpload(app.paths.uploads, transferId);
  if (!earlier) throw notFound(transferId);
  const { header } = earlier;
  const profile = await profileOf(earlier, profileNames(app));
  let multipart: DiscardOutcome = 'not-attempted';
  let notAttemptedBecause: string | undefined;
  if (header && profile) {
    try {
      const client = await cosClientForProfile(await resolveProfile(app, profile));
      try {
        multipart = await discardUpload(client, earlier.journalPath);
      } finally {
        await client.close();
      }
    } catch (error) {
      notAttemptedBecause = toErrorShape(error).code;
    }
  } else {
    notAttemptedBecause = header ? 'UPLOAD_PROFILE_UNKNOWN' : 'UPLOAD_JOURNAL_CORRUPT';
  }
  if (multipart === 'not-attempted') await removeJournal(earlier.journalPath);
  entries.delete(transferId);
  await app.audit.append({
    type: 'upload.file.discarded',
    jobId: null,
    data: {
      transferId,
      ...(header ? { path: header.sourcePath, bucket: header.bucket, objectKey: header.key } : {}),
      multipart,
      ...(notAttemptedBecause ? { notAttemptedBecause } : {}),
    },
  });
  return { multipart };
}

/** Cancels: aborts the multipart upload where supported and forgets its parts; resolves when it has stopped. */
export async function cancelFileUpload(app: AppContext, transferId: string): Promise<void> {
  const found = entry(app, transferId);
  found.control.cancel();
  await found.done;
}

/** This session's uploads, after the ones earlier runs left unfinished (oldest first). */
export async function listFileUploads(app: AppContext): Promise<FileUploadInfo[]> {
  const entries = registry(app);
  const names = profileNames(app);
  const interrupted = await findInterruptedUploads(app.paths.uploads, new Set(entries.keys()));
  const earlier = await Promise.all(interrupted.map(async (upload) => interruptedInfo(upload, await profileOf(upload, names))));
  return [...earlier, ...[...entries.values()].map((found) => ({ ...found.info }))];
}

function interruptedInfo(upload: InterruptedUpload, profile: string): FileUploadInfo {
  const { header } = upload;
  return {
    transferId: upload.transferId,
    path: header?.sourcePath ?? '',
    profile,
    bucket: header?.bucket ?? '',
    objectKey: header?.key ?? '',
    state: 'interrupted',
    bytesConfirmed: upload.bytesConfirmed,
    bytesTotal: upload.bytesTotal,
    ...(upload.damage ? { error: toErrorShape(upload.damage) } : {}),
    ...(upload.sourceProblem ? { sourceProblem: toErrorShape(upload.sourceProblem) } : {}),
  };
}

/**
 * The profile an interrupted upload belongs to, checked against its transfer id (a hash that includes it);
 * for journals written before the profile was recorded, the profile whose hash matches. Empty when none does,
 * or when that profile has been removed since (its endpoints and keys are gone, so it can neither resume nor
 * abort the upload; the list then says why Resume cannot work instead of offering it).
 */
async function profileOf(upload: InterruptedUpload, names: () => Promise<string[]>): Promise<string> {
  const { header } = upload;
  if (!header) return '';
  const existing = await names();
  const candidates = header.profile === undefined ? existing : [header.profile].filter((name) => existing.includes(name));
  return candidates.find((name) => transferIdFor(header.sourcePath, name, header.bucket, header.key) === upload.transferId) ?? '';
}

/** The profile names, read once per call site. */
function profileNames(app: AppContext): () => Promise<string[]> {
  let names: Promise<string[]> | undefined;
  return () => (names ??= profileStore(app).list().then((profiles) => profiles.map((profile) => profile.name)));
}

function isUnderway(state: FileUploadState | undefined): boolean {
  return state === 'running' || state === 'paused';
}

function notFound(transferId: string): AppError {
  return new AppError('UPLOAD_NOT_FOUND', `No upload ${transferId} runs in this session or waits to be resumed.`, {
    hint: 'Start it again; a partial upload resumes where it stopped.',
  });
}

/** Waits for an upload to end (tests, the CLI); undefined when it failed or was cancelled. */
export function fileUploadDone(app: AppContext, transferId: string): Promise<UploadResult | undefined> {
  return entry(app, transferId).done;
}
