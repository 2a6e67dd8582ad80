import type { Command } from 'commander';
import { createAppContext, type AppContext } from '../app/context';
import { AppError, toErrorShape } from '../common/errors';
import { CliOutput } from './output';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export interface GlobalOptions {
  dataDir?: string;
  json?: boolean;
}

/** What every command gets: the app context (built on first use) and the output channel. */
export class CliRuntime {
  private appContext: Promise<AppContext> | null = null;
  private cleanups: Array<() => Promise<void> | void> = [];
  output: CliOutput = new CliOutput(false);

  constructor(private readonly program: Command) {}

  globals(): GlobalOptions {
    return this.program.opts<GlobalOptions>();
  }

  app(): Promise<AppContext> {
    this.appContext ??= createAppContext({ dataDir: this.globals().dataDir, host: 'cli' });
    return this.appContext;
  }

  /** Work to do before the process exits (stop servers the command started, release locks). */
  onExit(cleanup: () => Promise<void> | void): void {
    this.cleanups.push(cleanup);
  }

  async cleanup(): Promise<void> {
    const cleanups = this.cleanups.reverse();
    this.cleanups = [];
    for (const cleanup of cleanups) {
      try {
        await cleanup();
      } catch {
        // Cleanup is best effort: the command's own result has already been printed.
      }
    }
  }

  /**
   * Wraps a command's action: sets up output, turns errors into a clear message (or a JSON error line) and
   * an exit code, and aborts the work on Ctrl-C so nothing half-written is left behind.
   */
  action<A extends unknown[]>(run: (context: ActionContext, ...args: A) => Promise<void>): (...args: A) => Promise<void> {
    return async (...args: A) => {
      this.output = new CliOutput(Boolean(this.globals().json));
      const controller = new AbortController();
      const onSignal = (signal: NodeJS.Signals) => {
        if (controller.signal.aborted) process.exit(130);
        controller.abort(new AppError('INTERRUPTED', `Interrupted by ${signal}; the job can be resumed.`));
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      try {
        await run({ runtime: this, output: this.output, signal: controller.signal }, ...args);
        process.exitCode ??= EXIT_OK;
      } catch (error) {
        this.output.error(toErrorShape(error));
        process.exitCode = error instanceof AppError && error.code === 'USAGE' ? EXIT_USAGE : EXIT_FAILURE;
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        await this.cleanup();
      }
    };
  }
}

export interface ActionContext {
  runtime: CliRuntime;
  output: CliOutput;
  signal: AbortSignal;
}

export function usageError(message: string): AppError {
  return new AppError('USAGE', message);
}

/** Parses a positive integer option, or throws a usage error naming the option. */
export function parsePositiveInt(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) throw usageError(`${name} must be a positive whole number, not "${value}".`);
  return parsed;
}

export function parsePositiveNumber(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw usageError(`${name} must be a positive number, not "${value}".`);
  return parsed;
}
