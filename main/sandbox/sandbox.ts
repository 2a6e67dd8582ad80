import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../common/atomic-file';
import { AppError } from '../common/errors';
import { loadSandboxIdentity, sandboxDir, type SandboxIdentity } from './identity';
import {
  SANDBOX_SERVICES,
  tokenVerifier,
  type SandboxService,
  type SandboxServiceName,
  type StartedSandboxService,
} from './services';

/**
 * The sandbox: local stand-ins for IAM, Key Protect, COS and the import APIs, started together. Either in the
 * foreground by `image-sealer sandbox` (which records its endpoints in `<dataDir>/sandbox/endpoints.json` for
 * other processes), or inside a process that needs it when none is running (see `ensureSandbox`).
 */
export const SandboxEndpointsSchema = z.object({
  iam: z.string(),
  kms: z.string(),
  cos: z.string().optional(),
  vpc: z.string().optional(),
  softlayer: z.string().optional(),
  region: z.string(),
  apiKey: z.string(),
  kmsInstanceId: z.string(),
  bucket: z.string(),
  cosAccessKeyId: z.string(),
  cosSecretAccessKey: z.string(),
});
export type SandboxEndpoints = z.infer<typeof SandboxEndpointsSchema>;

const EndpointsFileSchema = SandboxEndpointsSchema.extend({ pid: z.number().int(), startedAt: z.string() });

export interface RunningSandbox {
  endpoints: SandboxEndpoints;
  identity: SandboxIdentity;
  stop(): Promise<void>;
}

export interface StartSandboxOptions {
  dataDir: string;
  /** serve only this process: servers do not keep it alive */
  inProcess?: boolean;
  services?: SandboxService[];
}

export async function startSandbox(options: StartSandboxOptions): Promise<RunningSandbox> {
  const identity = await loadSandboxIdentity(options.dataDir);
  const urls: Partial<Record<SandboxServiceName, string>> = {};
  const started: StartedSandboxService[] = [];
  const stopAll = async () => {
    for (const service of started.reverse()) await service.stop().catch(() => undefined);
    started.length = 0;
  };
  try {
    for (const service of options.services ?? SANDBOX_SERVICES) {
      const running = await service.start({
        dataDir: options.dataDir,
        sandboxDir: sandboxDir(options.dataDir),
        identity,
        urls: { ...urls },
        verifyToken: tokenVerifier(identity),
        inProcess: options.inProcess ?? false,
      });
      started.push(running);
      urls[service.name] = running.url;
    }
  } catch (error) {
    await stopAll();
    throw new AppError('SANDBOX_START_FAILED', `The sandbox could not start: ${(error as Error).message}`, {
      hint: 'Check that the data directory is writable.',
      cause: error,
    });
  }
  const endpoints: SandboxEndpoints = {
    iam: urls.iam ?? '',
    kms: urls.kms ?? '',
    ...(urls.cos ? { cos: urls.cos } : {}),
    ...(urls.vpc ? { vpc: urls.vpc } : {}),
    ...(urls.softlayer ? { softlayer: urls.softlayer } : {}),
    region: identity.region,
    apiKey: identity.apiKey,
    kmsInstanceId: identity.kmsInstanceId,
    bucket: identity.bucket,
    cosAccessKeyId: identity.cosAccessKeyId,
    cosSecretAccessKey: identity.cosSecretAccessKey,
  };
  return { endpoints, identity, stop: stopAll };
}

export function endpointsFile(dataDir: string): string {
  return join(sandboxDir(dataDir), 'endpoints.json');
}

export async function writeEndpointsFile(dataDir: string, endpoints: SandboxEndpoints): Promise<void> {
  const record = { ...endpoints, pid: process.pid, startedAt: new Date().toISOString() };
  await writeFileAtomic(endpointsFile(dataDir), `${JSON.stringify(record, null, 2)}\n`);
}

/** Removes the endpoints file if this process wrote it. */
export async function removeEndpointsFile(dataDir: string): Promise<void> {
  try {
    const record = EndpointsFileSchema.parse(JSON.parse(await readFile(endpointsFile(dataDir), 'utf8')));
    if (record.pid !== process.pid) return;
  } catch {
    return;
  }
  await rm(endpointsFile(dataDir), { force: true });
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The endpoints of a sandbox another process runs for this data directory, or null. */
export async function readRunningSandbox(dataDir: string): Promise<SandboxEndpoints | null> {
  let text: string;
  try {
    text = await readFile(endpointsFile(dataDir), 'utf8');
  } catch {
    return null;
  }
  const parsed = EndpointsFileSchema.safeParse(JSON.parse(text));
  if (!parsed.success || !processAlive(parsed.data.pid)) return null;
  const { pid: _pid, startedAt: _startedAt, ...endpoints } = parsed.data;
  return endpoints;
}

const inProcess = new Map<string, Promise<RunningSandbox>>();

/**
 * The sandbox for a data directory: the one `image-sealer sandbox` runs, else one started in this process
 * (once per data directory) and stopped when the process ends.
 */
export async function ensureSandbox(dataDir: string): Promise<SandboxEndpoints> {
  const external = await readRunningSandbox(dataDir);
  if (external) return external;
  let running = inProcess.get(dataDir);
  if (!running) {
    running = startSandbox({ dataDir, inProcess: true });
    inProcess.set(dataDir, running);
    running.catch(() => inProcess.delete(dataDir));
    if (inProcess.size === 1) process.once('beforeExit', () => void stopInProcessSandboxes());
  }
  return (await running).endpoints;
}

/** Stops the sandboxes this process started for itself (tests, orderly shutdown). */
export async function stopInProcessSandboxes(): Promise<void> {
  const all = [...inProcess.values()];
  inProcess.clear();
  for (const running of all) {
    await running.then((sandbox) => sandbox.stop()).catch(() => undefined);
  }
}
