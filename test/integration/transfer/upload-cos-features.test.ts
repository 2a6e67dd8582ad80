import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile, rm, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CosClient } from '../../../main/transfer/cos-client';
import { readJournal } from '../../../main/transfer/journal';
import { uploadFile } from '../../../main/transfer/uploader';
import { startDiscardServer, type DiscardServer } from '../../helpers/discard-s3-server';
import { BUCKET, MIB, randomFile, S3RVER_AUTH } from './helpers';

/** The multipart ETag of a file, computed here from its bytes, independently of the engine. */
async function expectedEtag(path: string, partSize: number): Promise<string> {
  const bytes = await readFile(path);
  const md5s: Buffer[] = [];
  for (let offset = 0; offset < bytes.length; offset += partSize) {
    md5s.push(
      createHash('md5')
        .update(bytes.subarray(offset, offset + partSize))
        .digest(),
    );
  }
  return `${createHash('md5').update(Buffer.concat(md5s)).digest('hex')}-${md5s.length}`;
}

describe('upload against a server with ListParts and multipart ETags (as real COS)', () => {
  let dir: string;
  let server: DiscardServer;
  let file: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'transfer-cos-'));
    server = await startDiscardServer({ listParts: true, verifyMd5: true });
    file = await randomFile(dir, 'sealed.qcow2', 40 * MIB + 99);
  });
  afterAll(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('reconciles the journal with ListParts on resume and re-sends a part the server lost', async () => {
    const client = new CosClient({ endpoint: server.url, region: 'us-south', auth: S3RVER_AUTH });
    const journalPath = join(dir, 'reconcile.journal');
    const stop = new AbortController();
    // One part at a time: when part 5 arrives, parts 1–4 are stored and in the journal.
    server.onPartArrives = (partNumber) => {
      if (partNumber === 5) stop.abort(new Error('stop for the test'));
    };
    const interrupted = await uploadFile({
      client,
      file,
      bucket: BUCKET,
      key: 'reconciled.qcow2',
      journalPath,
      partSizeMiB: 5,
      concurrency: 1,
      signal: stop.signal,
    }).catch((error: unknown) => error);
    server.onPartArrives = undefined;
    expect((interrupted as Error).message).toBe('stop for the test');
    const journal = await readJournal(journalPath);
    const confirmed = [...(journal?.parts.keys() ?? [])];
    expect(confirmed.length).toBeGreaterThanOrEqual(4);
    expect(server.forgetPart(journal?.header.uploadId ?? '', 2)).toBe(true);

    const bytesBefore = server.stats.bytesReceived;
    const result = await uploadFile({
      client,
      file,
      bucket: BUCKET,
      key: 'reconciled.qcow2',
      journalPath,
      partSizeMiB: 5,
    });
    await client.close();
    expect(result.resumedParts).toBe(confirmed.length - 1);
    expect(result.verification).toBe('multipart-etag');
    expect(result.etag).toBe(await expectedEtag(file, 5 * MIB));
    expect(server.objects.get(`${BUCKET}/reconciled.qcow2`)?.etag).toBe(result.etag);
    // only the lost part and the ones never confirmed went out again
    const partsResent = 9 - (confirmed.length - 1);
    expect(server.stats.bytesReceived - bytesBefore).toBeLessThanOrEqual(partsResent * 5 * MIB);
  });

  it('skips an identical object by its multipart ETag, and re-uploads one that differs', async () => {
    const client = new CosClient({ endpoint: server.url, region: 'us-south', auth: S3RVER_AUTH });
    const again = await uploadFile({
      client,
      file,
      bucket: BUCKET,
      key: 'reconciled.qcow2',
      journalPath: join(dir, 'skip.journal'),
      partSizeMiB: 5,
    });
    expect(again).toMatchObject({ skipped: true, bytesSent: 0, verification: 'multipart-etag' });
    // same size, other ETag (as if the object had been written in other parts): uploaded again
    server.objects.set(`${BUCKET}/reconciled.qcow2`, {
      size: 40 * MIB + 99,
      etag: '00000000000000000000000000000000-9',
    });
    const replaced = await uploadFile({
      client,
      file,
      bucket: BUCKET,
      key: 'reconciled.qcow2',
      journalPath: join(dir, 'skip.journal'),
      partSizeMiB: 5,
    });
    await client.close();
    expect(replaced.skipped).toBe(false);
    expect(replaced.etag).toBe(await expectedEtag(file, 5 * MIB));
  });
});

