import { AppError } from '../../common/errors';
import type { StepRunner } from './step';

// Placeholder until the upload engineer lands the real step (they own this file and replace it whole).
export const uploadStep: StepRunner = async () => {
  throw new AppError('STEP_NOT_AVAILABLE', 'The upload step is not available in this build.');
};
