import type { Command } from 'commander';
import { listOperatingSystems, setImportChoices, type ImportKind } from '../../cloud/cloud-service';
import { describeStatusReason } from '../../cloud/status-reasons';
import { profileStore } from '../../profiles/resolve';
import { describeJob, jobResultFields } from '../job-summary';
import { formatTable } from '../output';
import { runJobWithProgress } from '../run-job';
import { usageError, type CliRuntime } from '../runtime';

interface ImportFlags {
  os?: string;
  name?: string;
}

interface OsListFlags {
  profile?: string;
  kind: string;
}

function parseKind(value: string): ImportKind {
  if (value === 'vpc' || value === 'classic') return value;
  if (value === 'classic-vhd' || value === 'classic-luks') return 'classic';
  throw usageError(`--kind must be vpc or classic, not "${value}".`);
}

export function registerImportCommands(program: Command, cli: CliRuntime): void {
  program
    .command('import')
    .argument('<job>', 'job id (uploaded)')
    .option(
      '--os <name>',
      'operating system: a VPC name (e.g. ubuntu-22-04-amd64) or a classic reference code (e.g. UBUNTU_22_64)',
    )
    .option('--name <name>', 'name of the image (VPC: lower-case letters, digits, hyphens; starts with a letter)')
    .description(
      'create the VPC custom image or classic image template from an uploaded job and follow it until it is usable',
    )
    .action(
      cli.action(async ({ runtime, output, signal }, jobId: string, flags: ImportFlags) => {
        const app = await runtime.app();
        await setImportChoices(app, jobId, { os: flags.os, name: flags.name });
        const finished = await runJobWithProgress(app, jobId, output, signal, 'import');
        const record = finished.import;
        output.result(
          {
            ...jobResultFields(finished),
            imageName: record?.imageName ?? null,
            operatingSystem: record?.operatingSystem ?? null,
            statusReasons: record?.statusReasons ?? [],
          },
          record?.status === 'available'
            ? `${describeJob(finished)}\nImage ${record.imageName ?? record.imageId} is available.`
            : `${describeJob(finished)}${(record?.statusReasons ?? []).map((reason) => `\n${describeStatusReason(reason).meaning}`).join('')}`,
        );
      }),
    );

  const os = program.command('os').description('operating systems an imported image can declare');
  os.command('list')
    .option('--profile <name>', 'account profile (default: the default profile)')
    .option('--kind <kind>', 'vpc or classic (or a target name)', 'vpc')
    .description('list the operating systems of the VPC (names) or classic infrastructure (reference codes)')
    .action(
      cli.action(async ({ runtime, output, signal }, flags: OsListFlags) => {
        const app = await runtime.app();
        const kind = parseKind(flags.kind);
        const profile = flags.profile ?? (await profileStore(app).defaultName());
        const systems = await listOperatingSystems(app, profile, kind, signal);
        output.result(
          { profile, kind, operatingSystems: systems },
          formatTable(
            ['NAME', 'DESCRIPTION'],
            systems.map((entry) => [entry.name, entry.displayName]),
          ),
        );
      }),
    );
}
