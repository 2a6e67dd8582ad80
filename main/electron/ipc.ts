import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import type { AppContext } from '../app/context';
import { dispatch } from '../api/dispatch';
import { CALL_NAMES, IPC_EVENT_CHANNEL, IPC_PREFIX, type CallResult } from '../api/contract';

/**
 * A message is handled only when it names a contract call on our channel prefix and comes from the top frame
 * of our own page; its input is then parsed by the contract inside `dispatch`.
 */
export function isTrustedSender(event: IpcMainInvokeEvent, trustedUrlPrefix: string): boolean {
  const frame = event.senderFrame;
  if (!frame) return false;
  if (frame !== event.sender.mainFrame) return false;
  return frame.url.startsWith(trustedUrlPrefix);
}

export function registerIpc(ipcMain: IpcMain, app: AppContext, trustedUrlPrefix: string): () => void {
  for (const name of CALL_NAMES) {
    ipcMain.handle(`${IPC_PREFIX}${name}`, async (event, input: unknown): Promise<CallResult> => {
      if (!isTrustedSender(event, trustedUrlPrefix)) {
        return { ok: false, error: { code: 'REFUSED', message: 'Request refused: it did not come from the app window.' } };
      }
      return dispatch(app, name, input);
    });
  }
  return () => {
    for (const name of CALL_NAMES) ipcMain.removeHandler(`${IPC_PREFIX}${name}`);
  };
}

/** Pushes app events (progress, job changes) to a window. */
export function forwardEvents(app: AppContext, contents: WebContents): () => void {
  return app.events.on((event) => {
    if (!contents.isDestroyed()) contents.send(IPC_EVENT_CHANNEL, event);
  });
}
