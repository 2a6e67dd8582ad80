/**
 * Pure logic of the "Upload a sealed image" page: the form's defaults and checks, and which events and buttons
 * belong to one file upload. No React, no DOM: unit-tested in test/unit/renderer.
 */
import type { ApiEvent, CallInput, CallOutput } from '../../../main/api/contract';
import type { ProgressLike } from '../format/format';

export type FileUploadInfo = CallOutput<'startFileUpload'>;
export type FileUploadState = FileUploadInfo['state'];
export type StartFileUploadInput = CallInput<'startFileUpload'>;
export type ResumeFileUploadInput = CallInput<'resumeFileUpload'>;
export type DiscardOutcome = CallOutput<'discardFileUpload'>['multipart'];

/**
 * The bounds the contract accepts (UploadOptionsSchema in main/transfer/upload-options.ts); checked here too so
 * a person reads which field is wrong in their language instead of a schema message. A unit test keeps the two
 * in step.
 */
export const UPLOAD_LIMITS = {
  concurrency: { min: 1, max: 64 },
  partSizeMiB: { min: 5, max: 5120 },
  limitRateMBps: { max: 100_000 },
  bucket: { min: 3, max: 63 },
  objectKey: { max: 1024 },
} as const;

export interface SealedUploadForm {
  /** the file's path on the computer running Image Sealer */
  path: string;
  profile: string;
  /** empty: the profile's bucket */
  bucket: string;
  objectKey: string;
  /** the advanced fields as typed; empty means the engine's default */
  concurrency: string;
  partSizeMiB: string;
  limitRateMBps: string;
}

export type FormField = keyof SealedUploadForm;

/** A field's problem as an i18n key under `sealedUpload.problems` and its interpolation values. */
export interface FieldProblem {
  key: 'required' | 'wholeNumber' | 'number' | 'range' | 'atMost' | 'positive' | 'bucketName';
  values?: Record<string, number>;
}

export type FormProblems = Partial<Record<FormField, FieldProblem>>;

/** The last part of a path, for either separator: the default object key of a typed path. */
export function fileNameOf(path: string): string {
  return path
    .trim()
    .replace(/[\\/]+$/, '')
    .replace(/^.*[\\/]/, '');
}

/** COS bucket names: lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit. */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]*[a-z0-9]$/;

function wholeNumberIn(text: string, min: number, max: number): number | FieldProblem | undefined {
  const trimmed = text.trim();
  if (!trimmed) return undefined;
  if (!/^\d+$/.test(trimmed)) return { key: 'wholeNumber' };
  const value = Number(trimmed);
  return value < min || value > max ? { key: 'range', values: { min, max } } : value;
}

function positiveUpTo(text: string, max: number): number | FieldProblem | undefined {
  // People type a decimal comma in Spanish and Italian.
  const trimmed = text.trim().replace(',', '.');
  if (!trimmed) return undefined;
  if (!/^\d*\.?\d+$/.test(trimmed)) return { key: 'number' };
  const value = Number(trimmed);
  if (value <= 0) return { key: 'positive' };
  return value > max ? { key: 'atMost', values: { max } } : value;
}

/**
 * The startFileUpload request for the form, or the problems that keep it from being sent. The object key is
 * always sent: on the web host a dropped file lives under a generated name, so main's default (the path's file
 * name) would not be the name the person sees.
 */
export function uploadRequest(
  form: SealedUploadForm,
): { request: StartFileUploadInput; problems: null } | { request: null; problems: FormProblems } {
  const problems: FormProblems = {};
  const path = form.path.trim();
  if (!path) problems.path = { key: 'required' };
  if (!form.profile) problems.profile = { key: 'required' };
  const bucket = form.bucket.trim();
  if (bucket && (bucket.length < UPLOAD_LIMITS.bucket.min || bucket.length > UPLOAD_LIMITS.bucket.max)) {
    problems.bucket = { key: 'range', values: UPLOAD_LIMITS.bucket };
  } else if (bucket && !BUCKET_NAME.test(bucket)) {
    problems.bucket = { key: 'bucketName' };
  }
  const objectKey = form.objectKey.trim();
  if (!objectKey) problems.objectKey = { key: 'required' };
  else if (objectKey.length > UPLOAD_LIMITS.objectKey.max)
    problems.objectKey = { key: 'atMost', values: { max: UPLOAD_LIMITS.objectKey.max } };
  const { options: rateOptions, problems: rateProblems } = resumeOptionsOf(form);
  Object.assign(problems, rateProblems);
  const partSizeMiB = wholeNumberIn(form.partSizeMiB, UPLOAD_LIMITS.partSizeMiB.min, UPLOAD_LIMITS.partSizeMiB.max);
  if (typeof partSizeMiB === 'object') problems.partSizeMiB = partSizeMiB;
  if (Object.keys(problems).length > 0) return { request: null, problems };
  return {
    request: {
      path,
      profile: form.profile,
      objectKey,
      ...(bucket ? { bucket } : {}),
      ...rateOptions,
      ...(typeof partSizeMiB === 'number' ? { partSizeMiB } : {}),
    },
    problems: null,
  };
}

