import type { AppContext } from '../app/context';
import { AppError } from '../common/errors';
import type { JobOptions } from '../jobs/job';
import { jobRunner } from '../jobs/runner';
import { uploadJournalPath } from '../jobs/steps/upload-step';
import { resolveProfile } from '../profiles/resolve';
import { cosClientForProfile } from './cos-for-profile';
import { readJournal } from './journal';
import { choosePartSize, partCountFor } from './plan';
import type { UploadOptions } from './upload-options';
import { discardUpload } from './uploader';

export async function setUploadOptions(app: AppContext, jobId: string, options: UploadOptions): Promise<void> {
  const job = await app.jobs.get(jobId);
  const patch: Partial<JobOptions> = {};
  for (const [name, value] of Object.entries(options)) if (value !== undefined) Object.assign(patch, { [name]: value });
  if (Object.keys(patch).length === 0) return;
  if (job.upload?.verified && (patch.bucket !== undefined || patch.objectKey !== undefined)) {
    throw new AppError('JOB_ALREADY_UPLOADED', `Job ${jobId} is uploaded already (${job.upload.bucket}/${job.upload.objectKey}).`, {
      hint: 'Start a new job to upload the image somewhere else.',
    });
  }
  // validates the part size against the 5 MiB–5 GiB and 10,000-part limits before anything is sent
  if (patch.partSizeMiB !== undefined) choosePartSize(job.seal?.outputSize ?? 0, patch.partSizeMiB);
  await app.jobs.update(jobId, (current) => ({ options: { ...current.options, ...patch } }));
}

export interface UploadStatus {
  running: boolean;
  /** what the journal says was confirmed; null when no upload is under way */
  journal: {
    uploadId: string;
    bucket: string;
    objectKey: string;
    partSize: number;
    partCount: number;
    confirmedParts: number[];
    bytesConfirmed: number;
    completed: boolean;
  } | null;
}

export async function uploadStatus(app: AppContext, jobId: string): Promise<UploadStatus> {
  await app.jobs.get(jobId);
  const journal = await readJournal(uploadJournalPath(app.paths.uploads, jobId));
  const running = jobRunner(app).isRunning(jobId);
  if (!journal) return { running, journal: null };
  let bytesConfirmed = 0;
  for (const part of journal.parts.values()) bytesConfirmed += part.size;
  return {
    running,
    journal: {
      uploadId: journal.header.uploadId,
      bucket: journal.header.bucket,
      objectKey: journal.header.key,
      partSize: journal.header.partSize,
      partCount: partCountFor(journal.header.sourceSize, journal.header.partSize),
      confirmedParts: [...journal.parts.keys()].sort((a, b) => a - b),
      bytesConfirmed,
      completed: journal.completed !== undefined,
    },
  };
}

/**
 * Cancels a job's upload but not the job: stops a running upload, aborts the multipart upload where the server
 * supports it, removes the journal and the unverified upload record. The job stays sealed and wrapped, and a
 * later upload starts from the beginning.
 */
export async function cancelUpload(app: AppContext, jobId: string): Promise<void> {
  const job = await app.jobs.get(jobId);
  if (job.upload?.verified) {
    throw new AppError('JOB_ALREADY_UPLOADED', `Job ${jobId} is uploaded already; there is no upload to cancel.`);
  }
  await jobRunner(app).pause(jobId);
  const journalPath = uploadJournalPath(app.paths.uploads, jobId);
  const client = await cosClientForProfile(await resolveProfile(app, job.profile));
  try {
    const outcome = await discardUpload(client, journalPath);
    await app.audit.append({ type: 'upload.cancelled', jobId, data: { multipart: outcome } });
  } finally {
    await client.close();
  }
  await app.jobs.update(jobId, () => ({ upload: undefined }));
}
