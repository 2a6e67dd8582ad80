/**
 * What ibm-cloud-sdk-core 5 rejects with (its RequestWrapper.formatError): `status` and the parsed body in
 * `result` when the service answered; only `statusText` (the errno code, e.g. ECONNREFUSED) when it did not.
 */
export interface SdkError {
  status?: number;
  statusText?: string;
  message: string;
  result?: unknown;
  headers?: Record<string, string | undefined>;
}

export function asSdkError(error: unknown): SdkError {
  if (error && typeof error === 'object') {
    const record = error as Record<string, unknown>;
    return {
      status: typeof record.status === 'number' ? record.status : undefined,
      statusText: typeof record.statusText === 'string' ? record.statusText : undefined,
      message: typeof record.message === 'string' ? record.message : String(error),
      result: record.result,
      headers:
        record.headers && typeof record.headers === 'object'
          ? (record.headers as Record<string, string | undefined>)
          : undefined,
    };
  }
  return { message: String(error) };
}

/** Connection-level failures (no HTTP answer) that are worth retrying. */
export const TRANSIENT_NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ECONNABORTED',
  'EPIPE',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
]);

export function retryAfterMs(error: SdkError): number | undefined {
  const value = error.headers?.['retry-after'];
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
