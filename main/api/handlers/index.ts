import type { AppContext } from '../../app/context';
import type { CallName, CallOutput, CallParsedInput } from '../contract';
import { appHandlers } from './app';
import { auditHandlers } from './audit';
import { cloudHandlers } from './cloud';
import { jobHandlers } from './jobs';
import { keyHandlers } from './keys';
import { sealHandlers } from './seal';
import { transferHandlers } from './transfer';

export type Handlers = {
  [N in CallName]: (input: CallParsedInput<N>, app: AppContext) => Promise<unknown>;
};

/** Every call of the contract has exactly one handler; TypeScript refuses a missing one. */
export const handlers = {
  ...appHandlers,
  ...jobHandlers,
  ...auditHandlers,
  ...sealHandlers,
  ...keyHandlers,
  ...transferHandlers,
  ...cloudHandlers,
} satisfies Handlers;

export type { CallOutput };
