import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '../common/errors';

export interface PollOptions {
  signal?: AbortSignal;
  /** give up after this long in total */
  timeoutMs: number;
  initialDelayMs: number;
  maxDelayMs: number;
  /** growth of the delay between checks */
  factor?: number;
  /** what is being waited for, for the timeout message */
  what: string;
}

export const DEFAULT_POLL: Omit<PollOptions, 'what'> = {
  timeoutMs: 60 * 60_000,
  initialDelayMs: 2_000,
  maxDelayMs: 30_000,
  factor: 1.5,
};

/** The sandbox checks a small image in about a second: no need to wait as long between reads as with IBM. */
export const SANDBOX_POLL: Partial<Omit<PollOptions, 'what'>> = { initialDelayMs: 250, maxDelayMs: 2_000 };

/**
 * Reads a resource until `done` says so, waiting longer between reads (imports take minutes to hours; there is
 * no sense asking every second). Each read goes to `onRead` so the caller can record and show the status.
 */
export async function pollUntil<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  options: PollOptions,
  onRead?: (value: T) => void | Promise<void>,
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let delay = options.initialDelayMs;
  for (;;) {
    options.signal?.throwIfAborted();
    const value = await read();
    await onRead?.(value);
    if (done(value)) return value;
    if (Date.now() + delay > deadline) {
      const seconds = Math.round(options.timeoutMs / 1000);
      throw new AppError('CLOUD_WAIT_TIMEOUT', `Gave up waiting for ${options.what} after ${seconds} s.`, {
        hint: 'The request is still going on at IBM Cloud; resume the job later to keep following it (nothing is sent again).',
        details: { seconds },
      });
    }
    await sleep(delay, undefined, { signal: options.signal });
    delay = Math.min(options.maxDelayMs, Math.round(delay * (options.factor ?? 1.5)));
  }
}
