import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAppContext, type AppContext } from '../../main/app/context';
import { startIamServer } from '../../main/sandbox/iam-server';
import { SANDBOX_SERVICES } from '../../main/sandbox/services';
import {
  startSandbox,
  writeEndpointsFile,
  type RunningSandbox,
  type SandboxEndpoints,
} from '../../main/sandbox/sandbox';
import { CLI, parseJsonLines, REPO_ROOT, runCli, type CliRun } from './cli';
import { startFaultProxy, type FaultProxy } from './fault-proxy';
import { startHttpFaultProxy, type HttpFaultProxy } from './hardening-http-proxy';

export const MIB = 1024 * 1024;

/**
 * The cloud a hardening test talks to: the sandbox services running in the test process (so a kill -9 of the
 * CLI does not take "the cloud" down with it, as in real life), with fault proxies in front of Key Protect and
 * COS. The CLI finds them through `<dataDir>/sandbox/endpoints.json`, the file `image-sealer sandbox` writes,
 * recorded with this process's pid.
 */
export interface HardeningRig {
  dir: string;
  dataDir: string;
  /** the data directory seen from the test process: job records and the audit log, read independently */
  app: AppContext;
  sandbox: RunningSandbox;
  /** what the CLI is told (proxies in place of Key Protect and COS) */
  endpoints: SandboxEndpoints;
  iamProxy: HttpFaultProxy;
  kmsProxy: HttpFaultProxy;
  cosProxy: FaultProxy;
  /** runs the CLI on this data directory with --json */
  cli(args: string[], options?: { timeoutMs?: number; env?: NodeJS.ProcessEnv }): Promise<CliRun>;
  close(): Promise<void>;
}

export interface RigOptions {
  /** lifetime of the tokens the sandbox IAM issues (default one hour) */
  iamTokenTtlSeconds?: number;
}

export async function startHardeningRig(options: RigOptions = {}): Promise<HardeningRig> {
  const dir = await mkdtemp(join(tmpdir(), 'hardening-'));
  const dataDir = join(dir, 'data');
  const services = SANDBOX_SERVICES.map((service) =>
    service.name === 'iam' && options.iamTokenTtlSeconds !== undefined
      ? {
          name: service.name,
          start: (context: Parameters<typeof service.start>[0]) =>
            startIamServer({
              apiKey: context.identity.apiKey,
              accountId: context.identity.accountId,
              tokenSigningKey: context.identity.tokenSigningKey,
              tokenTtlSeconds: options.iamTokenTtlSeconds,
              unref: true,
            }),
        }
      : service,
  );
  const sandbox = await startSandbox({ dataDir, inProcess: true, services });
  const iamProxy = await startHttpFaultProxy(sandbox.endpoints.iam);
  const kmsProxy = await startHttpFaultProxy(sandbox.endpoints.kms);
  const cosProxy = await startFaultProxy(sandbox.endpoints.cos!);
  const endpoints: SandboxEndpoints = { ...sandbox.endpoints, iam: iamProxy.url, kms: kmsProxy.url, cos: cosProxy.url };
  await writeEndpointsFile(dataDir, endpoints);
  const app = await createAppContext({ dataDir, host: 'test' });
  return {
    dir,
    dataDir,
    app,
    sandbox,
    endpoints,
    iamProxy,
    kmsProxy,
    cosProxy,
    cli: (args, runOptions = {}) =>
      runCli([...args, '--data-dir', dataDir, '--json'], {
        timeoutMs: runOptions.timeoutMs ?? 240_000,
        env: runOptions.env,
      }),
    close: async () => {
      await iamProxy.close();
      await kmsProxy.close();
      await cosProxy.close();
      await sandbox.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A raw disk image: `randomMiB` of random data at the start, zeros after (a sparse tail), `sizeMiB` in all. */
export async function makeSourceImage(dir: string, name: string, sizeMiB: number, randomMiB: number): Promise<string> {
  const path = join(dir, name);
  const content = Buffer.alloc(sizeMiB * MIB);
  randomBytes(randomMiB * MIB).copy(content, 0);
  await writeFile(path, content);
  return path;
}

export interface KilledRun {
  /** true when the test killed the process (it had not finished by itself) */
  killed: boolean;
  code: number | null;
  signal: NodeJS.Signals | null;
  lines: Array<Record<string, unknown>>;
  stdout: string;
  stderr: string;
}

/**
 * Runs the CLI (with --json) and kill -9s it as soon as a printed line satisfies `when`. Resolves when the
 * process is gone. A process that finishes before the condition is met is reported with `killed: false`.
 */
export function runCliAndKill(
  args: string[],
  when: (line: Record<string, unknown>) => boolean,
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<KilledRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args, '--json'], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let killed = false;
    let seen = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (killed) return;
      const complete = stdout.slice(0, stdout.lastIndexOf('\n') + 1);
      const lines = parseJsonLines(complete);
      for (const line of lines.slice(seen)) {
        if (when(line)) {
          killed = true;
          child.kill('SIGKILL');
          break;
        }
      }
      seen = lines.length;
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 240_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ killed, code, signal, lines: parseJsonLines(stdout), stdout, stderr });
    });
  });
}

/** The ids of the image records the sandbox VPC / SoftLayer services hold for a data directory. */
export async function sandboxImageRecords(dataDir: string): Promise<string[]> {
  const found: string[] = [];
  for (const folder of [
    join(dataDir, 'sandbox', 'vpc', 'images'),
    join(dataDir, 'sandbox', 'softlayer', 'templates'),
  ]) {
    try {
      for (const name of await readdir(folder)) found.push(join(folder, name));
    } catch {
      // service never used
    }
  }
  return found;
}

export async function readJobRecord(dataDir: string, jobId: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(join(dataDir, 'jobs', `${jobId}.json`), 'utf8')) as Record<string, unknown>;
}

export interface WatchedCli {
  pid: number;
  /** resolves with the first printed JSON line that satisfies `predicate` (rejects if the process ends first) */
  waitFor(predicate: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  /** true once a line satisfying `predicate` was printed */
  saw(predicate: (line: Record<string, unknown>) => boolean): boolean;
  done: Promise<CliRun>;
  kill(signal: NodeJS.Signals): void;
}

/** Starts the CLI and follows its JSON lines while it runs (arguments as given: add --json yourself). */
export function watchCli(args: string[], env: NodeJS.ProcessEnv = {}): WatchedCli {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let lines: Array<Record<string, unknown>> = [];
  let ended = false;
  const waiters: Array<{
    predicate: (line: Record<string, unknown>) => boolean;
    resolve: (line: Record<string, unknown>) => void;
    reject: (error: Error) => void;
  }> = [];
  const settle = () => {
    for (const waiter of [...waiters]) {
      const line = lines.find(waiter.predicate);
      if (line) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      } else if (ended) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.reject(new Error(`CLI ${args.join(' ')} ended without the awaited line:\n${stdout}\n${stderr}`));
      }
    }
  };
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    lines = parseJsonLines(stdout.slice(0, stdout.lastIndexOf('\n') + 1));
    settle();
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<CliRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      ended = true;
      lines = parseJsonLines(stdout);
      settle();
      resolve({
        code,
        stdout,
        stderr,
        lines,
        result: lines.find((line) => line.event === 'result'),
        error: lines.find((line) => line.event === 'error'),
      });
    });
  });
  return {
    pid: child.pid ?? -1,
    waitFor: (predicate) =>
      new Promise((resolve, reject) => {
        waiters.push({ predicate, resolve, reject });
        settle();
      }),
    saw: (predicate) => lines.some(predicate),
    done,
    kill: (signal) => child.kill(signal),
  };
}
