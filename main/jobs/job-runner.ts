import { join } from 'node:path';
import type { AppContext } from '../app/context';
import { lockOwner, tryLock } from '../common/file-lock';
import { quotableDetails } from '../common/error-details';
import { AppError, toErrorShape } from '../common/errors';
import type { Progress, ProgressListener } from '../common/progress';
import type { Job, JobStep } from './job';
import { JOB_STEPS } from './job';
import { effectiveState, nextStep, stateAfter } from './state-machine';
import type { StepContext, StepRegistry } from './steps/step';

export interface RunOptions {
  /** stop after this step (inclusive); default: run to the end */
  until?: JobStep;
  signal?: AbortSignal;
  onProgress?: (step: JobStep, progress: Progress) => void;
}

interface ActiveRun {
  controller: AbortController;
  done: Promise<Job>;
  cancelRequested: boolean;
}

/**
 * Moves jobs through their steps. Each step's result is stored before the next begins, so a crash at any
 * point resumes at the step that did not finish. One run per job at a time in this process.
 */
export class JobRunner {
  private readonly active = new Map<string, ActiveRun>();

  constructor(
    private readonly app: AppContext,
    private readonly steps: StepRegistry,
  ) {}

  isRunning(jobId: string): boolean {
    return this.active.has(jobId);
  }

  runningJobIds(): string[] {
    return [...this.active.keys()];
  }

  /** Runs the job's remaining steps (up to `until`) and resolves with the final record; throws on failure. */
  run(jobId: string, options: RunOptions = {}): Promise<Job> {
    if (this.active.has(jobId)) {
      throw new AppError('JOB_BUSY', `Job ${jobId} is already running.`, {
        hint: 'Wait for it, or pause it first.',
      });
    }
    const controller = new AbortController();
    const onOuterAbort = () => controller.abort(options.signal?.reason);
    options.signal?.addEventListener('abort', onOuterAbort, { once: true });
    const entry: ActiveRun = { controller, cancelRequested: false, done: Promise.resolve() as unknown as Promise<Job> };
    entry.done = this.runSteps(jobId, options, controller.signal, entry).finally(() => {
      options.signal?.removeEventListener('abort', onOuterAbort);
      this.active.delete(jobId);
    });
    this.active.set(jobId, entry);
    return entry.done;
  }

  /** Stops the running step; the job keeps its state and can be resumed. */
  async pause(jobId: string): Promise<void> {
    const run = this.active.get(jobId);
    if (!run) return;
    run.controller.abort(new AppError('JOB_PAUSED', 'Paused.'));
    await run.done.catch(() => undefined);
  }

  /** Stops any running step and marks the job cancelled for good. */
  async cancel(jobId: string): Promise<Job> {
    const run = this.active.get(jobId);
    if (run) {
      run.cancelRequested = true;
      run.controller.abort(new AppError('JOB_CANCELLED', 'Cancelled.'));
      await run.done.catch(() => undefined);
    }
    const job = await this.app.jobs.update(jobId, (current) => ({
      state: 'cancelled',
      lastGoodState: effectiveState(current),
    }));
    await this.app.audit.append({ type: 'job.cancelled', jobId, data: { lastGoodState: job.lastGoodState } });
    this.app.events.emit({ type: 'job-updated', jobId, state: job.state });
    return job;
  }

  private async runSteps(jobId: string, options: RunOptions, signal: AbortSignal, entry: ActiveRun): Promise<Job> {
    // Another process (a second CLI, the app) may be running this job: one runner per job across processes.
    const lockPath = join(this.app.paths.jobs, `${jobId}.lock`);
    const lock = await tryLock(lockPath);
    if (!lock) {
      const owner = await lockOwner(lockPath);
      throw new AppError('JOB_BUSY', `Job ${jobId} is running in another Image Sealer process${owner ? ` (pid ${owner})` : ''}.`, {
        hint: 'Wait for it to finish, or stop that process; the job can then be resumed here.',
      });
    }
    try {
      return await this.runStepsLocked(jobId, options, signal, entry);
    } finally {
      await lock.release();
    }
  }

