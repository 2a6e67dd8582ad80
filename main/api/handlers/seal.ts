import { AppError } from '../../common/errors';
import { probeImage } from '../../image';
import { jobRunner } from '../../jobs/runner';
import { verifySealedImage } from '../../seal/verify';
import { getDekCustody } from '../../secrets/custody';
import { missingDekError } from '../../secrets/dek-custody';
import type { sealCalls } from '../contract/seal';
import type { HandlersFor } from './define';

export const sealHandlers: HandlersFor<typeof sealCalls> = {
  async probeImage({ path, target }) {
    return probeImage(path, { target });
  },
  async startSeal({ jobId }, app) {
    const job = await app.jobs.get(jobId);
    if (job.state !== 'created' && job.lastGoodState !== 'created' && job.seal) {
      throw new AppError('JOB_ALREADY_SEALED', `Job ${jobId} is sealed already.`, {
        hint: 'Its sealed image is at the path shown in the job; create a new job to seal again.',
      });
    }
    const runner = jobRunner(app);
    if (runner.isRunning(jobId)) return { started: false };
    // Runs in the background; progress, state changes and failures arrive as events.
    runner.run(jobId, { until: 'seal' }).catch(() => undefined);
    return { started: true };
  },
  async cancelSeal({ jobId }, app) {
    await jobRunner(app).pause(jobId);
    return { ok: true as const };
  },
  async verifySeal({ jobId }, app) {
    const job = await app.jobs.get(jobId);
    if (!job.seal || !job.source) {
      throw new AppError('JOB_NOT_SEALED', `Job ${jobId} has no sealed image to verify yet.`, { hint: 'Seal it first.' });
    }
    const dek = await getDekCustody(app).get(jobId);
    if (!dek) throw missingDekError(jobId);
    try {
      const result = await verifySealedImage({
        sealedPath: job.seal.outputPath,
        sourcePath: job.source.path,
        target: job.target,
        dek,
        tmpDir: app.paths.tmp,
      });
      return { verified: true as const, contentSha256: result.contentSha256, outputSha256: result.outputSha256, checks: result.checks };
    } finally {
      dek.fill(0);
    }
  },
};
