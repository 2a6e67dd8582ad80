import { z } from 'zod';
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

const TransferIdInput = z.object({ transferId: z.string().regex(/^upl-[0-9a-f]{16}$/, 'not a transfer id') }).strict();

export const FileUploadInfoSchema = z.object({
  transferId: z.string(),
  path: z.string(),
  profile: z.string(),
  bucket: z.string(),
  objectKey: z.string(),
  state: z.enum(['running', 'paused', 'done', 'failed', 'cancelled']),
  etag: z.string().optional(),
  size: z.number().int().optional(),
  error: z.object({ code: z.string(), message: z.string(), hint: z.string().optional(), details: z.record(z.string(), z.unknown()).optional() }).optional(),
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
  resumeFileUpload: { summary: 'Resume a paused file upload', input: TransferIdInput, output: OkOutput },
  cancelFileUpload: { summary: 'Cancel a file upload and forget its parts', input: TransferIdInput, output: OkOutput },
  fileUploads: { summary: 'File uploads of this session and their state', input: z.object({}).strict(), output: z.array(FileUploadInfoSchema) },
});