  private async runStepsLocked(jobId: string, options: RunOptions, signal: AbortSignal, entry: ActiveRun): Promise<Job> {
    let job = await this.app.jobs.get(jobId);
    if (job.state === 'cancelled') {
      throw new AppError('JOB_CANCELLED', `Job ${jobId} was cancelled; start a new job for this image.`);
    }
    const untilIndex = options.until ? JOB_STEPS.indexOf(options.until) : JOB_STEPS.length - 1;
    for (;;) {
      const step = nextStep(job);
      if (step === null || JOB_STEPS.indexOf(step) > untilIndex) return job;
      if (signal.aborted) throw abortReason(signal);
      job = await this.runStep(job, step, options, signal, entry);
    }
  }

  private async runStep(
    job: Job,
    step: JobStep,
    options: RunOptions,
    signal: AbortSignal,
    entry: ActiveRun,
  ): Promise<Job> {
    const app = this.app;
    const jobId = job.id;
    const resumed = job.state === 'failed' || job.state === 'cancelled';
    if (job.state === 'failed') {
      job = await app.jobs.update(jobId, () => ({ state: job.lastGoodState ?? 'created', error: undefined }));
    }
    await app.audit.append({ type: `${step}.started`, jobId, data: { resumed, target: job.target } });
    app.events.emit({ type: 'job-updated', jobId, state: job.state });
    const progress: ProgressListener = (value) => {
      options.onProgress?.(step, value);
      app.events.emit({ type: 'progress', jobId, step, progress: value });
    };
    const context: StepContext = {
      app,
      job,
      signal,
      progress,
      audit: async (type, data) => {
        await app.audit.append({ type: `${step}.${type}`, jobId, data: data ?? {} });
      },
      checkpoint: (patch) => app.jobs.update(jobId, () => patch),
    };
    const started = performance.now();
    try {
      if (signal.aborted) throw abortReason(signal);
      const patch = await this.steps[step](context);
      const state = stateAfter(step);
      const updated = await app.jobs.update(jobId, () => ({ ...patch, state, lastGoodState: state, error: undefined }));
      await app.audit.append({
        type: `${step}.succeeded`,
        jobId,
        data: { state, durationMs: Math.round(performance.now() - started), record: summarize(patch) },
      });
      app.events.emit({ type: 'job-updated', jobId, state });
      return updated;
    } catch (error) {
      if (signal.aborted && !entry.cancelRequested) {
        // Paused or the process is stopping: the job keeps its state and resumes from this step.
        await app.audit.append({ type: `${step}.interrupted`, jobId, data: { reason: toErrorShape(error).code } });
        throw abortReason(signal);
      }
      if (entry.cancelRequested) throw error;
      const shape = toErrorShape(error);
      const failed = await app.jobs.update(jobId, (current) => ({
        state: 'failed',
        lastGoodState: effectiveState(current),
        error: {
          step,
          code: shape.code,
          message: shape.message,
          hint: shape.hint,
          details: quotableDetails(shape.details),
          at: new Date().toISOString(),
        },
      }));
      await app.audit.append({ type: `${step}.failed`, jobId, data: { code: shape.code, message: shape.message } });
      app.events.emit({ type: 'job-updated', jobId, state: failed.state });
      app.events.emit({ type: 'notice', level: 'error', code: shape.code, message: shape.message, jobId });
      throw error;
    }
  }
}

function abortReason(signal: AbortSignal): AppError {
  const reason: unknown = signal.reason;
  if (reason instanceof AppError) return reason;
  return new AppError('JOB_PAUSED', 'The step was interrupted; resume the job to continue.');
}

/** What of a step's record goes into the audit log: everything in it is already non-secret by schema. */
function summarize(patch: Partial<Job>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(patch)) {
    if (value !== undefined) out[key] = value;
  }
  return out;
}
