import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Test-only HTTP proxy in front of an S3 server (s3rver) that injects the failures a real link and a busy COS
 * produce: delays, dropped connections, 503 SlowDown / 500 answers, and sockets cut in the middle of a part.
 * Each test scripts it with a function that picks the fault for every request. The Host header is passed
 * through unchanged, so SigV4 signatures made for the proxy's address stay valid at the server.
 */
export interface ProxiedRequest {
  /** 0-based index of this request through the proxy */
  index: number;
  method: string;
  url: string;
  /** set for UploadPart requests */
  partNumber: number | undefined;
  uploadId: string | undefined;
  contentLength: number;
}

export type Fault =
  | { kind: 'pass' }
  | { kind: 'delay'; ms: number }
  /** answer with this status and S3 error code without contacting the server */
  | { kind: 'status'; status: number; code: string }
  /** close the client's connection before reading anything */
  | { kind: 'drop' }
  /** forward `afterBytes` of the body, then cut both connections */
  | { kind: 'cut'; afterBytes: number };

export type FaultScript = (request: ProxiedRequest) => Fault;

export interface FaultProxy {
  url: string;
  port: number;
  /** replaces the script (default: pass everything) */
  setScript(script: FaultScript): void;
  stats: {
    requests: number;
    /** body bytes of UploadPart requests that reached the server, re-sent ones included */
    partBytesForwarded: number;
    /** body bytes of UploadPart requests received from the client (forwarded or not) */
    partBytesReceived: number;
    faults: { kind: Fault['kind']; partNumber: number | undefined }[];
  };
  close(): Promise<void>;
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  let script: FaultScript = () => ({ kind: 'pass' });
  let index = 0;
  const stats: FaultProxy['stats'] = { requests: 0, partBytesForwarded: 0, partBytesReceived: 0, faults: [] };

  const server: Server = createServer((clientRequest, clientResponse) => {
    const url = new URL(clientRequest.url ?? '/', 'http://proxy');
    const partNumberText = url.searchParams.get('partNumber');
    const info: ProxiedRequest = {
      index: index++,
      method: clientRequest.method ?? 'GET',
      url: clientRequest.url ?? '/',
      partNumber: partNumberText !== null && clientRequest.method === 'PUT' ? Number(partNumberText) : undefined,
      uploadId: url.searchParams.get('uploadId') ?? undefined,
      contentLength: Number(clientRequest.headers['content-length'] ?? 0),
    };
    stats.requests += 1;
    const fault = script(info);
    if (fault.kind !== 'pass') stats.faults.push({ kind: fault.kind, partNumber: info.partNumber });
    const isPart = info.partNumber !== undefined;
    if (isPart) clientRequest.on('data', (chunk: Buffer) => (stats.partBytesReceived += chunk.length));

    switch (fault.kind) {
      case 'drop':
        clientRequest.socket.destroy();
        return;
      case 'status':
        clientRequest.resume();
        clientRequest.on('end', () => sendError(clientResponse, fault.status, fault.code));
        return;
      case 'delay':
        clientRequest.pause();
        setTimeout(() => forward(clientRequest, clientResponse, isPart, undefined), fault.ms);
        return;
      case 'cut':
        forward(clientRequest, clientResponse, isPart, fault.afterBytes);
        return;
      default:
        forward(clientRequest, clientResponse, isPart, undefined);
    }
  });
  server.keepAliveTimeout = 5000;

  function forward(clientRequest: IncomingMessage, clientResponse: ServerResponse, isPart: boolean, cutAfter: number | undefined): void {
    const upstreamRequest = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: clientRequest.method,
        path: clientRequest.url,
        headers: clientRequest.headers,
      },
      (upstreamResponse) => {
        clientResponse.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers);
        upstreamResponse.pipe(clientResponse);
      },
    );
    upstreamRequest.on('error', () => clientRequest.socket.destroy());
    clientRequest.on('error', () => upstreamRequest.destroy());
    let forwarded = 0;
    clientRequest.on('data', (chunk: Buffer) => {
      if (cutAfter !== undefined && forwarded + chunk.length >= cutAfter) {
        const head = chunk.subarray(0, Math.max(0, cutAfter - forwarded));
        forwarded += head.length;
        if (isPart) stats.partBytesForwarded += head.length;
        upstreamRequest.write(head);
        // Mid-part failure as a flaky link makes it: both sides see their connection die.
        clientRequest.socket.destroy();
        upstreamRequest.destroy();
        return;
      }
      forwarded += chunk.length;
      if (isPart) stats.partBytesForwarded += chunk.length;
      if (!upstreamRequest.write(chunk)) {
        clientRequest.pause();
        upstreamRequest.once('drain', () => clientRequest.resume());
      }
    });
    clientRequest.on('end', () => upstreamRequest.end());
    clientRequest.resume();
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    setScript: (next) => {
      script = next;
    },
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function sendError(response: ServerResponse, status: number, code: string): void {
  const body = Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>injected by the fault proxy</Message></Error>`);
  response.writeHead(status, { 'Content-Type': 'application/xml', 'Content-Length': String(body.length), Connection: 'close' });
  response.end(body);
}
