import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Test/bench-only S3 stand-in that speaks just enough multipart S3 (create, upload part, complete, head, abort,
 * list parts, a plain PUT) to accept parts and throw their bytes away, so a benchmark measures the client's own
 * cost. It does not check signatures. With `verifyMd5` it hashes each part and answers 400 BadDigest when the
 * Content-MD5 header disagrees; without it, a part's ETag is taken from the client's Content-MD5 (or blank).
 */
export interface DiscardServerOptions {
  verifyMd5?: boolean;
  buckets?: string[];
  /** serve ListParts (real COS does; s3rver answers 405) */
  listParts?: boolean;
  /** when set, every request needs `Authorization: Bearer <token>` with a token this accepts (IAM mode) */
  acceptBearer?: (token: string) => boolean;
}

interface StoredPart {
  size: number;
  md5: string;
}

interface StoredObject {
  size: number;
  etag: string;
}

export interface DiscardServer {
  url: string;
  port: number;
  stats: { bytesReceived: number; partsReceived: number; requests: number };
  objects: Map<string, StoredObject>;
  /** makes the server lose a part it confirmed (to test reconciling a journal with ListParts) */
  forgetPart(uploadId: string, partNumber: number): boolean;
  /**
   * Called when a part upload arrives, before its body is read: lets a test act at an exact point of an upload
   * (e.g. stop the client once N parts are stored) instead of on timing.
   */
  onPartArrives?: (partNumber: number) => void;
  close(): Promise<void>;
}

