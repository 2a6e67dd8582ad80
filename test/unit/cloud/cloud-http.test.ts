import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { exchangeJson, type HttpPolicy } from '../../../main/cloud/cloud-http';
import { pollUntil } from '../../../main/cloud/poll';
import { isAppError, type AppError } from '../../../main/common/errors';

const FAST: HttpPolicy = { timeoutMs: 2_000, retries: 3, baseDelayMs: 1, maxDelayMs: 5 };
let server: Server | undefined;

afterEach(async () => {
  const closing = new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server?.closeAllConnections();
  await closing;
  server = undefined;
});

/** A server answering with the given statuses in turn (the last one repeats); counts requests. */
async function scripted(statuses: number[], delayMs = 0): Promise<{ url: string; count: () => number }> {
  let calls = 0;
  server = createServer((request, response) => {
    const status = statuses[Math.min(calls, statuses.length - 1)];
    calls += 1;
    request.resume();
    setTimeout(() => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ status }));
    }, delayMs);
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/x`, count: () => calls };
}

describe('exchangeJson', () => {
  it('retries reads on 5xx and 429 until they succeed', async () => {
    const target = await scripted([503, 429, 200]);
    const response = await exchangeJson({ method: 'GET', url: target.url }, FAST);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 200 });
    expect(target.count()).toBe(3);
  });

  it('never repeats a create after a 5xx (it may have happened), but does after a 429', async () => {
    const failing = await scripted([500, 200]);
    expect((await exchangeJson({ method: 'POST', url: failing.url, body: {} }, FAST)).status).toBe(500);
    expect(failing.count()).toBe(1);
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    const limited = await scripted([429, 201]);
    expect((await exchangeJson({ method: 'POST', url: limited.url, body: {} }, FAST)).status).toBe(201);
    expect(limited.count()).toBe(2);
  });

  it('gives up after the retries and returns the last answer', async () => {
    const target = await scripted([502]);
    expect((await exchangeJson({ method: 'GET', url: target.url }, FAST)).status).toBe(502);
    expect(target.count()).toBe(FAST.retries + 1);
  });

  it('times out a request that does not answer, with a clear error', async () => {
    // undici checks its timeouts on a coarse (about 1 s) clock: leave it room.
    const target = await scripted([200], 4_000);
    const error = await exchangeJson({ method: 'POST', url: target.url, body: {} }, { ...FAST, timeoutMs: 100 }).catch(
      (caught: unknown) => caught,
    );
    expect(isAppError(error, 'CLOUD_TIMEOUT')).toBe(true);
  });

  it('says when the service cannot be reached', async () => {
    const target = await scripted([200]);
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = undefined;
    const error = await exchangeJson({ method: 'GET', url: target.url }, FAST, 'the VPC service').catch(
      (caught: unknown) => caught,
    );
    expect(isAppError(error, 'CLOUD_UNREACHABLE')).toBe(true);
    expect((error as Error).message).toMatch(/the VPC service/);
    expect((error as AppError).details).toEqual({ endpoint: new URL(target.url).origin });
  });
});

describe('pollUntil', () => {
  it('reads until done, reporting every read', async () => {
    let n = 0;
    const seen: number[] = [];
    const value = await pollUntil(
      async () => ++n,
      (v) => v === 3,
      { timeoutMs: 5_000, initialDelayMs: 1, maxDelayMs: 2, what: 'three' },
      (v) => {
        seen.push(v);
      },
    );
    expect(value).toBe(3);
    expect(seen).toEqual([1, 2, 3]);
  });
  it('gives up with a resumable error, and stops on abort', async () => {
    const error = await pollUntil(
      async () => 0,
      () => false,
      { timeoutMs: 20, initialDelayMs: 5, maxDelayMs: 5, what: 'never' },
    ).catch((caught: unknown) => caught);
    expect(isAppError(error, 'CLOUD_WAIT_TIMEOUT')).toBe(true);
    expect((error as AppError).details).toEqual({ seconds: 0 });
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(
      pollUntil(
        async () => 0,
        () => false,
        { timeoutMs: 1000, initialDelayMs: 5, maxDelayMs: 5, what: 'x', signal: controller.signal },
      ),
    ).rejects.toThrow('stop');
  });
});
