import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { AppError } from '../common/errors';

/** Hands out a current IAM access token (refreshed by its owner before expiry). */
export type TokenSource = () => Promise<string>;

export interface JsonRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  /** serialized as JSON when present */
  body?: unknown;
  /** sent as is (e.g. a form), instead of `body` */
  rawBody?: string;
  signal?: AbortSignal;
}

export interface JsonResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** parsed JSON, or null for an empty body, or the raw text when the body is not JSON */
  body: unknown;
}

export interface HttpPolicy {
  /** per attempt, for headers and for the body each */
  timeoutMs: number;
  /** attempts after the first */
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_HTTP_POLICY: HttpPolicy = { timeoutMs: 30_000, retries: 4, baseDelayMs: 500, maxDelayMs: 15_000 };

/** Network failures that mean the request never reached the service, so even a create may be sent again. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);
/** Failures after which a read may be repeated (the service may or may not have seen the request). */
const TRANSIENT_CODES = new Set([
  ...NOT_SENT_CODES,
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * A create (POST) that reached the service must not be repeated blindly: a 5xx or a cut connection may still
 * have created the image or instance. Only a 429 (refused before processing) or a connection that never opened
 * is safe to retry for it; reads and deletes retry on every transient failure.
 */
function mayRetry(method: JsonRequest['method'], status: number | null, code: string | undefined): boolean {
  const idempotent = method !== 'POST' && method !== 'PATCH';
  if (status !== null) return status === 429 || (idempotent && status >= 500);
  if (code === undefined) return false;
  return idempotent ? TRANSIENT_CODES.has(code) : NOT_SENT_CODES.has(code);
}

function retryAfterMs(headers: JsonResponse['headers']): number | null {
  const value = headers['retry-after'];
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return null;
  const seconds = Number(text);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(text);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : null;
}

export function backoffDelay(attempt: number, policy: Pick<HttpPolicy, 'baseDelayMs' | 'maxDelayMs'>): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  // Full jitter keeps many clients from retrying in step.
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}

export function parseBody(text: string): unknown {
  if (text.length === 0) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/**
 * One JSON exchange with retries and a timeout on every attempt. Returns any HTTP status: the caller's
 * service module turns error statuses into AppErrors (each IBM service has its own error envelope).
 */
export async function exchangeJson(
  input: JsonRequest,
  policy: HttpPolicy = DEFAULT_HTTP_POLICY,
  describeService = 'the service',
): Promise<JsonResponse> {
  const headers: Record<string, string> = { accept: 'application/json', ...input.headers };
  let payload: string | undefined = input.rawBody;
  if (input.body !== undefined) {
    payload = JSON.stringify(input.body);
    headers['content-type'] ??= 'application/json';
  }
  for (let attempt = 0; ; attempt += 1) {
    input.signal?.throwIfAborted();
    let response: JsonResponse | null = null;
    let failure: unknown = null;
    try {
      const result = await request(input.url, {
        method: input.method,
        headers,
        body: payload,
        signal: input.signal,
        headersTimeout: policy.timeoutMs,
        bodyTimeout: policy.timeoutMs,
      });
      const text = await result.body.text();
      response = { status: result.statusCode, headers: result.headers, body: parseBody(text) };
    } catch (error) {
      if (input.signal?.aborted) throw input.signal.reason ?? error;
      failure = error;
    }
    const status = response?.status ?? null;
    const retryable = status === null || status === 429 || status >= 500;
    if (response && !retryable) return response;
    if (attempt < policy.retries && mayRetry(input.method, status, errorCode(failure))) {
      const delay = (response && retryAfterMs(response.headers)) ?? backoffDelay(attempt, policy);
      await sleep(Math.min(delay, policy.maxDelayMs), undefined, { signal: input.signal });
      continue;
    }
    if (response) return response;
    throw networkError(failure, input, describeService);
  }
}

function networkError(error: unknown, input: JsonRequest, service: string): AppError {
  const code = errorCode(error) ?? 'UNKNOWN';
  const host = safeOrigin(input.url);
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'ETIMEDOUT') {
    return new AppError('CLOUD_TIMEOUT', `${service} at ${host} did not answer in time.`, {
      hint: 'Check the network connection and the endpoint in the profile, then resume the job.',
      details: { endpoint: host },
      cause: error,
    });
  }
  return new AppError('CLOUD_UNREACHABLE', `Could not reach ${service} at ${host} (${code}).`, {
    hint: 'Check the network connection and the endpoint in the profile (for the sandbox: is it running?), then resume the job.',
    details: { endpoint: host },
    cause: error,
  });
}

function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}

/** One call of an IBM REST API the cloud clients make: path, query, JSON body. */
export interface CloudCall {
  method: JsonRequest['method'];
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  signal?: AbortSignal;
}

/**
 * Sends a call with the IAM bearer token and returns the body of a 2xx answer; any other answer becomes the
 * service's own error (`toError`), which knows its error envelope.
 */
export async function callWithBearer(
  url: URL,
  call: CloudCall,
  token: TokenSource,
  policy: HttpPolicy,
  serviceName: string,
  toError: (response: JsonResponse) => Error,
): Promise<unknown> {
  for (const [key, value] of Object.entries(call.query ?? {})) url.searchParams.set(key, value);
  const response = await exchangeJson(
    {
      method: call.method,
      url: url.href,
      headers: { authorization: `Bearer ${await token()}` },
      body: call.body,
      signal: call.signal,
    },
    policy,
    serviceName,
  );
  if (response.status >= 200 && response.status < 300) return response.body;
  throw toError(response);
}
