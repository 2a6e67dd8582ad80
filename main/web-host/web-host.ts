import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { WebSocketServer, type WebSocket } from 'ws';
import type { AppContext } from '../app/context';
import { RENDERER_CSP } from '../common/csp';
import { AppError, toErrorShape } from '../common/errors';
import { dispatch } from '../api/dispatch';
import type { CallResult } from '../api/contract';
import { openStatic, readStaticText, resolveStaticFile } from './static-files';

export interface WebHostOptions {
  app: AppContext;
  /** the built renderer (index.html and assets) */
  rendererDir: string;
  port?: number;
  /** only loopback addresses are accepted */
  host?: string;
  token?: string;
  maxBodyBytes?: number;
}

export interface WebHost {
  url: string;
  /** the URL to open: carries the token once; the page then keeps it in a cookie and a meta tag */
  launchUrl: string;
  token: string;
  port: number;
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);
const SESSION_COOKIE = 'image_sealer_session';
const WS_PROTOCOL_PREFIX = 'image-sealer.';

/**
 * Serves the renderer and the API on loopback for browsers: every request and socket must carry the per-launch
 * token, browser requests must come from our own Origin, and the Host header must name us (DNS rebinding).
 */
export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const host = options.host ?? '127.0.0.1';
  if (!LOOPBACK.has(host)) {
    throw new AppError('WEB_HOST_NOT_LOOPBACK', `The web host only listens on loopback (127.0.0.1), not on ${host}.`, {
      hint: 'Use an SSH tunnel to reach it from another machine.',
    });
  }
  const token = options.token ?? randomBytes(32).toString('hex');
  const maxBody = options.maxBodyBytes ?? 1024 * 1024;
  const app = options.app;
  let port = 0;

  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
  const allowedOrigins = () => new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`, `http://[::1]:${port}`]);

  const tokenMatches = (candidate: string | undefined | null): boolean => {
    if (!candidate) return false;
    const a = Buffer.from(candidate);
    const b = Buffer.from(token);
    return a.length === b.length && timingSafeEqual(a, b);
  };

  const sessionToken = (req: IncomingMessage): string | null => {
    const cookies = req.headers.cookie ?? '';
    for (const part of cookies.split(';')) {
      const [name, ...rest] = part.trim().split('=');
      if (name === SESSION_COOKIE) return rest.join('=');
    }
    return null;
  };

  const bearer = (req: IncomingMessage): string | null => {
    const header = req.headers.authorization ?? '';
    return header.startsWith('Bearer ') ? header.slice(7) : null;
  };

  /** Host and Origin checks shared by HTTP and WebSocket. Returns a refusal reason or null. */
  const refuseByHeaders = (req: IncomingMessage): string | null => {
    if (!req.headers.host || !allowedHosts().has(req.headers.host)) return 'unexpected Host header';
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedOrigins().has(origin)) return 'foreign Origin';
    return null;
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { ok: false, error: toErrorShape(error) });
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    setSecurityHeaders(res);
    const refusal = refuseByHeaders(req);
    if (refusal) return sendJson(res, 403, refusedBody(refusal));
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);

    if (url.pathname.startsWith('/api/')) {
      if (!tokenMatches(bearer(req)) && !tokenMatches(sessionToken(req))) {
        return sendJson(res, 401, refusedBody('missing or wrong token'));
      }
      // Cookie-authenticated browser requests must also show they are ours (no cross-site form posts).
      if (!tokenMatches(bearer(req)) && req.headers['x-image-sealer'] !== '1') {
        return sendJson(res, 403, refusedBody('missing X-Image-Sealer header'));
      }
      if (url.pathname.startsWith('/api/call/') && req.method === 'POST') {
        const name = url.pathname.slice('/api/call/'.length);
        const body = await readJsonBody(req, maxBody);
        if (!body.ok) {
          // The rest of an oversized body is never read: answer, then close the connection.
          res.setHeader('connection', 'close');
          res.on('finish', () => req.socket?.destroy());
          return sendJson(res, body.status, { ok: false, error: body.error });
        }
        const result = await dispatch(app, name, body.value);
        return sendJson(res, 200, result);
      }
      if (url.pathname === '/api/upload' && req.method === 'PUT') {
        return receiveUpload(req, res, url);
      }
      return sendJson(res, 404, refusedBody('no such endpoint'));
    }

    if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, refusedBody('method not allowed'));
    if (!isCleanPath(url.pathname)) return sendJson(res, 400, refusedBody('malformed path'));
    const queryToken = url.searchParams.get('token');
    if (queryToken !== null) {
      if (!tokenMatches(queryToken)) return sendJson(res, 401, refusedBody('missing or wrong token'));
      // Trade the one-time URL token for a same-site, script-inaccessible cookie and drop it from the address bar.
      res.setHeader('set-cookie', `${SESSION_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`);
      res.writeHead(303, { location: url.pathname });
      res.end();
      return;
    }
    if (!tokenMatches(sessionToken(req))) return sendJson(res, 401, refusedBody('missing or wrong token'));
    const file =
      (await resolveStaticFile(options.rendererDir, url.pathname)) ??
      (url.pathname.includes('.') ? null : await resolveStaticFile(options.rendererDir, '/index.html'));
    if (!file) return sendJson(res, 404, refusedBody('not found'));
    if (file.path.endsWith('.html')) {
      const html = (await readStaticText(file)).replace(
        '<head>',
        `<head><meta name="image-sealer-token" content="${token}">`,
      );
      res.writeHead(200, { 'content-type': file.contentType, 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : html);
      return;
    }
    res.writeHead(200, { 'content-type': file.contentType, 'content-length': String(file.size) });
    if (req.method === 'HEAD') return void res.end();
    await pipeline(openStatic(file), res);
  }

  /** A file dropped on the web UI, streamed to the data folder so the job can read it like any local path. */
  async function receiveUpload(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const rawName = url.searchParams.get('name') ?? 'image';
    const safeName = basename(rawName).replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 120) || 'image';
    const dir = join(app.paths.root, 'incoming');
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const path = join(dir, `${randomBytes(4).toString('hex')}-${safeName}`);
    try {
      await pipeline(req, createWriteStream(path, { mode: 0o600 }));
    } catch (error) {
      await rm(path, { force: true });
      throw error;
    }
    sendJson(res, 200, { ok: true, value: { path } });
  }

  const sockets = new WebSocketServer({
    noServer: true,
    maxPayload: 64 * 1024,
    handleProtocols: (protocols) => {
      for (const protocol of protocols) if (protocol.startsWith(WS_PROTOCOL_PREFIX)) return protocol;
      return false;
    },
  });

  server.on('upgrade', (req, socket, head) => {
    const refusal = refuseByHeaders(req);
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    const offered = String(req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((value) => value.trim())
      .find((value) => value.startsWith(WS_PROTOCOL_PREFIX));
    const authorized = tokenMatches(offered?.slice(WS_PROTOCOL_PREFIX.length)) || tokenMatches(sessionToken(req));
    if (refusal || url.pathname !== '/api/events' || !authorized) {
      socket.write('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      socket.destroy();
      return;
    }
    sockets.handleUpgrade(req, socket, head, (ws) => attach(ws));
  });

  function attach(ws: WebSocket): void {
    const unsubscribe = app.events.on((event) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(event));
    });
    ws.on('message', () => {
      // The event socket is one-way; a client that talks is ignored, a malformed frame closes it (ws does that).
    });
    ws.on('close', unsubscribe);
    ws.on('error', () => {
      unsubscribe();
      ws.terminate();
    });
  }

  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host === 'localhost' ? '127.0.0.1' : host, () => resolvePromise());
  });
  port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    launchUrl: `${url}/?token=${token}`,
    token,
    port,
    close: async () => {
      for (const client of sockets.clients) client.terminate();
      sockets.close();
      server.closeAllConnections();
      await new Promise<void>((resolvePromise) => server.close(() => resolvePromise()));
    },
  };
}

