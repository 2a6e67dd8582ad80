import { CALL_NAMES, type ApiEvent, type CallResult, type SealerApi } from '../../../main/api/contract';

/** The error a call rejects with, in both transports: what happened, a hint, and a stable code. */
export interface ApiCallError extends Error {
  code: string;
  hint?: string;
  details?: Record<string, unknown>;
}

function callError(result: Extract<CallResult, { ok: false }>): ApiCallError {
  const { code, hint, details } = result.error;
  return Object.assign(new Error(result.error.message), { code, hint, details });
}

const REQUEST_TIMEOUT_MS = 60_000;

/**
 * `window.api` for the web host: the same named functions as the Electron preload, over HTTP POST with the
 * per-launch token (read from the meta tag the host injects), and events over one WebSocket that reconnects.
 */
export function createWebApi(token: string, base = window.location.origin): SealerApi {
  const api: Record<string, unknown> = {};
  for (const name of CALL_NAMES) {
    api[name] = async (input: unknown) => {
      const controller = new AbortController();
      const timer = window.setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
      let response: Response;
      try {
        response = await fetch(`${base}/api/call/${name}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(input ?? {}),
          signal: controller.signal,
        });
      } catch (error) {
        throw Object.assign(new Error('The app did not answer. Is Image Sealer still running?'), {
          code: controller.signal.aborted ? 'TIMEOUT' : 'HOST_UNREACHABLE',
          hint: error instanceof Error ? error.message : undefined,
        });
      } finally {
        window.clearTimeout(timer);
      }
      const result = (await response.json()) as CallResult;
      if (result.ok) return result.value;
      throw callError(result);
    };
  }

  const listeners = new Set<(event: ApiEvent) => void>();
  let socket: WebSocket | null = null;
  let retry = 0;
  const connect = () => {
    const url = `${base.replace(/^http/, 'ws')}/api/events`;
    socket = new WebSocket(url, [`image-sealer.${token}`]);
    socket.onopen = () => {
      retry = 0;
    };
    socket.onmessage = (message) => {
      try {
        const event = JSON.parse(String(message.data)) as ApiEvent;
        for (const listener of listeners) listener(event);
      } catch {
        // A malformed event is dropped; the next one carries the current state.
      }
    };
    socket.onclose = () => {
      socket = null;
      if (listeners.size > 0) {
        retry += 1;
        window.setTimeout(connect, Math.min(10_000, 250 * 2 ** retry));
      }
    };
  };

  api.onEvent = (listener: (event: ApiEvent) => void) => {
    listeners.add(listener);
    if (!socket) connect();
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0) socket?.close();
    };
  };
  api.pathForFile = () => null;
  api.transport = 'web';
  return api as unknown as SealerApi;
}

/** Uploads a dropped file to the web host, which stores it in the data folder and returns its path there. */
export async function uploadFileToHost(
  token: string,
  file: File,
  onProgress?: (fraction: number) => void,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('PUT', `${window.location.origin}/api/upload?name=${encodeURIComponent(file.name)}`);
    request.setRequestHeader('authorization', `Bearer ${token}`);
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress?.(event.loaded / event.total);
    };
    request.onload = () => {
      try {
        const result = JSON.parse(request.responseText) as CallResult<{ path: string }>;
        if (result.ok) resolve(result.value.path);
        else reject(callError(result));
      } catch {
        reject(Object.assign(new Error('The upload failed.'), { code: 'UPLOAD_FAILED' }));
      }
    };
    request.onerror = () => reject(Object.assign(new Error('The upload failed.'), { code: 'UPLOAD_FAILED' }));
    request.send(file);
  });
}
