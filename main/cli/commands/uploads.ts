import type { Command } from 'commander';
import type { AppContext } from '../../app/context';
import { abortable } from '../../common/abortable';
import { AppError } from '../../common/errors';
import { formatBytes } from '../../common/format';
import {
  discardFileUpload,
  fileUploadDone,
  listFileUploads,
  pauseFileUpload,
  resumeFileUpload,
  startFileUpload,
  type FileUploadInfo,
} from '../../transfer/file-uploads';
import { TRANSFER_ID_PATTERN } from '../../transfer/transfer-id';
import type { UploadResult } from '../../transfer/uploader';
import { formatTable } from '../output';
import { parsePositiveInt, parsePositiveNumber, type ActionContext, type CliRuntime } from '../runtime';

interface SendFlags {
  profile?: string;
  bucket?: string;
  object?: string;
  concurrency?: string;
  partSize?: string;
  limitRate?: string;
}

/**
 * Uploads of a file that is no job's (an image sealed earlier, or elsewhere), the same engine and journal as the
 * app's "Upload a sealed image" page: send one, list them (with those an earlier run left unfinished), resume or
 * discard one by its transfer id. Ctrl-C keeps the confirmed parts for a later resume.
 */
export function registerUploadsCommands(program: Command, cli: CliRuntime): void {
  const uploads = program
    .command('uploads')
    .description('upload a sealed image that is no job\u2019s; list, resume and discard such uploads');

  uploads
    .command('send')
    .argument('<file>', 'the sealed image file')
    .option('--profile <name>', 'profile (default: the default profile)')
    .option('--bucket <bucket>', 'COS bucket (default: the profile\u2019s)')
    .option('--object <key>', 'object key (default: the file\u2019s name)')
    .option('--concurrency <n>', 'parallel part uploads, 1 to 64 (default 4)')
    .option('--part-size <MiB>', 'part size in MiB, 5 to 5120 (default: from the file size)')
    .option('--limit-rate <MBps>', 'bandwidth limit in MB/s (1 MB = 1,000,000 bytes)')
    .description('upload a file to Cloud Object Storage; the same file, profile, bucket and key again resumes it')
    .action(
      cli.action(async (context, file: string, flags: SendFlags) => {
        const app = await context.runtime.app();
        const started = await startFileUpload(app, {
          path: file,
          profile: flags.profile,
          bucket: flags.bucket,
          objectKey: flags.object,
          concurrency: parseConcurrency(flags.concurrency),
          partSizeMiB: parsePositiveInt('--part-size', flags.partSize),
          limitRateMBps: parsePositiveNumber('--limit-rate', flags.limitRate),
        });
        await followUpload(app, started, context);
      }),
    );

  uploads
    .command('list')
    .description('uploads of this process and those an earlier run left unfinished')
    .action(
      cli.action(async ({ runtime, output }) => {
        const all = await listFileUploads(await runtime.app());
        const rows = all.map((upload) => [
          upload.transferId,
          upload.state,
          sentText(upload),
          `${upload.bucket}/${upload.objectKey}`,
          upload.path,
        ]);
        const problems = all.flatMap((upload) => {
          const problem = upload.error ?? upload.sourceProblem;
          return problem ? [`${upload.transferId}: ${problem.message}`] : [];
        });
        output.result(
          { uploads: all },
          all.length === 0
            ? 'No unfinished uploads.'
            : [formatTable(['TRANSFER', 'STATE', 'SENT', 'DESTINATION', 'FILE'], rows), ...problems].join('\n'),
        );
      }),
    );

  uploads
    .command('resume')
    .argument('<transfer>', 'transfer id (from "uploads list")')
    .option('--concurrency <n>', 'parallel part uploads, 1 to 64 (default 4)')
    .option('--limit-rate <MBps>', 'bandwidth limit in MB/s (1 MB = 1,000,000 bytes)')
    .description(
      'continue an interrupted upload from the parts its journal confirmed (the part size stays the journal\u2019s)',
    )
    .action(
      cli.action(async (context, transferId: string, flags: Pick<SendFlags, 'concurrency' | 'limitRate'>) => {
        const app = await context.runtime.app();
        const resumed = await resumeFileUpload(app, checkTransferId(transferId), {
          concurrency: parseConcurrency(flags.concurrency),
          limitRateMBps: parsePositiveNumber('--limit-rate', flags.limitRate),
        });
        await followUpload(app, resumed, context);
      }),
    );

  uploads
    .command('discard')
    .argument('<transfer>', 'transfer id (from "uploads list")')
    .description('give up an interrupted upload: abort its multipart upload in COS and delete its journal')
    .action(
      cli.action(async ({ runtime, output }, transferId: string) => {
        const { multipart } = await discardFileUpload(await runtime.app(), checkTransferId(transferId));
        const said: Record<typeof multipart, string> = {
          aborted: 'its parts were deleted from the bucket',
          gone: 'COS no longer had its parts',
          none: 'it had sent no parts',
          unsupported:
            'this COS cannot abort multipart uploads; the parts may stay until the bucket\u2019s lifecycle rule removes them',
          'not-attempted':
            'COS could not be asked to delete the parts (see the audit log); they may stay in the bucket',
        };
        output.result({ transferId, multipart }, `Discarded ${transferId}: ${said[multipart]}.`);
      }),
    );
}

