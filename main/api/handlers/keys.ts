import type { keyCalls } from '../contract/keys';
import type { HandlersFor } from './define';

// Handlers of this domain are written by the engineer who owns it (see main/api/handlers/jobs.ts for the pattern).
export const keyHandlers: HandlersFor<typeof keyCalls> = {};
