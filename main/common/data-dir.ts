import { homedir } from 'node:os';
import { join } from 'node:path';

export const APP_DIR_NAME = 'image-sealer';

/**
 * Where jobs, the audit log, settings and the sandbox's state live. `--data-dir` wins, then
 * IMAGE_SEALER_HOME, then the platform's app-data folder (the same one Electron's `userData` uses).
 */
export function resolveDataDir(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (explicit) return explicit;
  if (env.IMAGE_SEALER_HOME) return env.IMAGE_SEALER_HOME;
  return join(platformAppDataDir(env), APP_DIR_NAME);
}

function platformAppDataDir(env: NodeJS.ProcessEnv): string {
  switch (process.platform) {
    case 'win32':
      return env.APPDATA ?? join(homedir(), 'AppData', 'Roaming');
    case 'darwin':
      return join(homedir(), 'Library', 'Application Support');
    default:
      return env.XDG_CONFIG_HOME ?? join(homedir(), '.config');
  }
}

/** The fixed layout inside the data directory, in one place. */
export function dataPaths(dataDir: string) {
  return {
    root: dataDir,
    jobs: join(dataDir, 'jobs'),
    audit: join(dataDir, 'audit.log'),
    settings: join(dataDir, 'settings.json'),
    sandbox: join(dataDir, 'sandbox'),
    sandboxEndpoints: join(dataDir, 'sandbox', 'endpoints.json'),
    images: join(dataDir, 'images'),
    uploads: join(dataDir, 'uploads'),
    lock: join(dataDir, 'instance.lock'),
    tmp: join(dataDir, 'tmp'),
  };
}

export type DataPaths = ReturnType<typeof dataPaths>;