describe('parts larger than the in-memory limit', () => {
  it('hashes them through a window and streams them from the file, byte-exact', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'transfer-big-'));
    const server = await startDiscardServer({ verifyMd5: true });
    try {
      const file = await randomFile(dir, 'big.qcow2', 100 * MIB + 7);
      const client = new CosClient({ endpoint: server.url, region: 'us-south', auth: S3RVER_AUTH });
      // 65 MiB parts: the first is streamed, the last (35 MiB) goes from memory; the server checks each Content-MD5
      const result = await uploadFile({
        client,
        file,
        bucket: BUCKET,
        key: 'big.qcow2',
        journalPath: join(dir, 'big.journal'),
        partSizeMiB: 65,
        concurrency: 2,
        readerThreads: 1,
      });
      await client.close();
      expect(result.partCount).toBe(2);
      expect(result.etag).toBe(await expectedEtag(file, 65 * MIB));
      expect(server.stats.bytesReceived).toBe(100 * MIB + 7);
    } finally {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('IAM bearer authentication', () => {
  let dir: string;
  let tokenServer: Server;
  let tokenUrl: string;
  let issued = 0;
  let server: DiscardServer;
  let file: string;
  let currentToken = '';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'transfer-iam-'));
    tokenServer = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        const form = new URLSearchParams(body);
        if (form.get('apikey') !== 'good-key') {
          response.writeHead(400, { 'Content-Type': 'application/json' });
          response.end(
            JSON.stringify({ errorCode: 'BXNIM0415E', errorMessage: 'Provided API key could not be found.' }),
          );
          return;
        }
        issued += 1;
        currentToken = `eyJhbGciOiJIUzI1NiJ9.eyJuIjo${issued}fQ.sig${issued}`;
        const now = Math.floor(Date.now() / 1000);
        response.writeHead(200, { 'Content-Type': 'application/json' });
        response.end(
          JSON.stringify({
            access_token: currentToken,
            refresh_token: 'r',
            token_type: 'Bearer',
            expires_in: 3600,
            expiration: now + 3600,
          }),
        );
      });
    });
    await new Promise<void>((resolve) => tokenServer.listen(0, '127.0.0.1', resolve));
    tokenUrl = `http://127.0.0.1:${(tokenServer.address() as AddressInfo).port}/identity/token`;
    // the server accepts only the newest token: issuing a new one "expires" the old
    server = await startDiscardServer({ acceptBearer: (token) => token === currentToken });
    file = await randomFile(dir, 'sealed.qcow2', 30 * MIB);
  });
  afterAll(async () => {
    await server?.close();
    await new Promise<void>((resolve) => tokenServer.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  });

  it('uploads with a bearer token and refreshes it when the server refuses it mid-upload', async () => {
    const client = new CosClient({
      endpoint: server.url,
      region: 'us-south',
      auth: { kind: 'iam', apiKey: 'good-key', iamEndpoint: tokenUrl },
    });
    let expired = false;
    // The token "expires" when part 3 arrives, in the middle of the parts (not on timing: a late expiry would
    // hit the completion request instead).
    server.onPartArrives = (partNumber) => {
      if (!expired && partNumber === 3) {
        expired = true;
        currentToken = 'expired';
      }
    };
    const result = await uploadFile({
      client,
      file,
      bucket: BUCKET,
      key: 'iam.qcow2',
      journalPath: join(dir, 'iam.journal'),
      partSizeMiB: 5,
      concurrency: 2,
      retry: { baseDelayMs: 10, maxDelayMs: 50 },
    });
    server.onPartArrives = undefined;
    await client.close();
    expect(expired).toBe(true);
    expect(issued).toBeGreaterThanOrEqual(2);
    expect(result.verification).toBe('multipart-etag');
    expect(result.etag).toBe(await expectedEtag(file, 5 * MIB));
  });

  it('reports a rejected API key clearly', async () => {
    const client = new CosClient({
      endpoint: server.url,
      region: 'us-south',
      auth: { kind: 'iam', apiKey: 'wrong-key', iamEndpoint: tokenUrl },
    });
    const failure = await uploadFile({
      client,
      file,
      bucket: BUCKET,
      key: 'nope.qcow2',
      journalPath: join(dir, 'nope.journal'),
      retry: { maxAttempts: 1 },
    }).catch((error: unknown) => error);
    await client.close();
    expect((failure as { code?: string }).code).toBe('COS_CREDENTIALS_REJECTED');
  });
});
