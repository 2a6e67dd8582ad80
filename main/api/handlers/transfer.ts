import type { transferCalls } from '../contract/transfer';
import type { HandlersFor } from './define';

// Handlers of this domain are written by the engineer who owns it (see main/api/handlers/jobs.ts for the pattern).
export const transferHandlers: HandlersFor<typeof transferCalls> = {};
