import { BrowserWindow, Notification, type BrowserWindowConstructorOptions, type WebContents } from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AppContext } from '../app/context';
import { forwardEvents } from './ipc';
import { lockNavigation, secureWebPreferences } from './security';

export interface WindowPaths {
  preload: string;
  rendererIndex: string;
}

export function rendererUrlPrefix(paths: WindowPaths): string {
  return pathToFileURL(join(paths.rendererIndex, '..')).href;
}

// Electronegativity cannot follow the options variable into secureWebPreferences, where contextIsolation, sandbox
// and Auxclick are set; test/unit/electron/{shell-security,electronegativity}.test.ts check them instead.
/** The one app window, with taskbar progress and a notification when a job reaches an end state. */
export function createMainWindow(app: AppContext, paths: WindowPaths): BrowserWindow {
  const options: BrowserWindowConstructorOptions = {
    width: 1280,
    height: 840,
    minWidth: 960,
    minHeight: 640,
    show: false,
    title: 'Image Sealer',
    backgroundColor: '#161616',
    webPreferences: secureWebPreferences(paths.preload),
  };
  const window = new BrowserWindow(options); // eng-disable CONTEXT_ISOLATION_JS_CHECK SANDBOX_JS_CHECK AUXCLICK_JS_CHECK
  lockNavigation(window.webContents);
  window.once('ready-to-show', () => window.show());
  const stopForwarding = forwardEvents(app, window.webContents);
  const stopTaskbar = showProgressOnTaskbar(app, window);
  window.on('closed', () => {
    stopForwarding();
    stopTaskbar();
  });
  void window.loadFile(paths.rendererIndex);
  return window;
}

function showProgressOnTaskbar(app: AppContext, window: BrowserWindow): () => void {
  return app.events.on((event) => {
    if (window.isDestroyed()) return;
    if (event.type === 'progress') {
      const { bytesDone, bytesTotal } = event.progress;
      window.setProgressBar(bytesTotal > 0 ? Math.min(1, bytesDone / bytesTotal) : 2);
    } else if (event.type === 'job-updated') {
      window.setProgressBar(-1);
      if (['sealed', 'imported', 'provisioned', 'failed'].includes(event.state) && Notification.isSupported()) {
        new Notification({ title: 'Image Sealer', body: `Job ${event.jobId}: ${event.state}` }).show();
      }
    }
  });
}

export type { WebContents };
