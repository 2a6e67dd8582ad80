/// <reference lib="dom" />
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { test, expect } from './support/fixtures';

interface Reply {
  status: number;
  body: string;
}

/** A raw HTTP request, so tests can set headers a browser would not let them (Host, Origin). */
function send(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string },
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

function call(url: string, headers: Record<string, string>): Promise<Reply> {
  return send(`${url}/api/call/listJobs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: '{}',
  });
}

function openSocket(url: string, protocols: string[], origin?: string): Promise<'open' | number> {
  return new Promise((resolve) => {
    const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/api/events`, protocols, origin ? { origin } : {});
    socket.on('open', () => {
      socket.close();
      resolve('open');
    });
    socket.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    socket.on('error', () => resolve(0));
  });
}

test.use({ hostScope: 'security' });

test.describe('the web host refuses requests that are not from the app', () => {
  test('API calls need the token, from our own Origin and Host', async ({ host }) => {
    const ok = await call(host.url, { authorization: `Bearer ${host.token}` });
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body)).toMatchObject({ ok: true });

    const missing = await call(host.url, {});
    expect(missing.status).toBe(401);
    expect(JSON.parse(missing.body)).toMatchObject({ ok: false, error: { code: 'REFUSED' } });

    const wrong = await call(host.url, { authorization: `Bearer ${'0'.repeat(host.token.length)}` });
    expect(wrong.status).toBe(401);

    const foreignOrigin = await call(host.url, {
      authorization: `Bearer ${host.token}`,
      origin: 'http://evil.example',
    });
    expect(foreignOrigin.status).toBe(403);
    expect(foreignOrigin.body).toContain('foreign Origin');

    const rebinding = await call(host.url, { authorization: `Bearer ${host.token}`, host: 'evil.example' });
    expect(rebinding.status).toBe(403);

    // The page itself is served only with the session cookie the launch URL hands out.
    expect((await send(`${host.url}/`, {})).status).toBe(401);
    expect((await send(`${host.url}/?token=nope`, {})).status).toBe(401);
    const launch = await send(host.launchUrl, {});
    expect(launch.status).toBe(303);
  });

  test('the event socket needs the token and our Origin', async ({ host }) => {
    expect(await openSocket(host.url, [`image-sealer.${host.token}`])).toBe('open');
    expect(await openSocket(host.url, [])).toBe(401);
    expect(await openSocket(host.url, ['image-sealer.wrong'])).toBe(401);
    expect(await openSocket(host.url, [`image-sealer.${host.token}`], 'http://evil.example')).toBe(401);
  });

  test('a page from another local origin cannot use the session, even with the cookie', async ({ page, host }) => {
    await page.goto(host.launchUrl); // the session cookie, as the real app would have it
    // Another site on 127.0.0.1 (another port is another origin but the same site, so the cookie would go along).
    const evil: Server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><title>elsewhere</title><p>elsewhere</p>');
    });
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', () => resolve()));
    const evilUrl = `http://127.0.0.1:${(evil.address() as AddressInfo).port}/`;
    try {
      await page.goto(evilUrl);
      const outcome = await page.evaluate(async (target) => {
        const attempts: string[] = [];
        for (const headers of [
          { 'content-type': 'text/plain' },
          { 'x-image-sealer': '1', 'content-type': 'application/json' },
        ]) {
          try {
            const response = await fetch(`${target}/api/call/listJobs`, {
              method: 'POST',
              credentials: 'include',
              headers: headers as Record<string, string>,
              body: '{}',
            });
            attempts.push(`status ${response.status}: ${(await response.text()).slice(0, 80)}`);
          } catch (error) {
            attempts.push(`blocked: ${(error as Error).name}`);
          }
        }
        return attempts;
      }, host.url);
      // Either the browser blocks the response (CORS) or the host refuses it; never a job list.
      for (const attempt of outcome) expect(attempt).not.toMatch(/"ok":true/);
    } finally {
      await new Promise<void>((resolve) => evil.close(() => resolve()));
    }
  });
});
