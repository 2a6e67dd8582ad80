import { AppError } from './errors';

/**
 * Stops waiting for `promise` when `signal` aborts (the work itself may go on: an SDK request or a worker run
 * that cannot be cancelled), rejecting with the signal's reason; without a signal, the promise itself.
 */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  const reason = () => (signal.reason instanceof Error ? signal.reason : new AppError('ABORTED', 'Cancelled.'));
  if (signal.aborted) return Promise.reject(reason());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(reason());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
