import type { Command } from 'commander';
import { AppError } from '../../common/errors';
import { readRunningSandbox, removeEndpointsFile, startSandbox, writeEndpointsFile } from '../../sandbox/sandbox';
import type { CliRuntime } from '../runtime';

/**
 * `image-sealer sandbox`: runs every sandbox service in the foreground until Ctrl-C / SIGTERM. Once ready it
 * prints exactly one JSON line on stdout (scripts rely on its names) and records the endpoints in
 * `<dataDir>/sandbox/endpoints.json`, so other commands on the same data directory use this sandbox.
 */
export function registerSandboxCommand(program: Command, cli: CliRuntime): void {
  program
    .command('sandbox')
    .description('run the local stand-ins for IAM, Key Protect, COS and the import APIs in the foreground')
    .action(
      cli.action(async ({ runtime, signal }) => {
        const app = await runtime.app();
        const running = await readRunningSandbox(app.dataDir);
        if (running) {
          throw new AppError('SANDBOX_ALREADY_RUNNING', `A sandbox already runs for the data folder ${app.dataDir} (IAM ${running.iam}, Key Protect ${running.kms}).`, {
            hint: 'Use that one (commands with the same --data-dir find it), or stop it first.',
          });
        }
        const sandbox = await startSandbox({ dataDir: app.dataDir });
        runtime.onExit(async () => {
          await removeEndpointsFile(app.dataDir);
          await sandbox.stop();
        });
        await writeEndpointsFile(app.dataDir, sandbox.endpoints);
        process.stdout.write(`${JSON.stringify(sandbox.endpoints)}\n`);
        if (!runtime.globals().json) {
          process.stderr.write(
            `Sandbox running for data folder ${app.dataDir} (profile "sandbox"). Nothing here is a real secret.\nPress Ctrl-C to stop.\n`,
          );
        }
        await new Promise<void>((resolve) => {
          if (signal.aborted) resolve();
          signal.addEventListener('abort', () => resolve(), { once: true });
        });
        if (!runtime.globals().json) process.stderr.write('Sandbox stopped.\n');
      }),
    );
}
