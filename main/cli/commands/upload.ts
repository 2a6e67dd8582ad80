import type { Command } from 'commander';
import { AppError } from '../../common/errors';
import { setUploadOptions } from '../../transfer/upload-service';
import { describeJob, jobResultFields } from '../job-summary';
import { runJobWithProgress } from '../run-job';
import { parsePositiveInt, parsePositiveNumber, type CliRuntime } from '../runtime';

interface UploadFlags {
  bucket?: string;
  object?: string;
  concurrency?: string;
  partSize?: string;
  limitRate?: string;
}

export function registerUploadCommand(program: Command, cli: CliRuntime): void {
  program
    .command('upload')
    .argument('<job>', 'job id')
    .option('--bucket <bucket>', 'COS bucket (default: the job\u2019s, then the profile\u2019s)')
    .option('--object <key>', 'object key (default: the sealed file\u2019s name)')
    .option('--concurrency <n>', 'parallel part uploads (default 4)')
    .option('--part-size <MiB>', 'part size in MiB, 5 to 5120 (default: from the file size, at least 16)')
    .option('--limit-rate <MBps>', 'bandwidth limit in MB/s (1 MB = 1,000,000 bytes)')
    .description('upload a sealed job\u2019s image to Cloud Object Storage; run it again to resume where it stopped')
    .action(
      cli.action(async ({ runtime, output, signal }, jobId: string, flags: UploadFlags) => {
        const app = await runtime.app();
        const concurrency = parsePositiveInt('--concurrency', flags.concurrency);
        if (concurrency !== undefined && concurrency > 64) throw new AppError('USAGE', '--concurrency must be at most 64.');
        await setUploadOptions(app, jobId, {
          bucket: flags.bucket,
          objectKey: flags.object,
          concurrency,
          partSizeMiB: parsePositiveInt('--part-size', flags.partSize),
          limitRateMBps: parsePositiveNumber('--limit-rate', flags.limitRate),
        });
        const finished = await runJobWithProgress(app, jobId, output, signal, 'upload');
        const upload = finished.upload;
        output.result(
          {
            ...jobResultFields(finished),
            bucket: upload?.bucket ?? null,
            objectKey: upload?.objectKey ?? null,
            etag: upload?.etag ?? null,
            size: upload?.size ?? null,
            partCount: upload?.partCount ?? null,
            verified: upload?.verified ?? false,
          },
          upload?.verified
            ? `${describeJob(finished)}\nUploaded and verified: ${upload.bucket}/${upload.objectKey} (ETag ${upload.etag ?? '?'}).`
            : describeJob(finished),
        );
      }),
    );
}
