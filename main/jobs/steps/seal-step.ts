import { AppError } from '../../common/errors';
import type { StepRunner } from './step';

// Placeholder until the seal engineer lands the real step (they own this file and replace it whole).
export const sealStep: StepRunner = async () => {
  throw new AppError('STEP_NOT_AVAILABLE', 'The seal step is not available in this build.');
};
