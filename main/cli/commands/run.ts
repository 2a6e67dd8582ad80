import type { Command } from 'commander';
import { createJob } from '../../jobs/job-service';
import type { JobOptions } from '../../jobs/job';
import { describeJob, jobResultFields } from '../job-summary';
import { runJobWithProgress } from '../run-job';
import type { CliRuntime } from '../runtime';
import { parsePositiveInt, parsePositiveNumber } from '../runtime';
import { addSealOptions, sealOptionsFromFlags, type SealFlags } from '../seal-options';

interface RunFlags extends SealFlags {
  profile?: string;
  name?: string;
  os?: string;
  provision?: boolean;
  key?: string;
  bucket?: string;
  object?: string;
  concurrency?: string;
  partSize?: string;
  limitRate?: string;
}

export function registerRunCommand(program: Command, cli: CliRuntime): void {
  addSealOptions(
    program
      .command('run')
      .argument('<source>', 'the disk image to seal (raw, qcow2 or VHD)')
      .description('the whole flow: seal → wrap → upload → import (→ provision); resumable with "jobs resume"'),
  )
    .option('--profile <name>', 'account profile (default: sandbox)')
    .option('--name <name>', 'name of the job and the imported image')
    .option('--os <name>', 'operating system of the image (VPC name or classic reference code)')
    .option('--provision', 'order a virtual server from the image when it is available')
    .option('--key <id>', 'root key id or alias in Key Protect')
    .option('--bucket <bucket>', 'COS bucket (default: the profile\u2019s)')
    .option('--object <key>', 'object key in the bucket (default: the sealed file\u2019s name)')
    .option('--concurrency <n>', 'parallel part uploads (default 4)')
    .option('--part-size <MiB>', 'upload part size in MiB')
    .option('--limit-rate <MBps>', 'upload bandwidth limit in MB/s')
    .action(
      cli.action(async ({ runtime, output, signal }, source: string, flags: RunFlags) => {
        const sealing = await sealOptionsFromFlags(flags);
        const target = sealing.target;
        const options: Partial<JobOptions> = {
          ...sealing.options,
          rootKey: flags.key,
          bucket: flags.bucket,
          objectKey: flags.object,
          concurrency: parsePositiveInt('--concurrency', flags.concurrency),
          partSizeMiB: parsePositiveInt('--part-size', flags.partSize),
          limitRateMBps: parsePositiveNumber('--limit-rate', flags.limitRate),
          operatingSystem: flags.os,
          imageName: flags.name,
          provision: Boolean(flags.provision),
        };
        const app = await runtime.app();
        const { job, probe } = await createJob(app, { sourcePath: source, target, name: flags.name, profile: flags.profile, options });
        for (const problem of probe.problems) output.warn(problem.message);
        output.info(`Job ${job.id} created for ${probe.description}, ${probe.virtualSize} bytes virtual.`);
        const finished = await runJobWithProgress(app, job.id, output, signal);
        output.result(jobResultFields(finished), describeJob(finished));
      }),
    );
}
