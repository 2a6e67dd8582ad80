import { AppError } from '../../common/errors';
import type { StepRunner } from './step';

// Placeholder until the wrap engineer lands the real step (they own this file and replace it whole).
export const wrapStep: StepRunner = async () => {
  throw new AppError('STEP_NOT_AVAILABLE', 'The wrap step is not available in this build.');
};
