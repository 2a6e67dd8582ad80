import { describe, expect, it, vi } from 'vitest';

const electron = vi.hoisted(() => {
  const windows: Array<{ options: Record<string, unknown>; webContents: FakeContents }> = [];
  interface FakeContents {
    handlers: Record<string, (event: { preventDefault: () => void }) => void>;
    windowOpenHandler?: () => { action: string };
    on: (name: string, handler: (event: { preventDefault: () => void }) => void) => void;
    setWindowOpenHandler: (handler: () => { action: string }) => void;
    send: (...args: unknown[]) => void;
    isDestroyed: () => boolean;
  }
  const makeContents = (): FakeContents => {
    const contents: FakeContents = {
      handlers: {},
      on: (name, handler) => {
        contents.handlers[name] = handler;
      },
      setWindowOpenHandler: (handler) => {
        contents.windowOpenHandler = handler;
      },
      send: () => undefined,
      isDestroyed: () => false,
    };
    return contents;
  };
  class BrowserWindow {
    webContents = makeContents();
    constructor(public options: Record<string, unknown>) {
      windows.push(this);
    }
    once() {}
    on() {}
    loadFile() {
      return Promise.resolve();
    }
    isDestroyed() {
      return false;
    }
    setProgressBar() {}
  }
  return { windows, makeContents, BrowserWindow, Notification: class {
      static isSupported(): boolean {
        return false;
      }
      show(): void {}
    },
  };
});

vi.mock('electron', () => ({
  BrowserWindow: electron.BrowserWindow,
  Notification: electron.Notification,
}));

import { createAppContext } from '../../../main/app/context';
import { CALL_NAMES, IPC_PREFIX, type CallResult } from '../../../main/api/contract';
import { isTrustedSender, registerIpc } from '../../../main/electron/ipc';
import { denyAllPermissions, lockNavigation, RENDERER_CSP, secureWebPreferences } from '../../../main/electron/security';
import { createMainWindow } from '../../../main/electron/window';
import { makeTempDir } from '../../helpers/temp-dir';

type Handler = (event: unknown, input: unknown) => Promise<CallResult>;

function fakeIpcMain() {
  const handlers = new Map<string, Handler>();
  return {
    handlers,
    handle: (channel: string, handler: Handler) => handlers.set(channel, handler),
    removeHandler: (channel: string) => handlers.delete(channel),
  };
}

const TRUSTED = 'file:///opt/image-sealer/out/renderer/';

function senderEvent(url: string, topFrame = true) {
  const mainFrame = { url };
  const frame = topFrame ? mainFrame : { url };
  return { senderFrame: frame, sender: { mainFrame } };
}

describe('Electron shell security', () => {
  it('creates the window isolated, sandboxed and without Node', async () => {
    const { dir, cleanup } = await makeTempDir();
    const app = await createAppContext({ dataDir: dir, host: 'test' });
    createMainWindow(app, { preload: '/p/index.cjs', rendererIndex: '/r/index.html' });
    const prefs = electron.windows[0].options.webPreferences as Record<string, unknown>;
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      preload: '/p/index.cjs',
    });
    expect(electron.windows[0].webContents.handlers['will-navigate']).toBeTypeOf('function');
    await cleanup();
  });

  it('keeps devtools off unless asked for', () => {
    expect(secureWebPreferences('/p').devTools).toBe(process.env.IMAGE_SEALER_DEVTOOLS === '1');
  });

  it('denies navigation, redirects, webviews and new windows', () => {
    const contents = electron.makeContents();
    lockNavigation(contents as never);
    for (const name of ['will-navigate', 'will-redirect', 'will-attach-webview']) {
      const preventDefault = vi.fn();
      contents.handlers[name]({ preventDefault });
      expect(preventDefault, name).toHaveBeenCalled();
    }
    expect(contents.windowOpenHandler?.()).toEqual({ action: 'deny' });
  });

  it('denies every permission and sets a CSP that starts from default-src none', () => {
    let request: ((c: unknown, p: string, cb: (ok: boolean) => void) => void) | undefined;
    let check: (() => boolean) | undefined;
    let headers: ((details: { responseHeaders?: Record<string, string[]> }, cb: (r: { responseHeaders: Record<string, string[]> }) => void) => void) | undefined;
    const session = {
      setPermissionRequestHandler: (handler: typeof request) => (request = handler),
      setPermissionCheckHandler: (handler: typeof check) => (check = handler),
      webRequest: { onHeadersReceived: (handler: typeof headers) => (headers = handler) },
    };
    denyAllPermissions(session as never);
    const callback = vi.fn();
    request?.({}, 'media', callback);
    expect(callback).toHaveBeenCalledWith(false);
    expect(check?.()).toBe(false);
    let csp: string[] | undefined;
    headers?.({ responseHeaders: {} }, (result) => (csp = result.responseHeaders['Content-Security-Policy']));
    expect(csp).toEqual([RENDERER_CSP]);
    expect(RENDERER_CSP.startsWith("default-src 'none'")).toBe(true);
  });

  it('trusts only the top frame of our own page', () => {
    expect(isTrustedSender(senderEvent(`${TRUSTED}index.html`) as never, TRUSTED)).toBe(true);
    expect(isTrustedSender(senderEvent('https://evil.example/') as never, TRUSTED)).toBe(false);
    expect(isTrustedSender(senderEvent(`${TRUSTED}index.html`, false) as never, TRUSTED)).toBe(false);
    expect(isTrustedSender({ senderFrame: null, sender: { mainFrame: {} } } as never, TRUSTED)).toBe(false);
  });

  it('registers exactly the contract calls and checks sender and input', async () => {
    const { dir, cleanup } = await makeTempDir();
    const app = await createAppContext({ dataDir: dir, host: 'test' });
    const ipcMain = fakeIpcMain();
    const unregister = registerIpc(ipcMain as never, app, TRUSTED);
    expect([...ipcMain.handlers.keys()].sort()).toEqual(CALL_NAMES.map((name) => `${IPC_PREFIX}${name}`).sort());
    const listJobs = ipcMain.handlers.get(`${IPC_PREFIX}listJobs`) as Handler;
    expect(await listJobs(senderEvent(`${TRUSTED}index.html`), {})).toEqual({ ok: true, value: [] });
    expect(await listJobs(senderEvent('https://evil.example/'), {})).toMatchObject({ ok: false, error: { code: 'REFUSED' } });
    expect(await listJobs(senderEvent(`${TRUSTED}index.html`, false), {})).toMatchObject({ ok: false, error: { code: 'REFUSED' } });
    const getJob = ipcMain.handlers.get(`${IPC_PREFIX}getJob`) as Handler;
    expect(await getJob(senderEvent(`${TRUSTED}index.html`), { jobId: 42 })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    unregister();
    expect(ipcMain.handlers.size).toBe(0);
    await cleanup();
  });
});
