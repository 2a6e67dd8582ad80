import type { AppContext } from '../../app/context';
import type { ProgressListener } from '../../common/progress';
import type { Job, JobStep } from '../job';

export interface StepContext {
  app: AppContext;
  job: Job;
  signal: AbortSignal;
  progress: ProgressListener;
  /** Audit an event inside the step (request made, object stored …); never pass secrets. */
  audit: (type: string, data?: Record<string, unknown>) => Promise<void>;
  /** Persist part of the step's record before the step ends (e.g. an upload id, an image id), so resume finds it. */
  checkpoint: (patch: Partial<Job>) => Promise<Job>;
}

/**
 * One step of a job. It returns the record to store (e.g. `{ seal: {...} }`); the runner then moves the job to
 * the step's state. A step must be safe to run again after a crash: it looks at what its checkpoint left.
 */
export type StepRunner = (context: StepContext) => Promise<Partial<Job>>;

export type StepRegistry = Record<JobStep, StepRunner>;
