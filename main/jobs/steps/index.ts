import type { StepRegistry } from './step';
import { importStep } from './import-step';
import { provisionStep } from './provision-step';
import { sealStep } from './seal-step';
import { uploadStep } from './upload-step';
import { wrapStep } from './wrap-step';

/** The one place that says which code runs each step of a job. */
export const STEPS: StepRegistry = {
  seal: sealStep,
  wrap: wrapStep,
  upload: uploadStep,
  import: importStep,
  provision: provisionStep,
};
