/**
 * Test helper run as a separate process (`node bin/run-ts.js test/helpers/upload-child.ts JSON`) so a test can
 * kill -9 an upload in the middle. It prints one JSON line per progress report and a final `result` line.
 */
import { resolve } from 'node:path';
import { startSandboxCos, type SandboxCos } from '../../main/sandbox/cos-service';
import { CosClient } from '../../main/transfer/cos-client';
import { transferIdFor } from '../../main/transfer/file-uploads';
import { fileUploadJournalPath } from '../../main/transfer/interrupted-uploads';
import { uploadFile } from '../../main/transfer/uploader';

interface ChildArgs {
  /** the COS to send to; or `sandboxDir`: a sandbox COS this process starts on that folder, as the app would */
  endpoint?: string;
  sandboxDir?: string;
  file: string;
  bucket: string;
  key: string;
  /** where the journal goes; or `fileUpload`: where and under which name the app keeps a file upload's journal */
  journalPath?: string;
  fileUpload?: { uploadsDir: string; profile: string };
  partSizeMiB?: number;
  concurrency?: number;
  limitRateMBps?: number;
}

const args = JSON.parse(process.argv[2] ?? '{}') as ChildArgs;
const cos: SandboxCos | undefined = args.sandboxDir ? await startSandboxCos({ sandboxDir: args.sandboxDir, bucket: args.bucket }) : undefined;
const client = new CosClient({
  endpoint: cos?.url ?? args.endpoint ?? '',
  region: 'us-south',
  auth: { kind: 'hmac', accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
});
const file = resolve(args.file);
const journalPath = args.fileUpload
  ? fileUploadJournalPath(args.fileUpload.uploadsDir, transferIdFor(file, args.fileUpload.profile, args.bucket, args.key))
  : (args.journalPath ?? '');
try {
  const result = await uploadFile({
    client,
    file,
    bucket: args.bucket,
    key: args.key,
    journalPath,
    profile: args.fileUpload?.profile,
    partSizeMiB: args.partSizeMiB,
    concurrency: args.concurrency,
    limitRateMBps: args.limitRateMBps,
    retry: { baseDelayMs: 20, maxDelayMs: 200 },
    onProgress: (progress) => process.stdout.write(`${JSON.stringify({ type: 'progress', bytesDone: progress.bytesDone, bytesTotal: progress.bytesTotal })}\n`),
  });
  process.stdout.write(`${JSON.stringify({ type: 'result', result })}\n`);
} catch (error) {
  const shape = error as { code?: string; message?: string };
  process.stdout.write(`${JSON.stringify({ type: 'error', code: shape.code, message: shape.message })}\n`);
  process.exitCode = 1;
} finally {
  await client.close();
  await cos?.stop();
}
