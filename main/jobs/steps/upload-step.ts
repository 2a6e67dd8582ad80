import { basename, join } from 'node:path';
import { contentDigestMetadata } from '../../cloud/object-metadata';
import { AppError, isAppError } from '../../common/errors';
import { resolveProfile } from '../../profiles/resolve';
import { cosClientForProfile } from '../../transfer/cos-for-profile';
import { discardUpload, uploadFile } from '../../transfer/uploader';
import type { UploadRecord } from '../job';
import type { StepRunner } from './step';

/** Where a job's upload journal lives: `<dataDir>/uploads/<jobId>.journal`. */
export function uploadJournalPath(uploadsDir: string, jobId: string): string {
  return join(uploadsDir, `${jobId}.journal`);
}

/**
 * Upload: the sealed file goes to the profile's bucket (or the job's), under its own file name unless the job
 * names an object key. The journal makes a rerun of this step a resume; the multipart upload id is
 * checkpointed in the job as soon as it exists. The step returns only after the completion check.
 */
export const uploadStep: StepRunner = async (context) => {
  const { app, job, signal } = context;
  const seal = job.seal;
  if (!seal) {
    throw new AppError('JOB_NOT_SEALED', `Job ${job.id} has no sealed image to upload.`, { hint: `Seal it first: "image-sealer run ${job.id}".` });
  }
  const resolved = await resolveProfile(app, job.profile);
  const bucket = job.options.bucket ?? resolved.profile.cos.bucket;
  if (!bucket) {
    throw new AppError('COS_BUCKET_REQUIRED', `Profile "${resolved.profile.name}" names no COS bucket and job ${job.id} none either.`, {
      hint: `Name one: "image-sealer upload ${job.id} --bucket BUCKET" (a Regional bucket in the Key Protect region).`,
      details: { profile: resolved.profile.name },
    });
  }
  const objectKey = job.options.objectKey ?? basename(seal.outputPath);
  const region = resolved.profile.cos.region;
  const journalPath = uploadJournalPath(app.paths.uploads, job.id);
  const client = await cosClientForProfile(resolved);
  const record = (patch: Partial<UploadRecord>): UploadRecord => ({
    bucket,
    region,
    objectKey,
    endpoint: client.endpoint,
    size: seal.outputSize,
    verified: false,
    ...patch,
  });
  try {
    const result = await uploadFile({
      client,
      file: seal.outputPath,
      bucket,
      key: objectKey,
      journalPath,
      partSizeMiB: job.options.partSizeMiB,
      concurrency: job.options.concurrency,
      limitRateMBps: job.options.limitRateMBps,
      signal,
      onProgress: context.progress,
      expectedSha256: seal.outputSha256,
      metadata: contentDigestMetadata(seal.contentSha256),
      onUploadStarted: async ({ uploadId, partSize, partCount, resumed }) => {
        await context.checkpoint({ upload: record({ uploadId, partSize, partCount }) });
        await context.audit(resumed ? 'multipart.resumed' : 'multipart.started', { bucket, objectKey, uploadId, partSize, partCount });
      },
    });
    await context.audit('object.verified', {
      bucket,
      objectKey,
      etag: result.etag,
      size: result.size,
      verification: result.verification,
      skipped: result.skipped,
    });
    return {
      upload: record({
        uploadId: result.uploadId,
        partSize: result.partSize,
        partCount: result.partCount,
        size: result.size,
        etag: result.etag,
        verified: result.verified,
        uploadedAt: new Date().toISOString(),
      }),
    };
  } catch (error) {
    // A cancelled job's upload is finished for good: abort it on the server (where supported) and drop the journal.
    if (signal.aborted && isAppError(signal.reason, 'JOB_CANCELLED')) {
      await discardUpload(client, journalPath).catch(() => undefined);
    }
    throw error;
  } finally {
    await client.close();
  }
};
