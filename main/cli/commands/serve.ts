import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { acquireInstanceLock } from '../../app/instance-lock';
import { AppError } from '../../common/errors';
import { rendererBuildDir } from '../../common/app-root';
import { startWebHost } from '../../web-host/web-host';
import type { CliRuntime } from '../runtime';
import { parsePositiveInt } from '../runtime';

export function registerServeCommand(program: Command, cli: CliRuntime): void {
  program
    .command('serve')
    .description('serve the app in a browser from 127.0.0.1 (for a workstation without a desktop session)')
    .option('--port <port>', 'port on 127.0.0.1 (default: a free one)')
    .option('--renderer <dir>', 'built renderer folder', rendererBuildDir())
    .action(
      cli.action(async ({ runtime, output, signal }, options: { port?: string; renderer: string }) => {
        if (!existsSync(join(options.renderer, 'index.html'))) {
          throw new AppError('RENDERER_NOT_BUILT', `The user interface is not built (${options.renderer}).`, {
            hint: 'Run "npm run build" first, or use "npm start", which builds it.',
          });
        }
        const app = await runtime.app();
        app.host = 'web';
        const lock = await acquireInstanceLock(app);
        runtime.onExit(() => lock.release());
        const host = await startWebHost({ app, rendererDir: options.renderer, port: parsePositiveInt('--port', options.port) });
        output.result(
          { url: host.url, launchUrl: host.launchUrl, port: host.port, dataDir: app.dataDir },
          `Image Sealer is serving on ${host.launchUrl}\nOpen that address in a browser on this machine. Data folder: ${app.dataDir}\nPress Ctrl-C to stop.`,
        );
        await new Promise<void>((resolve) => {
          if (signal.aborted) resolve();
          signal.addEventListener('abort', () => resolve(), { once: true });
        });
        await host.close();
        output.info('Stopped.');
      }),
    );
}