/** Paths with NUL bytes, backslashes, dot segments or broken percent-encoding never reach the file system. */
function isCleanPath(pathname: string): boolean {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return false;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return false;
  return !decoded.split('/').some((segment) => segment === '..' || segment === '.');
}

function refusedBody(reason: string): CallResult {
  return { ok: false, error: { code: 'REFUSED', message: `Request refused: ${reason}.` } };
}

function setSecurityHeaders(res: ServerResponse): void {
  res.setHeader('content-security-policy', RENDERER_CSP);
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('referrer-policy', 'no-referrer');
  res.setHeader('cross-origin-opener-policy', 'same-origin');
  res.setHeader('cross-origin-resource-policy', 'same-origin');
  res.setHeader('x-frame-options', 'DENY');
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(text);
}

type BodyResult = { ok: true; value: unknown } | { ok: false; status: number; error: { code: string; message: string } };

async function readJsonBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > limit) {
    req.resume();
    return { ok: false, status: 413, error: { code: 'BODY_TOO_LARGE', message: `Request body over ${limit} bytes.` } };
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      req.pause();
      return { ok: false, status: 413, error: { code: 'BODY_TOO_LARGE', message: `Request body over ${limit} bytes.` } };
    }
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown };
  } catch {
    return { ok: false, status: 400, error: { code: 'INVALID_JSON', message: 'The request body is not valid JSON.' } };
  }
}
