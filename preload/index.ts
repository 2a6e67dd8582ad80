import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { CALL_NAMES, IPC_EVENT_CHANNEL, IPC_PREFIX, type ApiEvent, type CallResult } from '../main/api/contract';

/**
 * The bridge exposes `window.api` only: one named function per contract call and an event subscription.
 * Results arrive as { ok, value | error } and are turned back into a value or a rejected ApiCallError shape
 * (details included: the renderer words the message in the page's language from them).
 */
const api: Record<string, unknown> = {};
for (const name of CALL_NAMES) {
  api[name] = async (input: unknown) => {
    const result = (await ipcRenderer.invoke(`${IPC_PREFIX}${name}`, input ?? {})) as CallResult;
    if (result.ok) return result.value;
    const { code, hint, details } = result.error;
    throw Object.assign(new Error(result.error.message), { code, hint, details });
  };
}
api.onEvent = (listener: (event: ApiEvent) => void) => {
  const handler = (_event: unknown, payload: ApiEvent) => listener(payload);
  ipcRenderer.on(IPC_EVENT_CHANNEL, handler);
  return () => ipcRenderer.removeListener(IPC_EVENT_CHANNEL, handler);
};
api.pathForFile = (file: File) => {
  try {
    return webUtils.getPathForFile(file) || null;
  } catch {
    return null;
  }
};
api.transport = 'electron';

contextBridge.exposeInMainWorld('api', api);
