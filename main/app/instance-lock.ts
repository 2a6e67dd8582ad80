import type { AppContext } from './context';
import { AppError } from '../common/errors';
import { lockOwner, tryLock, type FileLock } from '../common/file-lock';

/**
 * One app instance (desktop window or web host) per data folder: two would race on the same jobs and uploads.
 * The CLI's one-off commands do not take this lock; each job has its own lock instead.
 */
export async function acquireInstanceLock(app: AppContext): Promise<FileLock> {
  const lock = await tryLock(app.paths.lock);
  if (lock) return lock;
  const owner = await lockOwner(app.paths.lock);
  throw new AppError(
    'DATA_DIR_IN_USE',
    `Another Image Sealer is already running on the data folder ${app.dataDir}${owner ? ` (pid ${owner})` : ''}.`,
    { hint: 'Use that window, stop it first, or start this one with another --data-dir.' },
  );
}
