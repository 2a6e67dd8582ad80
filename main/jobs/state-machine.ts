import { AppError } from '../common/errors';
import { JOB_STEPS, STATE_AFTER_STEP, type Job, type JobState, type JobStep } from './job';

const PROGRESS_ORDER: JobState[] = ['created', 'sealed', 'wrapped', 'uploaded', 'imported', 'provisioned'];

/** The state a job has reached, looking through failed/cancelled to the last good one. */
export function effectiveState(job: Pick<Job, 'state' | 'lastGoodState'>): JobState {
  if (job.state === 'failed' || job.state === 'cancelled') return job.lastGoodState ?? 'created';
  return job.state;
}

/** The next step to run, or null when the job has nothing left (provision only when asked for). */
export function nextStep(job: Pick<Job, 'state' | 'lastGoodState' | 'options'>): JobStep | null {
  const reached = PROGRESS_ORDER.indexOf(effectiveState(job));
  const step = JOB_STEPS[reached];
  if (step === undefined) return null;
  if (step === 'provision' && !job.options.provision) return null;
  return step;
}

/** Checks that `step` may run now; a step can be repeated only by resuming from its predecessor state. */
export function assertStepAllowed(job: Job, step: JobStep): void {
  if (job.state === 'cancelled') {
    throw new AppError('JOB_CANCELLED', `Job ${job.id} was cancelled; start a new job for this image.`);
  }
  const expected = nextStep({ ...job, options: { ...job.options, provision: true } });
  if (expected !== step) {
    const reached = effectiveState(job);
    throw new AppError(
      'JOB_STEP_OUT_OF_ORDER',
      `Job ${job.id} is at "${reached}"; the next step is ${expected ?? 'none'}, not ${step}.`,
      { hint: expected ? `Run "${expected}" first, or "jobs resume ${job.id}".` : 'The job is complete.' },
    );
  }
}

export function stateAfter(step: JobStep): JobState {
  return STATE_AFTER_STEP[step];
}

export function isTerminal(job: Job): boolean {
  return job.state === 'cancelled' || (nextStep(job) === null && job.state !== 'failed');
}
