import type { AppContext } from '../app/context';
import type { Job, JobStep } from '../jobs/job';
import { jobRunner } from '../jobs/runner';
import type { CliOutput } from './output';

/** Runs a job's remaining steps (up to `until`) with progress on the CLI's output. */
export async function runJobWithProgress(
  app: AppContext,
  jobId: string,
  output: CliOutput,
  signal: AbortSignal,
  until?: JobStep,
): Promise<Job> {
  let lastState: string | null = null;
  const stop = app.events.on((event) => {
    if (event.type !== 'job-updated' || event.jobId !== jobId || event.state === lastState) return;
    lastState = event.state;
    output.info(`${jobId}: ${event.state}`);
  });
  try {
    return await jobRunner(app).run(jobId, {
      until,
      signal,
      onProgress: (step, progress) => output.progress(progress, step),
    });
  } finally {
    stop();
  }
}
