import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A plain HTTP proxy for JSON services (Key Protect, IAM, VPC) that lets a test answer chosen requests itself:
 * a 409/422/429/5xx with a service's error envelope, a delay, or a dropped connection. Everything else passes
 * to the real sandbox service unchanged.
 */
export interface HttpRequestInfo {
  index: number;
  method: string;
  /** path and query, e.g. `/api/v2/keys/<id>/actions/wrap` */
  url: string;
  /** the `action` of a Key Protect key action (`wrap`, `unwrap`, …), from the path or `?action=` */
  keyAction: string | undefined;
}

export type HttpFault =
  | { kind: 'pass' }
  | { kind: 'delay'; ms: number }
  /** forward at once, but hold the service's answer back for `ms` */
  | { kind: 'slow-answer'; ms: number }
  | { kind: 'status'; status: number; body: unknown; headers?: Record<string, string> }
  | { kind: 'drop' };

export interface HttpFaultProxy {
  url: string;
  setScript(script: (request: HttpRequestInfo) => HttpFault): void;
  /** every fault that was injected, in order */
  injected: { kind: HttpFault['kind']; status?: number; url: string }[];
  requests: HttpRequestInfo[];
  close(): Promise<void>;
}

/** Key Protect's error envelope, as the real service sends it. */
export function keyProtectError(
  status: number,
  reason: string,
  message: string,
): { kind: 'status'; status: number; body: unknown } {
  return {
    kind: 'status',
    status,
    body: {
      metadata: { collectionType: 'application/vnd.ibm.kms.error+json', collectionTotal: 1 },
      resources: [
        {
          errorMsg: message,
          reasons: [{ code: reason, message, status, moreInfo: 'https://cloud.ibm.com/apidocs/key-protect' }],
        },
      ],
    },
  };
}

function keyActionOf(url: string): string | undefined {
  const parsed = new URL(url, 'http://proxy');
  const fromPath = /\/actions\/([a-zA-Z]+)$/.exec(parsed.pathname)?.[1];
  return fromPath ?? parsed.searchParams.get('action') ?? undefined;
}

export async function startHttpFaultProxy(target: string): Promise<HttpFaultProxy> {
  const upstream = new URL(target);
  let script: (request: HttpRequestInfo) => HttpFault = () => ({ kind: 'pass' });
  const injected: HttpFaultProxy['injected'] = [];
  const requests: HttpRequestInfo[] = [];

  const forward = (clientRequest: IncomingMessage, clientResponse: ServerResponse, answerDelayMs = 0) => {
    const upstreamRequest = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: clientRequest.method,
        path: clientRequest.url,
        headers: { ...clientRequest.headers, host: upstream.host },
      },
      (upstreamResponse) => {
        const answer = () => {
          clientResponse.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers);
          upstreamResponse.pipe(clientResponse);
        };
        if (answerDelayMs > 0) {
          upstreamResponse.pause();
          setTimeout(answer, answerDelayMs);
        } else answer();
      },
    );
    upstreamRequest.on('error', () => clientResponse.destroy());
    clientRequest.pipe(upstreamRequest);
  };

  const server: Server = createServer((clientRequest, clientResponse) => {
    const info: HttpRequestInfo = {
      index: requests.length,
      method: clientRequest.method ?? 'GET',
      url: clientRequest.url ?? '/',
      keyAction: keyActionOf(clientRequest.url ?? '/'),
    };
    requests.push(info);
    const fault = script(info);
    if (fault.kind !== 'pass')
      injected.push({ kind: fault.kind, status: fault.kind === 'status' ? fault.status : undefined, url: info.url });
    switch (fault.kind) {
      case 'pass':
        forward(clientRequest, clientResponse);
        return;
      case 'delay':
        setTimeout(() => forward(clientRequest, clientResponse), fault.ms);
        return;
      case 'slow-answer':
        forward(clientRequest, clientResponse, fault.ms);
        return;
      case 'drop':
        clientRequest.socket.destroy();
        return;
      case 'status': {
        clientRequest.resume();
        clientRequest.on('end', () => {
          const body = JSON.stringify(fault.body);
          clientResponse.writeHead(fault.status, {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            ...fault.headers,
          });
          clientResponse.end(body);
        });
        return;
      }
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    setScript: (next) => (script = next),
    injected,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
