import type { transferCalls } from '../contract/transfer';
import { jobRunner } from '../../jobs/runner';
import { cancelUpload, setUploadOptions, uploadStatus } from '../../transfer/upload-service';
import { cancelFileUpload, discardFileUpload, listFileUploads, pauseFileUpload, resumeFileUpload, startFileUpload } from '../../transfer/file-uploads';
import type { AppContext } from '../../app/context';
import type { HandlersFor } from './define';

function startInBackground(app: AppContext, jobId: string): { started: boolean } {
  const runner = jobRunner(app);
  if (runner.isRunning(jobId)) return { started: false };
  // Progress, state changes and failures arrive as events.
  runner.run(jobId, { until: 'upload' }).catch(() => undefined);
  return { started: true };
}

export const transferHandlers: HandlersFor<typeof transferCalls> = {
  async startUpload({ jobId, ...options }, app) {
    await setUploadOptions(app, jobId, options);
    return startInBackground(app, jobId);
  },
  async pauseUpload({ jobId }, app) {
    await jobRunner(app).pause(jobId);
    return { ok: true as const };
  },
  async resumeUpload({ jobId }, app) {
    await app.jobs.get(jobId);
    return startInBackground(app, jobId);
  },
  async cancelUpload({ jobId }, app) {
    await cancelUpload(app, jobId);
    return { ok: true as const };
  },
  async uploadStatus({ jobId }, app) {
    return uploadStatus(app, jobId);
  },
  async startFileUpload(input, app) {
    return startFileUpload(app, input);
  },
  async pauseFileUpload({ transferId }, app) {
    pauseFileUpload(app, transferId);
    return { ok: true as const };
  },
  async resumeFileUpload({ transferId, ...options }, app) {
    return resumeFileUpload(app, transferId, options);
  },
  async cancelFileUpload({ transferId }, app) {
    await cancelFileUpload(app, transferId);
    return { ok: true as const };
  },
  async discardFileUpload({ transferId }, app) {
    return discardFileUpload(app, transferId);
  },
  async fileUploads(_input, app) {
    return listFileUploads(app);
  },
};
