/**
 * Pause / resume / cancel for one running upload. Pausing aborts the parts in flight at once (they are sent
 * again on resume: at most concurrency × part size) rather than letting a slow link finish them.
 */
export type UploadControlState = 'running' | 'paused' | 'cancelled';

export class UploadControl {
  private stateValue: UploadControlState = 'running';
  private pauseController = new AbortController();
  private readonly cancelController = new AbortController();
  private waiters: (() => void)[] = [];
  private readonly listeners = new Set<(state: UploadControlState) => void>();

  get state(): UploadControlState {
    return this.stateValue;
  }

  /** Aborts when the upload is paused (fresh after every resume) or cancelled. */
  get interruptSignal(): AbortSignal {
    return AbortSignal.any([this.pauseController.signal, this.cancelController.signal]);
  }

  get cancelSignal(): AbortSignal {
    return this.cancelController.signal;
  }

  pause(): void {
    if (this.stateValue !== 'running') return;
    this.stateValue = 'paused';
    this.pauseController.abort(new Error('paused'));
    this.notify();
  }

  resume(): void {
    if (this.stateValue !== 'paused') return;
    this.stateValue = 'running';
    this.pauseController = new AbortController();
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
    this.notify();
  }

  /** Stops the upload for good: the engine aborts the multipart upload and removes the journal. */
  cancel(): void {
    if (this.stateValue === 'cancelled') return;
    this.stateValue = 'cancelled';
    this.cancelController.abort(new Error('cancelled'));
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
    this.notify();
  }

  /** Resolves while running; waits through a pause; returns at once when cancelled (the caller checks). */
  async whileRunning(signal?: AbortSignal): Promise<void> {
    while (this.stateValue === 'paused') {
      if (signal?.aborted) throw signal.reason;
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => reject(signal?.reason);
        signal?.addEventListener('abort', onAbort, { once: true });
        this.waiters.push(() => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        });
      });
    }
  }

  onChange(listener: (state: UploadControlState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private notify(): void {
    for (const listener of this.listeners) listener(this.stateValue);
  }
}
