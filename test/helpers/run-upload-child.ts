import { spawn } from 'node:child_process';
import { join } from 'node:path';

export interface ChildRun {
  /** resolves with the child's exit code / signal and its JSON lines */
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; lines: Record<string, unknown>[] }>;
  kill(): void;
}

/**
 * Runs test/helpers/upload-child.ts in its own process; `killAtFraction` sends SIGKILL once the reported
 * progress reaches that share of the file.
 */
export function runUploadChild(args: Record<string, unknown>, killAtFraction?: number): ChildRun {
  const child = spawn(process.execPath, ['bin/run-ts.js', 'test/helpers/upload-child.ts', JSON.stringify(args)], {
    cwd: join(import.meta.dirname, '../..'),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  let buffered = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    let newline;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const line = JSON.parse(buffered.slice(0, newline)) as Record<string, unknown>;
      buffered = buffered.slice(newline + 1);
      lines.push(line);
      if (
        killAtFraction !== undefined &&
        line.type === 'progress' &&
        (line.bytesDone as number) >= killAtFraction * (line.bytesTotal as number)
      ) {
        child.kill('SIGKILL');
      }
    }
  });
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; lines: Record<string, unknown>[] }>(
    (resolve) =>
      child.on('exit', (code, signal) => {
        if (code !== 0 && signal === null && stderr) process.stderr.write(stderr);
        resolve({ code, signal, lines });
      }),
  );
  return { done, kill: () => child.kill('SIGKILL') };
}
