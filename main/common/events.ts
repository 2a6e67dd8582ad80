import type { Progress } from './progress';

/** Events main pushes to every attached UI (Electron window or web host socket) and the CLI. */
export type AppEvent =
  | { type: 'progress'; jobId: string | null; step: string; progress: Progress }
  | { type: 'job-updated'; jobId: string; state: string }
  | { type: 'notice'; level: 'info' | 'warning' | 'error'; code: string; message: string; jobId?: string };

export type AppEventListener = (event: AppEvent) => void;

export class EventBus {
  private readonly listeners = new Set<AppEventListener>();

  on(listener: AppEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: AppEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // A failing subscriber (a closed socket) must not stop the work that reports progress.
      }
    }
  }
}
