import type { AppContext } from '../app/context';
import { JobRunner } from './job-runner';
import { STEPS } from './steps';

const runners = new WeakMap<AppContext, JobRunner>();

/** The job runner of an app context (one per process and data directory). */
export function jobRunner(app: AppContext): JobRunner {
  let runner = runners.get(app);
  if (!runner) {
    runner = new JobRunner(app, STEPS);
    runners.set(app, runner);
  }
  return runner;
}
