import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Small helpers the sandbox's HTTP stand-ins share: loopback listening, bounded bodies, JSON answers. */

export type RequestHandler = (request: IncomingMessage, response: ServerResponse) => Promise<void>;

export interface ListeningServer {
  url: string;
  server: Server;
  stop(): Promise<void>;
}

/**
 * Listens on 127.0.0.1 with a port the OS picks. `unref` lets a process that started the sandbox only for
 * itself (a CLI command) exit when its own work is done.
 */
export async function listenLoopback(
  handler: RequestHandler,
  options: { unref?: boolean; onError?: (error: unknown) => void } = {},
): Promise<ListeningServer> {
  const server = createServer((request, response) => {
    handler(request, response).catch((error: unknown) => {
      options.onError?.(error);
      if (!response.headersSent) {
        sendJson(response, 500, { error: 'internal sandbox error' });
      } else {
        response.destroy();
      }
    });
  });
  // Short keep-alive so idle client connections never hold a finished process open for long.
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  if (options.unref) server.unref();
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export class BodyTooLargeError extends Error {}

export async function readBody(request: IncomingMessage, limit = 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limit) throw new BodyTooLargeError(`request body larger than ${limit} bytes`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  contentType = 'application/json',
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

export function sendEmpty(response: ServerResponse, status: number): void {
  response.writeHead(status, { 'content-length': 0 });
  response.end();
}

/** The media type of a request without parameters, lower case ('' when absent). */
export function mediaType(request: IncomingMessage): string {
  return (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}
