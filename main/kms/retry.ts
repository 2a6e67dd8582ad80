import { setTimeout as sleep } from 'node:timers/promises';

/** Exponential backoff with jitter for calls to IBM Cloud services (429, 5xx, dropped connections). */
export interface RetryPolicy {
  /** total attempts, the first included */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { attempts: 5, baseDelayMs: 300, maxDelayMs: 10_000 };

export interface RetryOptions {
  policy?: RetryPolicy;
  signal?: AbortSignal;
  /** decides whether a failure is worth another attempt; may return a server-requested delay in ms */
  retryable: (error: unknown) => boolean | { afterMs: number };
  /** replaced in tests so nothing waits for real */
  wait?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  onRetry?: (attempt: number, delayMs: number, error: unknown) => void;
}

export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export async function withRetry<T>(work: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const policy = options.policy ?? DEFAULT_RETRY_POLICY;
  const wait = options.wait ?? ((ms: number, signal?: AbortSignal) => sleep(ms, undefined, { signal }));
  for (let attempt = 1; ; attempt += 1) {
    options.signal?.throwIfAborted();
    try {
      return await work(attempt);
    } catch (error) {
      const verdict = attempt < policy.attempts ? options.retryable(error) : false;
      if (verdict === false) throw error;
      const delay =
        typeof verdict === 'object'
          ? Math.min(policy.maxDelayMs, verdict.afterMs)
          : backoffDelay(attempt, policy, options.random);
      options.onRetry?.(attempt, delay, error);
      await wait(delay, options.signal);
    }
  }
}
