/**
 * The wizard's steps and how they map to the job's steps and states (pure; unit-tested).
 */
export const WIZARD_STEPS = ['image', 'target', 'seal', 'key', 'upload', 'import', 'provision', 'done'] as const;
export type WizardStep = (typeof WIZARD_STEPS)[number];

export type JobStepName = 'seal' | 'wrap' | 'upload' | 'import' | 'provision';

export const JOB_STEP_OF: Partial<Record<WizardStep, JobStepName>> = {
  seal: 'seal',
  key: 'wrap',
  upload: 'upload',
  import: 'import',
  provision: 'provision',
};

const ORDER = ['created', 'sealed', 'wrapped', 'uploaded', 'imported', 'provisioned'] as const;
const STATE_AFTER: Record<JobStepName, (typeof ORDER)[number]> = {
  seal: 'sealed',
  wrap: 'wrapped',
  upload: 'uploaded',
  import: 'imported',
  provision: 'provisioned',
};

export function wizardSteps(provision: boolean): WizardStep[] {
  return WIZARD_STEPS.filter((step) => provision || step !== 'provision');
}

/** How far a state is along the journey (failed/cancelled: use lastGoodState). */
export function stateRank(state: string): number {
  return ORDER.indexOf(state as (typeof ORDER)[number]);
}

/** Whether a job in `state` has finished the given wizard step. */
export function stepDone(step: WizardStep, state: string, lastGoodState?: string): boolean {
  const jobStep = JOB_STEP_OF[step];
  if (step === 'image' || step === 'target')
    return stateRank(state) >= 0 || lastGoodState !== undefined || state === 'failed' || state === 'cancelled';
  if (!jobStep) return false;
  const effective = state === 'failed' || state === 'cancelled' ? (lastGoodState ?? 'created') : state;
  return stateRank(effective) >= stateRank(STATE_AFTER[jobStep]);
}

/** The step a job resumes at in the wizard: the first one not done. */
export function resumeStep(state: string, lastGoodState: string | undefined, provision: boolean): WizardStep {
  for (const step of wizardSteps(provision)) {
    if (step === 'done') return 'done';
    if (!stepDone(step, state, lastGoodState)) return step;
  }
  return 'done';
}

/**
 * A job name from a file name that also works as a VPC image name (lower-case letters, digits, hyphens,
 * starting with a letter, at most 63 characters).
 */
export function jobNameFromFile(fileName: string): string {
  const base = fileName.replace(/^.*[\\/]/, '').replace(/\.(qcow2|raw|img|vhd|vmdk|vdi|iso|bin)$/i, '');
  let name = base
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (!/^[a-z]/.test(name)) name = `image-${name}`;
  name = name.slice(0, 63).replace(/-+$/, '');
  return name === 'image-' || name === '' ? 'image' : name;
}
