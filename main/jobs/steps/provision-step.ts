import { AppError } from '../../common/errors';
import type { StepRunner } from './step';

// Placeholder until the provision engineer lands the real step (they own this file and replace it whole).
export const provisionStep: StepRunner = async () => {
  throw new AppError('STEP_NOT_AVAILABLE', 'The provision step is not available in this build.');
};
