import { mkdir, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createAppContext, type AppContext } from '../../../main/app/context';
import { startWebHost, type WebHost } from '../../../main/web-host/web-host';
import { makeTempDir } from '../../helpers/temp-dir';

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw HTTP request, so tests can send the headers a browser or an attacker would (Host, Origin, cookies). */
function send(port: number, options: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer }): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method: options.method ?? 'GET', path: options.path, headers: options.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    if (options.body) req.write(options.body);
    req.end();
  });
}

describe('web host', () => {
  let app: AppContext;
  let host: WebHost;
  let cleanup: () => Promise<void>;
  let rendererDir: string;

  beforeAll(async () => {
    const temp = await makeTempDir();
    cleanup = temp.cleanup;
    rendererDir = join(temp.dir, 'renderer');
    await mkdir(join(rendererDir, 'assets'), { recursive: true });
    await writeFile(join(rendererDir, 'index.html'), '<!doctype html><html><head><title>t</title></head><body></body></html>');
    await writeFile(join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
    await writeFile(join(temp.dir, 'secret.txt'), 'outside the renderer');
    app = await createAppContext({ dataDir: join(temp.dir, 'data'), host: 'test' });
    host = await startWebHost({ app, rendererDir, maxBodyBytes: 4096 });
  });
  afterAll(async () => {
    await host.close();
    await cleanup();
  });

  const origin = () => `http://127.0.0.1:${host.port}`;
  const hostHeader = () => `127.0.0.1:${host.port}`;
  const call = (name: string, body: unknown, headers: Record<string, string> = {}) =>
    send(host.port, {
      method: 'POST',
      path: `/api/call/${name}`,
      headers: { host: hostHeader(), authorization: `Bearer ${host.token}`, 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  it('listens on loopback only and refuses other bind addresses', async () => {
    expect(host.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await expect(startWebHost({ app, rendererDir, host: '0.0.0.0' })).rejects.toMatchObject({ code: 'WEB_HOST_NOT_LOOPBACK' });
  });

  it('answers API calls with the token', async () => {
    const response = await call('listJobs', {});
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ ok: true, value: [] });
  });

  it('refuses API calls without the token or with a wrong one', async () => {
    const missing = await send(host.port, { method: 'POST', path: '/api/call/listJobs', headers: { host: hostHeader() }, body: '{}' });
    expect(missing.status).toBe(401);
    const wrong = await call('listJobs', {}, { authorization: `Bearer ${'0'.repeat(64)}` });
    expect(wrong.status).toBe(401);
    expect(JSON.parse(wrong.body).error.code).toBe('REFUSED');
  });

  it('refuses requests from a foreign Origin and with a foreign Host (DNS rebinding)', async () => {
    expect((await call('listJobs', {}, { origin: 'http://evil.example' })).status).toBe(403);
    expect((await call('listJobs', {}, { origin: origin() })).status).toBe(200);
    expect((await call('listJobs', {}, { host: `evil.example:${host.port}` })).status).toBe(403);
  });

  it('refuses unknown calls and inputs that fail the contract with clear errors', async () => {
    const unknown = JSON.parse((await call('rmRf', {})).body);
    expect(unknown).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CALL' } });
    const bad = JSON.parse((await call('getJob', { jobId: '../../etc/passwd' })).body);
    expect(bad).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(bad.error.message).toContain('jobId');
    const extra = JSON.parse((await call('listJobs', { sneaky: true })).body);
    expect(extra).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    const proto = JSON.parse((await call('__proto__', {})).body);
    expect(proto.error.code).toBe('UNKNOWN_CALL');
  });

  it('refuses malformed and oversized bodies', async () => {
    const malformed = await send(host.port, {
      method: 'POST',
      path: '/api/call/listJobs',
      headers: { host: hostHeader(), authorization: `Bearer ${host.token}` },
      body: '{"oops',
    });
    expect(malformed.status).toBe(400);
    const big = await call('listJobs', { pad: 'x'.repeat(10_000) });
    expect(big.status).toBe(413);
  });

  it('serves the page only after the launch token, through an HttpOnly cookie, with a strict CSP', async () => {
    expect((await send(host.port, { path: '/', headers: { host: hostHeader() } })).status).toBe(401);
    expect((await send(host.port, { path: `/?token=${'f'.repeat(64)}`, headers: { host: hostHeader() } })).status).toBe(401);
    const launch = await send(host.port, { path: `/?token=${host.token}`, headers: { host: hostHeader() } });
    expect(launch.status).toBe(303);
    const cookie = String(launch.headers['set-cookie']).split(';')[0];
    expect(String(launch.headers['set-cookie'])).toMatch(/HttpOnly; SameSite=Strict/);
    const page = await send(host.port, { path: '/', headers: { host: hostHeader(), cookie } });
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toMatch(/^default-src 'none'/);
    expect(page.body).toContain(`<meta name="image-sealer-token" content="${host.token}">`);
    const asset = await send(host.port, { path: '/assets/app.js', headers: { host: hostHeader(), cookie } });
    expect(asset.status).toBe(200);
    // A cookie alone cannot call the API from a page without our header (cross-site form posts).
    const cookieCall = await send(host.port, { method: 'POST', path: '/api/call/listJobs', headers: { host: hostHeader(), cookie }, body: '{}' });
    expect(cookieCall.status).toBe(403);
  });

  it('refuses path traversal out of the renderer folder', async () => {
    const launch = await send(host.port, { path: `/?token=${host.token}`, headers: { host: hostHeader() } });
    const cookie = String(launch.headers['set-cookie']).split(';')[0];
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/%00', '/assets%5c..%5c..%5csecret.txt']) {
      const response = await send(host.port, { path, headers: { host: hostHeader(), cookie } });
      expect(response.body, path).not.toContain('outside the renderer');
      expect([400, 404], path).toContain(response.status);
    }
  });

  it('streams events over a WebSocket that needs the token and our Origin', async () => {
    const url = `ws://127.0.0.1:${host.port}/api/events`;
    const refused = (protocols: string[], headers: Record<string, string> = {}) =>
      new Promise<number>((resolve) => {
        const socket = new WebSocket(url, protocols, { headers });
        socket.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        socket.on('open', () => resolve(101));
        socket.on('error', () => resolve(-1));
      });
    expect(await refused([])).toBe(401);
    expect(await refused([`image-sealer.${'0'.repeat(64)}`])).toBe(401);
    expect(await refused([`image-sealer.${host.token}`], { origin: 'http://evil.example' })).toBe(401);

    const socket = new WebSocket(url, [`image-sealer.${host.token}`], { headers: { origin: origin() } });
    await new Promise((resolve) => socket.on('open', resolve));
    const received = new Promise<string>((resolve) => socket.on('message', (data: Buffer) => resolve(data.toString())));
    app.events.emit({ type: 'job-updated', jobId: 'job-20260101-aaaaaaaa', state: 'sealed' });
    expect(JSON.parse(await received)).toEqual({ type: 'job-updated', jobId: 'job-20260101-aaaaaaaa', state: 'sealed' });
    // A malformed frame closes that socket and nothing else.
    const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
    (socket as unknown as { _socket: { write: (b: Buffer) => void } })._socket.write(Buffer.from([0x8f, 0x80, 0, 0, 0, 0]));
    expect(await closed).toBeGreaterThanOrEqual(1002);
    expect((await call('listJobs', {})).status).toBe(200);
  });
});
