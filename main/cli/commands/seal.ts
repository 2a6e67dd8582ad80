import { resolve } from 'node:path';
import type { Command } from 'commander';
import { loadDekFile } from '../../crypto/dek';
import type { JobOptions } from '../../jobs/job';
import { createJob } from '../../jobs/job-service';
import { verifySealedImage } from '../../seal/verify';
import { TARGET_IDS } from '../../targets';
import { describeJob, jobResultFields } from '../job-summary';
import { runJobWithProgress } from '../run-job';
import type { CliRuntime } from '../runtime';
import { parsePositiveInt, usageError } from '../runtime';
import { parseEngine, parseKeyBits, parseTarget } from './run';

interface SealFlags {
  target: string;
  name?: string;
  profile?: string;
  out?: string;
  dekFile?: string;
  engine?: string;
  iterTime?: string;
  keyBits?: string;
  verify: boolean;
}

interface VerifyFlags {
  source?: string;
  dekFile?: string;
  target: string;
  qemu: boolean;
}

export function registerSealCommands(program: Command, cli: CliRuntime): void {
  program
    .command('seal')
    .argument('<source>', 'the disk image to seal (raw, qcow2 or VHD)')
    .description('encrypt an image for a target with a new (or your own) DEK, verify it, and create a job in state "sealed"')
    .requiredOption('--target <target>', `where the image goes: ${TARGET_IDS.join(' | ')}`, 'vpc')
    .option('--out <file>', 'where to write the sealed image (default: in the data directory, per job)')
    .option('--dek-file <file>', 'bring your own data encryption key (raw bytes or base64 text)')
    .option('--engine <engine>', 'sealing engine: native or qemu', 'native')
    .option('--iter-time <ms>', 'PBKDF2 time per LUKS key slot in ms (default 2000)')
    .option('--key-bits <bits>', 'classic-vhd key size: 256 or 512 (default 512)')
    .option('--name <name>', 'name of the job (default: from the file name)')
    .option('--profile <name>', 'account profile the later steps use (default: sandbox)')
    .option('--no-verify', 'skip decrypting the output again to check it (not recommended)')
    .action(
      cli.action(async ({ runtime, output, signal }, source: string, flags: SealFlags) => {
        const target = parseTarget(flags.target);
        const options: Partial<JobOptions> = {
          engine: parseEngine(flags.engine),
          keyBits: parseKeyBits(flags.keyBits),
          dekFile: flags.dekFile ? resolve(flags.dekFile) : undefined,
          outputPath: flags.out ? resolve(flags.out) : undefined,
          iterTimeMs: parsePositiveInt('--iter-time', flags.iterTime),
          verify: flags.verify,
        };
        if (options.dekFile) {
          // Refuse a bad key file now, before a job exists for it.
          (await loadDekFile(options.dekFile, target)).fill(0);
        }
        const app = await runtime.app();
        const { job, probe } = await createJob(app, { sourcePath: source, target, name: flags.name, profile: flags.profile, options });
        for (const problem of probe.problems) output.warn(problem.message);
        output.info(`Job ${job.id} created for ${probe.description}, ${probe.virtualSize} bytes virtual.`);
        const sealed = await runJobWithProgress(app, job.id, output, signal, 'seal');
        output.result(
          { ...jobResultFields(sealed), seal: sealed.seal ?? null },
          `${describeJob(sealed)}\n${sealed.id}`,
        );
      }),
    );

  program
    .command('verify')
    .argument('<sealed>', 'the sealed image')
    .description('check that a sealed image decrypts with a DEK to exactly the source (own decryption + qemu-img compare)')
    .option('--source <file>', 'the original (unencrypted) image')
    .option('--dek-file <file>', 'the data encryption key (raw bytes or base64 text)')
    .requiredOption('--target <target>', `the target it was sealed for: ${TARGET_IDS.join(' | ')}`, 'vpc')
    .option('--no-qemu', 'skip qemu-img compare even when qemu-img is installed')
    .action(
      cli.action(async ({ output, signal }, sealed: string, flags: VerifyFlags) => {
        const target = parseTarget(flags.target);
        if (!flags.source) throw usageError('--source is required: the image the sealed one must equal.');
        if (!flags.dekFile) throw usageError('--dek-file is required: the key the image was sealed with.');
        const dek = await loadDekFile(resolve(flags.dekFile), target);
        try {
          const result = await verifySealedImage({
            sealedPath: sealed,
            sourcePath: flags.source,
            target,
            dek,
            qemuCompare: flags.qemu,
            signal,
            onProgress: (progress) => output.progress(progress, 'verify'),
          });
          const checks = [result.checks.nativeDecrypt ? 'own decryption' : null, result.checks.qemuCompare ? 'qemu-img compare' : null]
            .filter(Boolean)
            .join(' and ');
          output.result(
            { sealed: resolve(sealed), source: resolve(flags.source), target, verified: true, ...result },
            `Verified: ${sealed} decrypts to exactly ${flags.source} (${checks}).\ncontent sha256 ${result.contentSha256}`,
          );
        } finally {
          dek.fill(0);
        }
      }),
    );
}
