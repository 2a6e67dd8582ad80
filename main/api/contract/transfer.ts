import { z } from 'zod';
import { TRANSFER_ID_PATTERN } from '../../transfer/transfer-id';
import { UploadOptionsSchema } from '../../transfer/upload-options';
import { JobIdInput, OkOutput } from './common';
import { defineCalls } from './define';

/**
 * The upload of a job's sealed image. Progress arrives as `progress` events with step "upload"; their
 * `detail.parts` holds one character per part: "." pending, "r" reading, ">" sending, "!" retrying, "#" done.
 */
export const UploadStatusSchema = z.object({
  running: z.boolean(),
  journal: z
    .object({
      uploadId: z.string(),
      bucket: z.string(),
      objectKey: z.string(),
      partSize: z.number().int(),
      partCount: z.number().int(),
      confirmedParts: z.array(z.number().int()),
      bytesConfirmed: z.number().int(),
      completed: z.boolean(),
    })
    .nullable(),
});

const TransferIdInput = z.object({ transferId: z.string().regex(TRANSFER_ID_PATTERN, 'not a transfer id') }).strict();

const ErrorShapeSchema = z.object({ code: z.string(), message: z.string(), hint: z.string().optional(), details: z.record(z.string(), z.unknown()).optional() });

/**
 * A file upload of this session, or one an earlier run left unfinished (`interrupted`, found from its journal):
 * that one carries the bytes its journal confirmed and, when the file is missing or changed since, why it cannot
 * be resumed (`sourceProblem`); a journal that cannot be trusted comes as `error` and can only be discarded.
 */
export const FileUploadInfoSchema = z.object({
  transferId: z.string(),
  path: z.string(),
  profile: z.string(),
  bucket: z.string(),
  objectKey: z.string(),
  state: z.enum(['running', 'paused', 'done', 'failed', 'cancelled', 'interrupted']),
  etag: z.string().optional(),
  size: z.number().int().optional(),
  error: ErrorShapeSchema.optional(),
  bytesConfirmed: z.number().int().nonnegative().optional(),
  bytesTotal: z.number().int().nonnegative().optional(),
  sourceProblem: ErrorShapeSchema.optional(),
});

export const transferCalls = defineCalls({
  startUpload: {
    summary: 'Set the upload options of a sealed, wrapped job and upload it in the background (resumes a partial upload)',
    input: JobIdInput.extend(UploadOptionsSchema.shape).strict(),
    output: z.object({ started: z.boolean() }),
  },
  pauseUpload: { summary: 'Stop a running upload; the parts sent so far are kept', input: JobIdInput, output: OkOutput },
  resumeUpload: {
    summary: 'Resume a paused or failed upload, sending only the parts not yet confirmed',
    input: JobIdInput,
    output: z.object({ started: z.boolean() }),
  },
  cancelUpload: {
    summary: 'Cancel the upload (not the job): abort the multipart upload and forget its parts',
    input: JobIdInput,
    output: OkOutput,
  },
  uploadStatus: { summary: 'Whether an upload runs and which parts are confirmed', input: JobIdInput, output: UploadStatusSchema },
  startFileUpload: {
    summary: 'Upload a file that is not a job\u2019s (e.g. an image sealed earlier); starting it again resumes it',
    input: UploadOptionsSchema.extend({ path: z.string().min(1), profile: z.string().min(1).max(64).optional() }).strict(),
    output: FileUploadInfoSchema,
  },
  pauseFileUpload: { summary: 'Pause a file upload (parts in flight are sent again on resume)', input: TransferIdInput, output: OkOutput },
  resumeFileUpload: {
    summary:
      'Resume a paused file upload, or one interrupted by a restart (from its journal: same file, profile, bucket, key and part size); concurrency and rate limit apply when it restarts from its journal',
    input: TransferIdInput.extend(UploadOptionsSchema.pick({ concurrency: true, limitRateMBps: true }).shape).strict(),
    output: FileUploadInfoSchema,
  },
  cancelFileUpload: { summary: 'Cancel a file upload and forget its parts', input: TransferIdInput, output: OkOutput },
  discardFileUpload: {
    summary: 'Discard a file upload that does not run (interrupted or failed): abort its multipart upload where possible and remove its journal',
    input: TransferIdInput,
    output: z.object({ multipart: z.enum(['aborted', 'unsupported', 'gone', 'none', 'not-attempted']) }),
  },
  fileUploads: {
    summary: 'File uploads of this session and their state, after the interrupted ones earlier runs left',
    input: z.object({}).strict(),
    output: z.array(FileUploadInfoSchema),
  },
});
