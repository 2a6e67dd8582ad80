import { jobCalls } from '../contract/jobs';
import { createJob, deleteJob } from '../../jobs/job-service';
import { jobRunner } from '../../jobs/runner';
import type { HandlersFor } from './define';

export const jobHandlers: HandlersFor<typeof jobCalls> = {
  async listJobs(_input, app) {
    return app.jobs.list();
  },
  async getJob({ jobId }, app) {
    return app.jobs.get(jobId);
  },
  async createJob(input, app) {
    const { job } = await createJob(app, {
      sourcePath: input.sourcePath,
      target: input.target,
      name: input.name,
      profile: input.profile,
      options: {
        engine: input.engine ?? 'native',
        keyBits: input.keyBits,
        iterTimeMs: input.iterTimeMs,
        verify: input.verify ?? true,
        provision: input.provision ?? false,
      },
    });
    return job;
  },
  async runJob({ jobId, until }, app) {
    const runner = jobRunner(app);
    await app.jobs.get(jobId);
    if (runner.isRunning(jobId)) return { started: false };
    // Runs in the background; progress, state changes and failures arrive as events.
    runner.run(jobId, { until }).catch(() => undefined);
    return { started: true };
  },
  async pauseJob({ jobId }, app) {
    await jobRunner(app).pause(jobId);
    return { ok: true as const };
  },
  async cancelJob({ jobId }, app) {
    return jobRunner(app).cancel(jobId);
  },
  async deleteJob({ jobId }, app) {
    await deleteJob(app, jobId);
    return { ok: true as const };
  },
  async jobTimeline({ jobId }, app) {
    return app.audit.entriesForJob(jobId);
  },
  async runningJobs(_input, app) {
    return jobRunner(app).runningJobIds();
  },
};
