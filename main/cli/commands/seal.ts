import { resolve } from 'node:path';
import type { Command } from 'commander';
import { loadDekFile } from '../../crypto/dek';
import { createJob } from '../../jobs/job-service';
import { verifySealedImage } from '../../seal/verify';
import { TARGET_IDS } from '../../targets';
import { describeJob, jobResultFields } from '../job-summary';
import { runJobWithProgress } from '../run-job';
import type { CliRuntime } from '../runtime';
import { usageError } from '../runtime';
import { addSealOptions, parseTarget, sealOptionsFromFlags, type SealFlags } from '../seal-options';

interface SealCommandFlags extends SealFlags {
  name?: string;
  profile?: string;
}

interface VerifyFlags {
  source?: string;
  dekFile?: string;
  target: string;
  qemu: boolean;
}

export function registerSealCommands(program: Command, cli: CliRuntime): void {
  addSealOptions(
    program
      .command('seal')
      .argument('<source>', 'the disk image to seal (raw, qcow2 or VHD)')
      .description('encrypt an image for a target with a new (or your own) DEK, verify it, and create a job in state "sealed"'),
  )
    .option('--name <name>', 'name of the job (default: from the file name)')
    .option('--profile <name>', 'account profile the later steps use (default: sandbox)')
    .action(
      cli.action(async ({ runtime, output, signal }, source: string, flags: SealCommandFlags) => {
        const { target, options } = await sealOptionsFromFlags(flags);
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
