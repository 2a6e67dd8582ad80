import type { Command } from 'commander';
import { AppError } from '../../common/errors';
import { effectiveState } from '../../jobs/state-machine';
import { describeJob, jobResultFields } from '../job-summary';
import { runJobWithProgress } from '../run-job';
import type { CliRuntime } from '../runtime';

export function registerWrapCommand(program: Command, cli: CliRuntime): void {
  program
    .command('wrap')
    .argument('<job>', 'job id')
    .option('--key <id>', 'root key id, alias or name (default: the job\u2019s, then the profile\u2019s)')
    .description('wrap a sealed job\u2019s key with a Key Protect root key, check the round trip, then drop the key from the keychain')
    .action(
      cli.action(async ({ runtime, output, signal }, jobId: string, flags: { key?: string }) => {
        const app = await runtime.app();
        const job = await app.jobs.get(jobId);
        if (flags.key !== undefined) {
          if (job.wrap || !['created', 'sealed'].includes(effectiveState(job))) {
            throw new AppError('JOB_ALREADY_WRAPPED', `Job ${jobId} is wrapped already; its root key cannot change.`, {
              hint: 'Start a new job to use another root key.',
            });
          }
          await app.jobs.update(jobId, (current) => ({ options: { ...current.options, rootKey: flags.key } }));
        }
        const finished = await runJobWithProgress(app, jobId, output, signal, 'wrap');
        const wrap = finished.wrap;
        output.result(
          {
            ...jobResultFields(finished),
            rootKeyId: wrap?.rootKeyId ?? null,
            keyVersion: wrap?.keyVersion ?? null,
            wdekFingerprint: wrap?.wdekFingerprint ?? null,
            roundTripVerified: wrap?.roundTripVerified ?? false,
          },
          wrap
            ? `${describeJob(finished)}\nRound trip verified; the key was removed from the keychain.`
            : describeJob(finished),
        );
      }),
    );
}
