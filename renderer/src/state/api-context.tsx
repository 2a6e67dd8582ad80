import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import type { ApiEvent, SealerApi } from '../../../main/api/contract';
import type { ProgressLike } from '../format/format';

export interface StepProgress {
  step: string;
  progress: ProgressLike & { detail?: Record<string, unknown> };
  at: number;
}

interface ApiContextValue {
  api: SealerApi;
  /** subscribe to every event from main; returns the unsubscribe */
  subscribe(listener: (event: ApiEvent) => void): () => void;
}

const ApiContext = createContext<ApiContextValue | null>(null);

/** One event subscription for the whole app, fanned out to the components that listen. */
export function ApiProvider({ api, children }: { api: SealerApi; children: ReactNode }) {
  const listeners = useRef(new Set<(event: ApiEvent) => void>());
  useEffect(
    () =>
      api.onEvent((event) => {
        for (const listener of listeners.current) listener(event);
      }),
    [api],
  );
  const subscribe = useCallback((listener: (event: ApiEvent) => void) => {
    listeners.current.add(listener);
    return () => {
      listeners.current.delete(listener);
    };
  }, []);
  return <ApiContext.Provider value={{ api, subscribe }}>{children}</ApiContext.Provider>;
}

function useApiContext(): ApiContextValue {
  const value = useContext(ApiContext);
  if (!value) throw new Error('ApiProvider is missing');
  return value;
}

export function useApi(): SealerApi {
  return useApiContext().api;
}

export function useApiEvents(listener: (event: ApiEvent) => void): void {
  const { subscribe } = useApiContext();
  const latest = useRef(listener);
  latest.current = listener;
  useEffect(() => subscribe((event) => latest.current(event)), [subscribe]);
}

/** The latest progress event of one job (or of every job when jobId is null), cleared when its state changes. */
export function useJobProgress(jobId: string | null | undefined): StepProgress | null {
  const [progress, setProgress] = useState<StepProgress | null>(null);
  useApiEvents((event) => {
    if (!jobId) return;
    if (event.type === 'progress' && event.jobId === jobId) {
      setProgress({ step: event.step, progress: event.progress, at: Date.now() });
    } else if (event.type === 'job-updated' && event.jobId === jobId) {
      setProgress(null);
    }
  });
  useEffect(() => setProgress(null), [jobId]);
  return progress;
}

/** A counter that changes whenever any job changes state: pages re-fetch when it moves. */
export function useJobsVersion(): number {
  const [version, setVersion] = useState(0);
  useApiEvents((event) => {
    if (event.type === 'job-updated') setVersion((value) => value + 1);
  });
  return version;
}

/** Whether a contract call exists in this build (calls land as other parts of the app are finished). */
export function hasCall(api: SealerApi, name: string): boolean {
  return typeof (api as unknown as Record<string, unknown>)[name] === 'function';
}
