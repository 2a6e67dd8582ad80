import { Command, CommanderError } from 'commander';
import { COMMAND_GROUPS } from './commands';
import { CliRuntime, EXIT_USAGE } from './runtime';

export function buildProgram(): { program: Command; runtime: CliRuntime } {
  const program = new Command();
  const runtime = new CliRuntime(program);
  program
    .name('image-sealer')
    .description('Seal a disk image with your own key, wrap the key with Key Protect, upload it to COS and import it into IBM Cloud.')
    .option('--data-dir <dir>', 'where jobs, the audit log and settings live (default: the app-data folder, or IMAGE_SEALER_HOME)')
    .option('--json', 'print JSON lines (progress, then one result or error line) instead of text')
    .showHelpAfterError()
    .exitOverride();
  for (const register of COMMAND_GROUPS) register(program, runtime);
  return { program, runtime };
}

export async function main(argv: string[]): Promise<void> {
  const { program } = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are not errors; everything else commander reports is a usage error.
      process.exitCode = error.exitCode === 0 ? 0 : EXIT_USAGE;
      if (argv.includes('--json') && error.exitCode !== 0) {
        process.stdout.write(`${JSON.stringify({ event: 'error', code: 'USAGE', message: error.message })}\n`);
      }
      return;
    }
    throw error;
  }
}
