import { AppError } from '../../common/errors';
import type { StepRunner } from './step';

// Placeholder until the import engineer lands the real step (they own this file and replace it whole).
export const importStep: StepRunner = async () => {
  throw new AppError('STEP_NOT_AVAILABLE', 'The import step is not available in this build.');
};
