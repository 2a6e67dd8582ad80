import { defineCalls } from './define';

// Calls of this domain are declared here by the engineer who owns it (see main/api/contract/jobs.ts for the pattern).
export const transferCalls = defineCalls({});
