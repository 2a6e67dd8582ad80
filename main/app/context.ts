import { mkdir } from 'node:fs/promises';
import { AuditLog } from '../audit/audit-log';
import { dataPaths, resolveDataDir, type DataPaths } from '../common/data-dir';
import { EventBus } from '../common/events';
import { JobStore } from '../jobs/job-store';

/**
 * The services every entry point (Electron, web host, CLI, tests) shares, assembled in one place.
 * Domain services that need configuration or credentials are built from this on demand.
 */
export interface AppContext {
  dataDir: string;
  paths: DataPaths;
  jobs: JobStore;
  audit: AuditLog;
  events: EventBus;
  /** where the app runs: decides e.g. whether progress goes to a taskbar */
  host: 'electron' | 'web' | 'cli' | 'test';
}

export interface AppContextOptions {
  dataDir?: string;
  host?: AppContext['host'];
}

export async function createAppContext(options: AppContextOptions = {}): Promise<AppContext> {
  const dataDir = resolveDataDir(options.dataDir);
  const paths = dataPaths(dataDir);
  await mkdir(paths.jobs, { recursive: true, mode: 0o700 });
  return {
    dataDir,
    paths,
    jobs: new JobStore(paths.jobs),
    audit: new AuditLog(paths.audit),
    events: new EventBus(),
    host: options.host ?? 'cli',
  };
}
