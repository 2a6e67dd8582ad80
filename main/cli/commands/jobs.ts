import type { Command } from 'commander';
import { formatTable } from '../output';
import { describeJob, jobResultFields } from '../job-summary';
import { deleteJob } from '../../jobs/job-service';
import { jobRunner } from '../../jobs/runner';
import type { CliRuntime } from '../runtime';
import { runJobWithProgress } from '../run-job';

export function registerJobCommands(program: Command, cli: CliRuntime): void {
  const jobs = program.command('jobs').description('list, show, resume, cancel and delete jobs');

  jobs
    .command('list')
    .description('all jobs, newest first')
    .action(
      cli.action(async ({ runtime, output }) => {
        const app = await runtime.app();
        const all = await app.jobs.list();
        const rows = all.map((job) => [job.id, job.name, job.target, job.state, job.updatedAt.slice(0, 19).replace('T', ' ')]);
        output.result(
          { jobs: all.map(jobResultFields) },
          all.length === 0 ? 'No jobs yet. Start one with "image-sealer run IMAGE".' : formatTable(['JOB', 'NAME', 'TARGET', 'STATE', 'UPDATED'], rows),
        );
      }),
    );

  jobs
    .command('show')
    .argument('<job>', 'job id')
    .description("one job's record")
    .action(
      cli.action(async ({ runtime, output }, jobId: string) => {
        const app = await runtime.app();
        const job = await app.jobs.get(jobId);
        output.result(jobResultFields(job), describeJob(job));
      }),
    );

  jobs
    .command('resume')
    .argument('<job>', 'job id')
    .description('run the remaining steps of a job, from where it stopped')
    .action(
      cli.action(async ({ runtime, output, signal }, jobId: string) => {
        const app = await runtime.app();
        const job = await runJobWithProgress(app, jobId, output, signal);
        output.result(jobResultFields(job), describeJob(job));
      }),
    );

  jobs
    .command('cancel')
    .argument('<job>', 'job id')
    .description('cancel a job for good (its sealed output stays until you delete the job)')
    .action(
      cli.action(async ({ runtime, output }, jobId: string) => {
        const app = await runtime.app();
        const job = await jobRunner(app).cancel(jobId);
        output.result(jobResultFields(job), `Job ${job.id} cancelled.`);
      }),
    );

  jobs
    .command('delete')
    .argument('<job>', 'job id')
    .description('delete a job and its sealed output; the source image is never touched')
    .action(
      cli.action(async ({ runtime, output }, jobId: string) => {
        const app = await runtime.app();
        await deleteJob(app, jobId);
        output.result({ jobId, deleted: true }, `Job ${jobId} deleted.`);
      }),
    );
}
