import type { Command } from 'commander';
import { listProvisionChoices, setProvisionChoices } from '../../cloud/cloud-service';
import { describeJob, jobResultFields } from '../job-summary';
import { formatTable } from '../output';
import { runJobWithProgress } from '../run-job';
import { parsePositiveInt, type CliRuntime } from '../runtime';

interface ProvisionFlags {
  name?: string;
  instanceProfile?: string;
  zone?: string;
  vpc?: string;
  subnet?: string;
  key?: string[];
  hostname?: string;
  domain?: string;
  cpus?: string;
  memory?: string;
  datacenter?: string;
  monthly?: boolean;
  choices?: boolean;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function registerProvisionCommand(program: Command, cli: CliRuntime): void {
  program
    .command('provision')
    .argument('<job>', 'job id (imported)')
    .option('--choices', 'only list what can be chosen (instance profiles, zones, VPCs, subnets, keys)')
    .option('--name <name>', 'VPC: instance name')
    .option('--instance-profile <name>', 'VPC: instance profile, e.g. bx2-2x8')
    .option('--zone <zone>', 'VPC: zone, e.g. us-south-1')
    .option('--vpc <id>', 'VPC: VPC id')
    .option('--subnet <id>', 'VPC: subnet id (in the zone and VPC)')
    .option('--key <id>', 'VPC: SSH key id (repeat for several)', collect)
    .option('--hostname <name>', 'classic: host name')
    .option('--domain <domain>', 'classic: domain')
    .option('--cpus <n>', 'classic: number of CPUs (default 1)')
    .option('--memory <MiB>', 'classic: memory in MiB (default 2048)')
    .option('--datacenter <name>', 'classic: datacenter, e.g. dal10')
    .option('--monthly', 'classic: monthly instead of hourly billing')
    .description('order a virtual server from an imported job\u2019s image and follow it until it runs')
    .action(
      cli.action(async ({ runtime, output, signal }, jobId: string, flags: ProvisionFlags) => {
        const app = await runtime.app();
        if (flags.choices) {
          const choices = await listProvisionChoices(app, jobId, signal);
          const rows: string[][] = [
            ...choices.instanceProfiles.map((entry) => ['instance profile', entry.name, entry.label]),
            ...choices.zones.map((zone) => ['zone', zone, '']),
            ...choices.vpcs.map((entry) => ['vpc', entry.id, entry.name]),
            ...choices.subnets.map((entry) => ['subnet', entry.id, `${entry.name} (${entry.zone ?? '?'})`]),
            ...choices.keys.map((entry) => ['key', entry.id, entry.name]),
            ...choices.datacenters.map((name) => ['datacenter', name, '']),
          ];
          output.result({ jobId, ...choices }, formatTable(['KIND', 'VALUE', 'DESCRIPTION'], rows));
          return;
        }
        await setProvisionChoices(app, jobId, {
          name: flags.name,
          instanceProfile: flags.instanceProfile,
          zone: flags.zone,
          vpcId: flags.vpc,
          subnetId: flags.subnet,
          keyIds: flags.key,
          hostname: flags.hostname,
          domain: flags.domain,
          cpus: parsePositiveInt('--cpus', flags.cpus),
          memoryMiB: parsePositiveInt('--memory', flags.memory),
          datacenter: flags.datacenter,
          hourly: flags.monthly ? false : undefined,
        });
        const finished = await runJobWithProgress(app, jobId, output, signal, 'provision');
        const record = finished.provision;
        output.result(
          { ...jobResultFields(finished), instanceName: record?.name ?? null, details: record?.details ?? null },
          `${describeJob(finished)}${record?.status === 'running' ? `\nServer ${record.name ?? record.instanceId} is running${record.details?.primaryIp ? ` at ${String(record.details.primaryIp)}` : ''}.` : ''}`,
        );
      }),
    );
}
