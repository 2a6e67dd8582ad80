import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export const REPO_ROOT = join(import.meta.dirname, '..', '..');
export const CLI = join(REPO_ROOT, 'bin', 'image-sealer.js');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON lines (non-JSON lines are skipped) */
  lines: Array<Record<string, unknown>>;
  result: Record<string, unknown> | undefined;
  error: Record<string, unknown> | undefined;
}

export function parseJsonLines(text: string): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      out.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // not a JSON line
    }
  }
  return out;
}

/** Runs the CLI as a separate process, the way scripts and people do. */
export function runCli(args: string[], options: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const lines = parseJsonLines(stdout);
      resolve({
        code,
        stdout,
        stderr,
        lines,
        result: lines.find((line) => line.event === 'result'),
        error: lines.find((line) => line.event === 'error'),
      });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** Starts a long-running CLI command and resolves once it printed its first JSON result line. */
export function startCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ child: ChildProcess; first: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let buffer = '';
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const line = parseJsonLines(buffer).find((value) => value.event === 'result' || value.event === 'error');
      if (line) resolve({ child, first: line });
    });
    child.on('exit', (code) => reject(new Error(`CLI exited (${code}) before answering: ${stderr || buffer}`)));
  });
}
