import { resolve } from 'node:path';
import type { Command } from 'commander';
import { TARGET_IDS, type TargetId } from '../../targets';
import { createJob } from '../../jobs/job-service';
import type { JobOptions } from '../../jobs/job';
import { describeJob, jobResultFields } from '../job-summary';
import { runJobWithProgress } from '../run-job';
import type { CliRuntime } from '../runtime';
import { parsePositiveInt, parsePositiveNumber, usageError } from '../runtime';

interface RunFlags {
  target: string;
  profile?: string;
  name?: string;
  os?: string;
  provision?: boolean;
  dekFile?: string;
  engine?: string;
  keyBits?: string;
  out?: string;
  iterTime?: string;
  verify: boolean;
  key?: string;
  bucket?: string;
  object?: string;
  concurrency?: string;
  partSize?: string;
  limitRate?: string;
}

export function parseTarget(value: string): TargetId {
  if (!(TARGET_IDS as readonly string[]).includes(value)) {
    throw usageError(`--target must be one of ${TARGET_IDS.join(', ')}, not "${value}".`);
  }
  return value as TargetId;
}

export function parseEngine(value: string | undefined): 'native' | 'qemu' {
  if (value === undefined || value === 'native') return 'native';
  if (value === 'qemu') return 'qemu';
  throw usageError(`--engine must be native or qemu, not "${value}".`);
}

export function parseKeyBits(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (value !== '256' && value !== '512') throw usageError(`--key-bits must be 256 or 512, not "${value}".`);
  return Number(value);
}

export function registerRunCommand(program: Command, cli: CliRuntime): void {
  program
    .command('run')
    .argument('<source>', 'the disk image to seal (raw, qcow2 or VHD)')
    .description('the whole flow: seal → wrap → upload → import (→ provision); resumable with "jobs resume"')
    .requiredOption('--target <target>', `where the image goes: ${TARGET_IDS.join(' | ')}`, 'vpc')
    .option('--profile <name>', 'account profile (default: sandbox)')
    .option('--name <name>', 'name of the job and the imported image')
    .option('--os <name>', 'operating system of the image (VPC name or classic reference code)')
    .option('--provision', 'order a virtual server from the image when it is available')
    .option('--dek-file <file>', 'bring your own data encryption key (raw bytes or base64 text)')
    .option('--engine <engine>', 'sealing engine: native or qemu', 'native')
    .option('--key-bits <bits>', 'classic-vhd key size: 256 or 512 (default 512)')
    .option('--out <file>', 'where to write the sealed image')
    .option('--iter-time <ms>', 'PBKDF2 time per key slot in ms (default 2000)')
    .option('--no-verify', 'skip decrypting the output again to check it (not recommended)')
    .option('--key <id>', 'root key id or alias in Key Protect')
    .option('--bucket <bucket>', 'COS bucket (default: the profile\u2019s)')
    .option('--object <key>', 'object key in the bucket (default: the sealed file\u2019s name)')
    .option('--concurrency <n>', 'parallel part uploads (default 4)')
    .option('--part-size <MiB>', 'upload part size in MiB')
    .option('--limit-rate <MBps>', 'upload bandwidth limit in MB/s')
    .action(
      cli.action(async ({ runtime, output, signal }, source: string, flags: RunFlags) => {
        const target = parseTarget(flags.target);
        const options: Partial<JobOptions> = {
          engine: parseEngine(flags.engine),
          keyBits: parseKeyBits(flags.keyBits),
          dekFile: flags.dekFile ? resolve(flags.dekFile) : undefined,
          outputPath: flags.out ? resolve(flags.out) : undefined,
          iterTimeMs: parsePositiveInt('--iter-time', flags.iterTime),
          verify: flags.verify,
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
