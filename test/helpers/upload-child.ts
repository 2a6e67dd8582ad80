/**
 * Test helper run as a separate process (`node bin/run-ts.js test/helpers/upload-child.ts JSON`) so a test can
 * kill -9 an upload in the middle. It prints one JSON line per progress report and a final `result` line.
 */
import { CosClient } from '../../main/transfer/cos-client';
import { uploadFile } from '../../main/transfer/uploader';

interface ChildArgs {
  endpoint: string;
  file: string;
  bucket: string;
  key: string;
  journalPath: string;
  partSizeMiB?: number;
  concurrency?: number;
  limitRateMBps?: number;
}

const args = JSON.parse(process.argv[2] ?? '{}') as ChildArgs;
const client = new CosClient({
  endpoint: args.endpoint,
  region: 'us-south',
  auth: { kind: 'hmac', accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
});
try {
  const result = await uploadFile({
    client,
    file: args.file,
    bucket: args.bucket,
    key: args.key,
    journalPath: args.journalPath,
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
}
