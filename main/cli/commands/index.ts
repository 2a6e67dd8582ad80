import type { Command } from 'commander';
import type { CliRuntime } from '../runtime';
import { registerAuditCommands } from './audit';
import { registerCredentialCommands } from './credentials';
import { registerKeyCommands } from './keys';
import { registerProfileCommands } from './profiles';
import { registerSandboxCommand } from './sandbox';
import { registerWrapCommand } from './wrap';
import { registerJobCommands } from './jobs';
import { registerRunCommand } from './run';
import { registerSealCommands } from './seal';
import { registerServeCommand } from './serve';
import { registerUploadCommand } from './upload';
import { registerUploadsCommands } from './uploads';
import { registerImportCommands } from './import';
import { registerProvisionCommand } from './provision';

/** Every command group, registered in the order `--help` lists them. Each engineer adds one line. */
export const COMMAND_GROUPS: Array<(program: Command, cli: CliRuntime) => void> = [
  registerRunCommand,
  registerSealCommands,
  registerWrapCommand,
  registerUploadCommand,
  registerUploadsCommands,
  registerImportCommands,
  registerProvisionCommand,
  registerJobCommands,
  registerAuditCommands,
  registerServeCommand,
  registerProfileCommands,
  registerCredentialCommands,
  registerKeyCommands,
  registerSandboxCommand,
];