/**
 * The transfer options a resume can take from the form: concurrency and rate limit. Not the part size, which the
 * interrupted upload's journal fixes. Empty fields are left out (the engine's defaults).
 */
export function resumeOptionsOf(form: Pick<SealedUploadForm, 'concurrency' | 'limitRateMBps'>): {
  options: Omit<ResumeFileUploadInput, 'transferId'>;
  problems: FormProblems;
} {
  const problems: FormProblems = {};
  const concurrency = wholeNumberIn(form.concurrency, UPLOAD_LIMITS.concurrency.min, UPLOAD_LIMITS.concurrency.max);
  if (typeof concurrency === 'object') problems.concurrency = concurrency;
  const limitRateMBps = positiveUpTo(form.limitRateMBps, UPLOAD_LIMITS.limitRateMBps.max);
  if (typeof limitRateMBps === 'object') problems.limitRateMBps = limitRateMBps;
  return {
    options: {
      ...(typeof concurrency === 'number' ? { concurrency } : {}),
      ...(typeof limitRateMBps === 'number' ? { limitRateMBps } : {}),
    },
    problems,
  };
}

/**
 * How the page reports a discard, by what main could do about the multipart upload: deleted, or nothing to
 * delete (success); COS no longer had it (success, said so); or not deleted, so the parts may still be billed in
 * the bucket (warning, with how to remove them). Keys under `sealedUpload.interrupted`.
 */
export function discardNoticeOf(outcome: DiscardOutcome): {
  kind: 'success' | 'warning';
  title: 'discarded' | 'discardedGone' | 'discardedPartsMayRemain';
  reason?: 'partsUnsupported' | 'partsNotAttempted';
} {
  switch (outcome) {
    case 'aborted':
    case 'none':
      return { kind: 'success', title: 'discarded' };
    case 'gone':
      return { kind: 'success', title: 'discardedGone' };
    case 'unsupported':
      return { kind: 'warning', title: 'discardedPartsMayRemain', reason: 'partsUnsupported' };
    case 'not-attempted':
      return { kind: 'warning', title: 'discardedPartsMayRemain', reason: 'partsNotAttempted' };
  }
}

/** A file upload's progress event: file uploads carry no job id and name their transfer in the detail. */
export function fileUploadProgressOf(
  event: ApiEvent,
  transferId: string,
): (ProgressLike & { detail?: Record<string, unknown> }) | null {
  if (event.type !== 'progress' || event.jobId !== null) return null;
  return event.progress.detail?.transferId === transferId ? event.progress : null;
}

/**
 * What the progress panel shows while an upload is paused: its last figures without a rate or an ETA, and the
 * parts that were in flight as waiting again, since pausing aborts them and resuming sends them anew.
 */
export function pausedProgress<P extends ProgressLike & { detail?: Record<string, unknown> }>(progress: P): P {
  const parts = progress.detail?.parts;
  return {
    ...progress,
    rate: 0,
    eta: null,
    ...(typeof parts === 'string' ? { detail: { ...progress.detail, parts: parts.replace(/[r>!]/g, '.') } } : {}),
  };
}

/** Whether an upload still holds its file and destination (the form stays locked) and may change by itself. */
export function isUnderway(state: FileUploadState | undefined): boolean {
  return state === 'running' || state === 'paused';
}

/** Which buttons an upload in this state offers. Starting a failed one again resumes its confirmed parts. */
export function uploadActions(state: FileUploadState | undefined): {
  start: boolean;
  pause: boolean;
  resume: boolean;
  cancel: boolean;
} {
  return {
    start: !isUnderway(state),
    pause: state === 'running',
    resume: state === 'paused',
    cancel: isUnderway(state),
  };
}

/** The upload the page shows on arrival: the newest one still underway in this session, else none. */
export function uploadToFollow(uploads: FileUploadInfo[]): FileUploadInfo | null {
  for (let index = uploads.length - 1; index >= 0; index -= 1) {
    if (isUnderway(uploads[index].state)) return uploads[index];
  }
  return null;
}

/**
 * Why an upload an earlier run left unfinished cannot be resumed, as an i18n key under
 * `sealedUpload.interrupted.blocked`; null when it can. Main decides (its journal and file checks); this only
 * names the reason so the page can say it in the person's language.
 */
export type ResumeBlocker = 'journalDamaged' | 'sourceChanged' | 'sourceMissing' | 'profileUnknown';

export function resumeBlockerOf(upload: FileUploadInfo): ResumeBlocker | null {
  if (upload.error) return 'journalDamaged';
  if (upload.sourceProblem)
    return upload.sourceProblem.code === 'UPLOAD_SOURCE_CHANGED' ? 'sourceChanged' : 'sourceMissing';
  if (!upload.profile) return 'profileUnknown';
  return null;
}

/** The share of an interrupted upload's file its journal confirmed, 0..1. */
export function confirmedFraction(upload: FileUploadInfo): number {
  const total = upload.bytesTotal ?? 0;
  return total > 0 ? Math.min(1, (upload.bytesConfirmed ?? 0) / total) : 0;
}
