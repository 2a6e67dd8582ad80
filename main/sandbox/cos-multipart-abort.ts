import { stat, rm } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * AbortMultipartUpload for the sandbox COS, which s3rver 3.7.1 answers with 405. Without it a discarded or
 * cancelled upload's parts would stay in the sandbox folder for ever, and the sandbox could not show that a
 * discard really frees them, as real COS does. A request naming an upload that is not there (aborted, or
 * completed) is answered NoSuchUpload, as COS does, instead of s3rver quietly recreating it for a late part.
 *
 * A Koa middleware in front of s3rver's router; s3rver keeps an upload's parts in
 * `<directory>/<bucket>/._S3rver_uploads/<uploadId>/`. These two answers skip s3rver's access-key check: the
 * sandbox listens on loopback only and checks no signatures anyway.
 */
interface KoaContext {
  method: string;
  path: string;
  query: Record<string, string | string[] | undefined>;
  status: number;
  body: unknown;
  type: string;
}

type Middleware = (ctx: KoaContext, next: () => Promise<void>) => Promise<void>;

/** s3rver's upload ids: 16 random bytes in hex. Anything else names no upload (and no path outside the store). */
const UPLOAD_ID = /^[0-9a-f]{32}$/;

export function multipartAbortMiddleware(directory: string): Middleware {
  return async (ctx, next) => {
    const uploadId = ctx.query.uploadId;
    const [bucket = '', ...key] = ctx.path.slice(1).split('/');
    if (typeof uploadId !== 'string' || key.length === 0 || bucket === '' || bucket.startsWith('.')) return next();
    const uploadDir = join(directory, bucket, '._S3rver_uploads', uploadId);
    if (!UPLOAD_ID.test(uploadId) || !(await isDirectory(uploadDir))) {
      noSuchUpload(ctx, uploadId);
      return;
    }
    if (ctx.method !== 'DELETE') return next();
    await rm(uploadDir, { recursive: true, force: true });
    ctx.status = 204;
  };
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

function noSuchUpload(ctx: KoaContext, uploadId: string): void {
  ctx.status = 404;
  ctx.type = 'application/xml';
  ctx.body =
    '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchUpload</Code>' +
    '<Message>The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.</Message>' +
    `<UploadId>${uploadId.replace(/[^0-9A-Za-z]/g, '')}</UploadId></Error>`;
}
