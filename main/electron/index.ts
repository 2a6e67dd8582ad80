import { app, ipcMain, session, dialog } from 'electron';
import { join } from 'node:path';
import { createAppContext } from '../app/context';
import { acquireInstanceLock } from '../app/instance-lock';
import { resolveDataDir } from '../common/data-dir';
import { toErrorShape } from '../common/errors';
import { registerIpc } from './ipc';
import { denyAllPermissions, lockNavigation } from './security';
import { createMainWindow, rendererUrlPrefix, type WindowPaths } from './window';

// Every renderer is sandboxed, even ones a bug might create.
app.enableSandbox();

const paths: WindowPaths = {
  preload: join(import.meta.dirname, '..', 'preload', 'index.cjs'),
  rendererIndex: join(import.meta.dirname, '..', 'renderer', 'index.html'),
};

async function start(): Promise<void> {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  await app.whenReady();
  const context = await createAppContext({
    dataDir: resolveDataDir(process.env.IMAGE_SEALER_HOME ? undefined : app.getPath('userData')),
    host: 'electron',
  });
  const lock = await acquireInstanceLock(context);
  app.on('will-quit', () => void lock.release());
  denyAllPermissions(session.defaultSession);
  app.on('web-contents-created', (_event, contents) => lockNavigation(contents));
  registerIpc(ipcMain, context, rendererUrlPrefix(paths));
  let window = createMainWindow(context, paths);
  app.on('second-instance', () => {
    if (window.isMinimized()) window.restore();
    window.focus();
  });
  app.on('activate', () => {
    if (window.isDestroyed()) window = createMainWindow(context, paths);
  });
  app.on('window-all-closed', () => app.quit());
}

start().catch((error: unknown) => {
  const shape = toErrorShape(error);
  dialog.showErrorBox('Image Sealer could not start', `${shape.message}${shape.hint ? `\n\n${shape.hint}` : ''}`);
  app.exit(1);
});