/** Shows an upload's progress until it ends; on Ctrl-C pauses it (parts in flight are dropped, none confirmed is lost). */
async function followUpload(app: AppContext, upload: FileUploadInfo, { output, signal }: ActionContext): Promise<void> {
  const { transferId } = upload;
  output.info(`${transferId}: ${upload.path} \u2192 ${upload.bucket}/${upload.objectKey}`);
  const stop = app.events.on((event) => {
    if (event.type === 'progress' && event.jobId === null && event.progress.detail?.transferId === transferId) {
      output.progress(event.progress, 'upload');
    }
  });
  let result: UploadResult | undefined;
  try {
    result = await abortable(fileUploadDone(app, transferId), signal);
  } catch (error) {
    if (!signal.aborted) throw error;
    pauseFileUpload(app, transferId);
    throw new AppError('INTERRUPTED', `The upload ${transferId} stopped; the parts already confirmed are kept.`, {
      hint: `Run "image-sealer uploads resume ${transferId}" to continue.`,
    });
  } finally {
    stop();
  }
  const info = (await listFileUploads(app)).find((entry) => entry.transferId === transferId);
  if (!result) {
    const failure = info?.error;
    throw new AppError(
      failure?.code ?? 'UPLOAD_FAILED',
      failure?.message ?? `The upload ${transferId} did not finish.`,
      {
        hint: failure?.hint ?? `Run "image-sealer uploads resume ${transferId}" to try again from the confirmed parts.`,
      },
    );
  }
  output.result(
    {
      transferId,
      path: upload.path,
      bucket: upload.bucket,
      objectKey: upload.objectKey,
      etag: result.etag,
      size: result.size,
      verified: result.verified,
      resumedParts: result.resumedParts,
    },
    `Uploaded and verified: ${upload.bucket}/${upload.objectKey} (${formatBytes(result.size)}, ETag ${result.etag}).`,
  );
}

function sentText(upload: FileUploadInfo): string {
  if (upload.state === 'done' && upload.size !== undefined) return formatBytes(upload.size);
  if (upload.bytesConfirmed === undefined || upload.bytesTotal === undefined) return '\u2014';
  return `${formatBytes(upload.bytesConfirmed)} of ${formatBytes(upload.bytesTotal)}`;
}

function parseConcurrency(value: string | undefined): number | undefined {
  const concurrency = parsePositiveInt('--concurrency', value);
  if (concurrency !== undefined && concurrency > 64) throw new AppError('USAGE', '--concurrency must be at most 64.');
  return concurrency;
}

function checkTransferId(transferId: string): string {
  if (!TRANSFER_ID_PATTERN.test(transferId)) {
    throw new AppError(
      'USAGE',
      `"${transferId}" is not a transfer id (upl- and 16 hex digits; see "image-sealer uploads list").`,
    );
  }
  return transferId;
}
