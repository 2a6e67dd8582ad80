import type { z } from 'zod';
import type { AppEvent } from '../../common/events';
import { appCalls } from './app';
import { auditCalls } from './audit';
import { cloudCalls } from './cloud';
import { jobCalls } from './jobs';
import { keyCalls } from './keys';
import { sealCalls } from './seal';
import { transferCalls } from './transfer';

/** The one API contract: every call the renderer can make, by name, with its input and output schemas. */
export const contract = {
  ...appCalls,
  ...jobCalls,
  ...auditCalls,
  ...sealCalls,
  ...keyCalls,
  ...transferCalls,
  ...cloudCalls,
};

export type Contract = typeof contract;
export type CallName = keyof Contract;
export const CALL_NAMES = Object.keys(contract).sort() as CallName[];

export type CallInput<N extends CallName> = z.input<Contract[N]['input']>;
export type CallParsedInput<N extends CallName> = z.output<Contract[N]['input']>;
export type CallOutput<N extends CallName> = z.output<Contract[N]['output']>;

export interface ErrorShape {
  code: string;
  message: string;
  hint?: string;
  details?: Record<string, unknown>;
}

/** What crosses either transport: a value or an error shape, never a thrown object or a stack trace. */
export type CallResult<T = unknown> = { ok: true; value: T } | { ok: false; error: ErrorShape };

export type ApiEvent = AppEvent;

/** The renderer words an error's message in the page's language from these (see renderer/src/format/errors.ts). */
export { quotableDetails, type QuotableDetails } from '../../common/error-details';

/**
 * IBM's image status reasons in main's English, the one table of their codes: English pages show these very
 * sentences, and the Spanish and Italian catalogs must word exactly these codes (renderer/src/i18n/status-reasons).
 */
export {
  STATUS_REASONS,
  isStatusReasonCode,
  type StatusReasonCode,
  type StatusReasonText,
} from '../../cloud/status-reason-texts';

/** The surface `window.api` offers in both the Electron and the web transport. */
export type SealerApi = {
  [N in CallName]: (input: CallInput<N>) => Promise<CallOutput<N>>;
} & {
  onEvent(listener: (event: ApiEvent) => void): () => void;
  /** Electron only: the filesystem path of a dropped File (webUtils.getPathForFile); null on the web host. */
  pathForFile(file: File): string | null;
  readonly transport: 'electron' | 'web';
};

export function isCallName(name: string): name is CallName {
  return Object.prototype.hasOwnProperty.call(contract, name);
}

/** IPC channel names are prefixed so the main process can refuse anything that is not ours. */
export const IPC_PREFIX = 'image-sealer:';
export const IPC_EVENT_CHANNEL = `${IPC_PREFIX}event`;