export async function startDiscardServer(options: DiscardServerOptions = {}): Promise<DiscardServer> {
  const verifyMd5 = options.verifyMd5 ?? true;
  const buckets = new Set(options.buckets ?? ['image-sealer-sandbox']);
  const uploads = new Map<string, { key: string; parts: Map<number, StoredPart> }>();
  const objects = new Map<string, StoredObject>();
  const stats = { bytesReceived: 0, partsReceived: 0, requests: 0 };
  // filled in once listening; the request handler reads onPartArrives from it
  const discard: DiscardServer = {
    url: '',
    port: 0,
    stats,
    objects,
    forgetPart: (uploadId, partNumber) => uploads.get(uploadId)?.parts.delete(partNumber) ?? false,
    close: () => Promise.resolve(),
  };

  const server: Server = createServer((request, response) => {
    stats.requests += 1;
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) sendError(response, 500, 'InternalError', String(error));
      else response.destroy();
    });
  });
  server.keepAliveTimeout = 60_000;

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const [bucket = '', ...keyParts] = url.pathname.slice(1).split('/');
    const key = decodeURIComponent(keyParts.join('/'));
    const query = url.searchParams;
    const method = request.method ?? 'GET';

    if (options.acceptBearer) {
      const auth = headerValue(request, 'authorization') ?? '';
      if (!auth.startsWith('Bearer ') || !options.acceptBearer(auth.slice(7))) {
        await drain(request);
        return sendError(response, 403, 'AccessDenied', 'Access Denied');
      }
    }
    if (bucket && !buckets.has(bucket)) {
      await drain(request);
      return sendError(response, 404, 'NoSuchBucket', 'The specified bucket does not exist');
    }
    if (!key) {
      await drain(request);
      if (method === 'HEAD' || method === 'GET') {
        // enough for clients that look at the bucket before uploading
        return sendXml(
          response,
          200,
          '<ListBucketResult><Name>' + bucket + '</Name><IsTruncated>false</IsTruncated></ListBucketResult>',
        );
      }
      return sendError(response, 501, 'NotImplemented', 'Not implemented');
    }
    const objectId = `${bucket}/${key}`;

    if (method === 'POST' && query.has('uploads')) {
      await drain(request);
      const uploadId = randomUUID();
      uploads.set(uploadId, { key: objectId, parts: new Map() });
      return sendXml(
        response,
        200,
        `<InitiateMultipartUploadResult><Bucket>${bucket}</Bucket><Key>${escapeXml(key)}</Key><UploadId>${uploadId}</UploadId></InitiateMultipartUploadResult>`,
      );
    }

    const uploadId = query.get('uploadId');
    if (method === 'PUT' && uploadId !== null && query.has('partNumber')) {
      const upload = uploads.get(uploadId);
      if (!upload) {
        await drain(request);
        return sendError(response, 404, 'NoSuchUpload', 'The specified upload does not exist');
      }
      const partNumber = Number(query.get('partNumber'));
      discard.onPartArrives?.(partNumber);
      const expectedMd5 = headerValue(request, 'content-md5');
      const { size, md5 } = await consume(request, verifyMd5);
      stats.partsReceived += 1;
      const claimedMd5 = expectedMd5 ? Buffer.from(expectedMd5, 'base64').toString('hex') : '';
      if (verifyMd5 && expectedMd5 && claimedMd5 !== md5) {
        return sendError(response, 400, 'BadDigest', 'The Content-MD5 you specified did not match what we received.');
      }
      const partMd5 = verifyMd5 ? md5 : claimedMd5;
      upload.parts.set(partNumber, { size, md5: partMd5 });
      response.writeHead(200, { ETag: `"${partMd5}"`, 'Content-Length': '0' });
      response.end();
      return;
    }

    if (method === 'GET' && uploadId !== null) {
      await drain(request);
      const upload = uploads.get(uploadId);
      if (!options.listParts) return sendError(response, 405, 'MethodNotAllowed', 'ListParts is not supported');
      if (!upload) return sendError(response, 404, 'NoSuchUpload', 'The specified upload does not exist');
      const parts = [...upload.parts.entries()]
        .sort(([a], [b]) => a - b)
        .map(([n, p]) => `<Part><PartNumber>${n}</PartNumber><ETag>"${p.md5}"</ETag><Size>${p.size}</Size></Part>`)
        .join('');
      return sendXml(
        response,
        200,
        `<ListPartsResult><UploadId>${uploadId}</UploadId><IsTruncated>false</IsTruncated>${parts}</ListPartsResult>`,
      );
    }

    if (method === 'POST' && uploadId !== null) {
      const body = (await readAll(request)).toString('utf8');
      const upload = uploads.get(uploadId);
      if (!upload) return sendError(response, 404, 'NoSuchUpload', 'The specified upload does not exist');
      const numbers = [...body.matchAll(/<PartNumber>(\d+)<\/PartNumber>/g)].map((m) => Number(m[1]));
      const md5s: string[] = [];
      let size = 0;
      for (const n of numbers) {
        const part = upload.parts.get(n);
        if (!part) return sendError(response, 400, 'InvalidPart', `Part ${n} was never uploaded`);
        md5s.push(part.md5);
        size += part.size;
      }
      const hash = createHash('md5');
      for (const md5 of md5s) hash.update(Buffer.from(md5, 'hex'));
      const etag = `${hash.digest('hex')}-${md5s.length}`;
      objects.set(objectId, { size, etag });
      uploads.delete(uploadId);
      return sendXml(
        response,
        200,
        `<CompleteMultipartUploadResult><Bucket>${bucket}</Bucket><Key>${escapeXml(key)}</Key><ETag>"${etag}"</ETag></CompleteMultipartUploadResult>`,
      );
    }

    if (method === 'DELETE' && uploadId !== null) {
      await drain(request);
      uploads.delete(uploadId);
      response.writeHead(204);
      response.end();
      return;
    }

    if (method === 'PUT') {
      const expectedMd5 = headerValue(request, 'content-md5');
      const { size, md5 } = await consume(request, true);
      if (expectedMd5 && Buffer.from(expectedMd5, 'base64').toString('hex') !== md5) {
        return sendError(response, 400, 'BadDigest', 'The Content-MD5 you specified did not match what we received.');
      }
      objects.set(objectId, { size, etag: md5 });
      response.writeHead(200, { ETag: `"${md5}"`, 'Content-Length': '0' });
      response.end();
      return;
    }

    if (method === 'HEAD' || method === 'GET') {
      await drain(request);
      const object = objects.get(objectId);
      if (!object) {
        if (method === 'HEAD') {
          response.writeHead(404, { 'Content-Length': '0' });
          response.end();
          return;
        }
        return sendError(response, 404, 'NoSuchKey', 'The specified key does not exist.');
      }
      if (method === 'GET') return sendError(response, 501, 'NotImplemented', 'The discard server keeps no bytes');
      response.writeHead(200, { 'Content-Length': String(object.size), ETag: `"${object.etag}"` });
      response.end();
      return;
    }

    if (method === 'DELETE') {
      await drain(request);
      objects.delete(objectId);
      response.writeHead(204);
      response.end();
      return;
    }

    await drain(request);
    sendError(response, 501, 'NotImplemented', 'Not implemented');
  }

  function consume(request: IncomingMessage, hash: boolean): Promise<{ size: number; md5: string }> {
    return new Promise((resolve, reject) => {
      const md5 = hash ? createHash('md5') : undefined;
      let size = 0;
      request.on('data', (chunk: Buffer) => {
        size += chunk.length;
        stats.bytesReceived += chunk.length;
        md5?.update(chunk);
      });
      request.on('end', () => resolve({ size, md5: md5 ? md5.digest('hex') : '' }));
      request.on('error', reject);
    });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  Object.assign(discard, {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
  return discard;
}

function headerValue(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

async function drain(request: IncomingMessage): Promise<void> {
  for await (const _chunk of request) {
    // discard
  }
}

async function readAll(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function sendXml(response: ServerResponse, status: number, body: string): void {
  const data = Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n${body}`);
  response.writeHead(status, { 'Content-Type': 'application/xml', 'Content-Length': String(data.length) });
  response.end(data);
}

function sendError(response: ServerResponse, status: number, code: string, message: string): void {
  sendXml(response, status, `<Error><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error>`);
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
