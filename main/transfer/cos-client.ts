import { Readable } from 'node:stream';
import { Agent, request as undiciRequest } from 'undici';
import IBM from 'ibm-cos-sdk';
import { AppError } from '../common/errors';
import { normalizeEtag } from './plan';

/**
 * The one module that talks to Cloud Object Storage. Control calls (create, list, complete, abort, head, get) go
 * through ibm-cos-sdk; part bodies go out through undici with the SDK still doing the signing (a presigned part
 * URL for HMAC, the SDK's IAM token for bearer auth), because the SDK's own send path hashes every body with
 * SHA-256 and copies it, which was the bottleneck measured by bench/upload.ts.
 *
 * Payload signing: with HMAC the part URL is presigned with `UNSIGNED-PAYLOAD` and a signed `Content-MD5` header,
 * so the server still rejects a body that does not match the MD5 we computed. That is what the SDK itself does
 * over HTTPS (`s3DisableBodySigning`). Over plain HTTP we allow it only for loopback endpoints (the sandbox,
 * where nothing sits between client and server); plain HTTP to any other host sends parts through the SDK,
 * which signs the payload's SHA-256.
 */

export type CosAuth =
  | { kind: 'hmac'; accessKeyId: string; secretAccessKey: string }
  | { kind: 'iam'; apiKey: string; serviceInstanceId?: string; iamEndpoint?: string };

export interface CosClientConfig {
  /** e.g. https://s3.us-south.cloud-object-storage.appdomain.cloud or http://127.0.0.1:PORT */
  endpoint: string;
  region: string;
  auth: CosAuth;
  /** timeout of control calls (create, complete, head …), ms */
  requestTimeoutMs?: number;
  /** 'auto' (default) sends parts directly where allowed; 'sdk' forces the SDK's own uploadPart */
  partTransport?: 'auto' | 'sdk';
}

export interface UploadPartInput {
  bucket: string;
  key: string;
  uploadId: string;
  partNumber: number;
  /** the part's bytes, or chunks of them (e.g. throttled); `size` must match */
  body: Buffer | AsyncIterable<Uint8Array>;
  size: number;
  /** binary MD5 of the part, computed once by the caller */
  md5: Buffer;
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface ListedPart {
  partNumber: number;
  etag: string;
  size: number;
}

export interface ObjectInfo {
  size: number;
  etag: string | undefined;
}

/** A COS failure a person can meet; `retryable` tells the engine whether trying again may help. */
export class CosError extends AppError {
  readonly retryable: boolean;
  readonly status: number | undefined;
  readonly serverCode: string | undefined;

  constructor(
    code: string,
    message: string,
    options: {
      hint?: string;
      retryable: boolean;
      status?: number;
      serverCode?: string;
      cause?: unknown;
      /** where it happened (bucket, endpoint, region), for messages that name it */
      where?: { bucket?: string; endpoint: string; region: string };
    },
  ) {
    super(code, message, {
      hint: options.hint,
      cause: options.cause,
      details: { status: options.status, serverCode: options.serverCode, ...options.where },
    });
    this.retryable = options.retryable;
    this.status = options.status;
    this.serverCode = options.serverCode;
  }
}

export function isRetryableCosError(error: unknown): boolean {
  return error instanceof CosError && error.retryable;
}

interface ErrorContext {
  operation: string;
  bucket?: string;
  key?: string;
  endpoint: string;
  region: string;
  authKind: CosAuth['kind'];
}

const RETRYABLE_NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'NetworkingError',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeTooSkewed',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH',
]);

/** Maps an HTTP status + S3 error code (or a network failure) to an error that says what to do. */
export function mapCosError(
  failure: { status?: number; code?: string; message?: string; cause?: unknown },
  context: ErrorContext,
): CosError {
  const { status, code } = failure;
  const where = context.bucket ? `bucket "${context.bucket}"` : 'the service';
  const serverSays = failure.message ? ` (${code ?? status}: ${failure.message})` : code ? ` (${code})` : '';
  const common = {
    status,
    serverCode: code,
    cause: failure.cause,
    where: { bucket: context.bucket, endpoint: context.endpoint, region: context.region },
  };

  if (status === 401 || code === 'InvalidAccessKeyId' || code === 'SignatureDoesNotMatch' || code === 'InvalidToken' || code === 'ExpiredToken') {
    const which =
      code === 'InvalidAccessKeyId'
        ? 'The HMAC access key ID is not known to Cloud Object Storage'
        : code === 'SignatureDoesNotMatch'
          ? 'The HMAC secret access key does not match the access key ID'
          : context.authKind === 'iam'
            ? 'The IAM token was not accepted'
            : 'The credentials were not accepted';
    return new CosError('COS_CREDENTIALS_REJECTED', `${which}${serverSays}.`, {
      ...common,
      retryable: false,
      hint:
        context.authKind === 'iam'
          ? 'Check the API key in the profile (Settings → Profiles) and that it belongs to the account that owns the bucket.'
          : 'Check the HMAC access key ID and secret in the profile; create new HMAC credentials for the COS instance if needed.',
    });
  }
  if (status === 403) {
    return new CosError(
      'COS_ACCESS_DENIED',
      `The credentials are valid but not allowed to ${context.operation} in ${where}${serverSays}.`,
      {
        ...common,
        retryable: false,
        hint: 'Give the service ID or user the Writer role on the bucket (IAM → Access), or use credentials that have it.',
      },
    );
  }
  if (code === 'NoSuchBucket') {
    return new CosError(
      'COS_BUCKET_NOT_FOUND',
      `There is no bucket "${context.bucket ?? ''}" at ${context.endpoint} (region ${context.region}).`,
      {
        ...common,
        retryable: false,
        hint: 'Check the bucket name. If it exists, it is in another region: use the endpoint of the bucket\'s region (Regional buckets only) in the profile.',
      },
    );
  }
  if (code === 'NoSuchUpload') {
    return new CosError('COS_UPLOAD_NOT_FOUND', `The multipart upload no longer exists in ${where}.`, {
      ...common,
      retryable: false,
      hint: 'It was aborted or expired; the upload starts again from the beginning.',
    });
  }
  if (status === 404) {
    return new CosError('COS_NOT_FOUND', `Not found in ${where}: ${context.key ?? ''}${serverSays}.`, {
      ...common,
      retryable: false,
    });
  }
  if (status === 405 || status === 501) {
    return new CosError('COS_UNSUPPORTED', `The server does not support ${context.operation}${serverSays}.`, {
      ...common,
      retryable: false,
    });
  }
  if (code === 'BadDigest' || code === 'IncompleteBody' || code === 'RequestTimeout') {
    // The bytes were damaged or cut on the way: sending the part again is the cure.
    return new CosError('COS_TRANSFER_DAMAGED', `A part did not arrive intact${serverSays}.`, { ...common, retryable: true });
  }
  if (status === 429 || code === 'SlowDown' || (status !== undefined && status >= 500)) {
    return new CosError('COS_UNAVAILABLE', `Cloud Object Storage is busy or unavailable${serverSays}.`, {
      ...common,
      retryable: true,
      hint: 'The upload retries by itself; if this persists, resume the job later.',
    });
  }
  if (status === 400) {
    return new CosError('COS_BAD_REQUEST', `Cloud Object Storage refused the ${context.operation} request${serverSays}.`, {
      ...common,
      retryable: false,
      hint: 'Check the bucket and object name (object keys: up to 1024 bytes of UTF-8).',
    });
  }
  if (status === undefined && code !== undefined && RETRYABLE_NETWORK_CODES.has(code)) {
    const unreachable = code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'ECONNREFUSED';
    return new CosError(
      unreachable ? 'COS_UNREACHABLE' : 'COS_NETWORK',
      unreachable
        ? `Cannot reach Cloud Object Storage at ${context.endpoint} (${code}).`
        : `The connection to Cloud Object Storage failed during ${context.operation} (${code}).`,
      {
        ...common,
        retryable: true,
        hint: unreachable
          ? 'Check the network and the endpoint in the profile; the upload can be resumed.'
          : 'The upload retries by itself and can be resumed later.',
      },
    );
  }
  return new CosError('COS_FAILED', `Cloud Object Storage ${context.operation} failed${serverSays || `: ${failure.message ?? 'unknown error'}`}.`, {
    ...common,
    retryable: status === undefined,
  });
}

interface SdkError {
  code?: string;
  statusCode?: number;
  message?: string;
  name?: string;
}

function isLoopbackHost(hostname: string): boolean {
  return hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]' || hostname === '::1';
}

/** Encodes an object key for a URL path the way S3 expects (each segment escaped, slashes kept). */
function encodeKey(key: string): string {
  return key
    .split('/')
    .map((segment) => encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`))
    .join('/');
}

export class CosClient {
  readonly endpoint: string;
  readonly region: string;
  readonly authKind: CosAuth['kind'];
  /** whether part bodies go out through undici (true) or the SDK (false); see the module comment */
  readonly directParts: boolean;
  private readonly s3: IBM.S3;
  private readonly dispatcher: Agent;
  private readonly requestTimeoutMs: number;
  private lastForcedRefresh = 0;
  /** bumped by every forced token refresh, so parallel parts refused with the old token refresh only once */
  private tokenGeneration = 0;
  private refreshing: Promise<void> | undefined;

  constructor(config: CosClientConfig) {
    const url = new URL(config.endpoint);
    this.endpoint = url.origin;
    this.region = config.region;
    this.authKind = config.auth.kind;
    this.requestTimeoutMs = config.requestTimeoutMs ?? 60_000;
    const base = {
      endpoint: this.endpoint,
      region: config.region,
      s3ForcePathStyle: true,
      maxRetries: 0, // the upload engine owns retries, with backoff and jitter across every call
      httpOptions: { timeout: this.requestTimeoutMs, connectTimeout: 15_000 },
    };
    if (config.auth.kind === 'hmac') {
      this.s3 = new IBM.S3({
        ...base,
        credentials: new IBM.Credentials(config.auth.accessKeyId, config.auth.secretAccessKey),
        signatureVersion: 'v4',
      });
    } else {
      this.s3 = new IBM.S3({
        ...base,
        apiKeyId: config.auth.apiKey,
        serviceInstanceId: config.auth.serviceInstanceId,
        ibmAuthEndpoint: config.auth.iamEndpoint ?? 'https://iam.cloud.ibm.com/identity/token',
        signatureVersion: 'iam',
      } as IBM.S3.ClientConfiguration);
    }
    const unsignedAllowed = url.protocol === 'https:' || isLoopbackHost(url.hostname);
    this.directParts = config.partTransport !== 'sdk' && (config.auth.kind === 'iam' || unsignedAllowed);
    this.dispatcher = new Agent({
      connections: 16,
      keepAliveTimeout: 30_000,
      connect: { timeout: 15_000 },
      // parts may be throttled to a crawl; the caller's per-part deadline covers a stuck request
      headersTimeout: 0,
      bodyTimeout: this.requestTimeoutMs,
    });
  }

  private context(operation: string, bucket?: string, key?: string): ErrorContext {
    return { operation, bucket, key, endpoint: this.endpoint, region: this.region, authKind: this.authKind };
  }

  private async sdkCall<T>(operation: string, bucket: string, key: string | undefined, run: () => IBM.Request<T, IBM.AWSError>, signal?: AbortSignal): Promise<T> {
    // With IAM, get (or renew) the token first, so a refused API key is reported as such, not as a COS error.
    if (this.authKind === 'iam') await this.bearerToken();
    const request = run();
    const onAbort = () => request.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      if (signal?.aborted) throw signal.reason;
      return await request.promise();
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      const sdkError = error as SdkError;
      throw mapCosError(
        { status: sdkError.statusCode, code: sdkError.code, message: sdkError.message, cause: error },
        this.context(operation, bucket, key),
      );
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Starts a multipart upload; `metadata` becomes the object's user metadata (`x-amz-meta-*`). */
  async createMultipartUpload(bucket: string, key: string, signal?: AbortSignal, metadata?: Record<string, string>): Promise<string> {
    const result = await this.sdkCall(
      'start an upload',
      bucket,
      key,
      () => this.s3.createMultipartUpload({ Bucket: bucket, Key: key, ContentType: 'application/octet-stream', Metadata: metadata }),
      signal,
    );
    if (!result.UploadId) throw new CosError('COS_FAILED', 'Cloud Object Storage returned no upload id.', { retryable: true });
    return result.UploadId;
  }

  async uploadPart(input: UploadPartInput): Promise<{ etag: string }> {
    const signal = input.signal ? AbortSignal.any([input.signal, AbortSignal.timeout(input.timeoutMs)]) : AbortSignal.timeout(input.timeoutMs);
    if (!this.directParts) return this.uploadPartWithSdk(input, signal);
    const md5Base64 = input.md5.toString('base64');
    const headers: Record<string, string> = {
      'content-length': String(input.size),
      'content-md5': md5Base64,
    };
    const generation = this.tokenGeneration;
    let url: string;
    if (this.authKind === 'hmac') {
      url = this.s3.getSignedUrl('uploadPart', {
        Bucket: input.bucket,
        Key: input.key,
        UploadId: input.uploadId,
        PartNumber: input.partNumber,
        ContentMD5: md5Base64,
        Expires: 3600,
      });
    } else {
      url = `${this.endpoint}/${input.bucket}/${encodeKey(input.key)}?partNumber=${input.partNumber}&uploadId=${encodeURIComponent(input.uploadId)}`;
      headers.authorization = `Bearer ${await this.bearerToken()}`;
    }
    const context = this.context(`upload part ${input.partNumber}`, input.bucket, input.key);
    let response;
    try {
      response = await undiciRequest(url, {
        method: 'PUT',
        headers,
        // undici sends an async iterable chunk by chunk (its types only list Readable)
        body: Buffer.isBuffer(input.body) ? input.body : Readable.from(input.body, { objectMode: false }),
        dispatcher: this.dispatcher,
        signal,
      });
    } catch (error) {
      if (input.signal?.aborted) throw input.signal.reason;
      throw this.networkError(error, context, signal);
    }
    if (response.statusCode === 200) {
      await response.body.dump();
      const etag = normalizeEtag(headerString(response.headers.etag));
      if (!etag) throw new CosError('COS_FAILED', `Part ${input.partNumber} was stored without an ETag.`, { retryable: true });
      return { etag };
    }
    const text = await response.body.text().catch(() => '');
    const code = xmlField(text, 'Code');
    if ((response.statusCode === 401 || response.statusCode === 403) && this.authKind === 'iam' && (generation !== this.tokenGeneration || Date.now() - this.lastForcedRefresh > 60_000)) {
      // An IAM token can expire mid-upload (they last an hour) and COS may say so with 401 or 403: fetch a new
      // one (once for all parts refused with the same token) and let the caller's retry use it. A refusal
      // right after a fresh token is a real one and is reported as such.
      if (generation === this.tokenGeneration) {
        this.lastForcedRefresh = Date.now();
        this.tokenGeneration += 1;
        this.refreshing = this.refreshCredentials().finally(() => (this.refreshing = undefined));
      }
      await this.refreshing;
      throw new CosError('COS_TOKEN_EXPIRED', 'The IAM token expired during the upload; a new one was fetched.', {
        retryable: true,
        status: response.statusCode,
        serverCode: code,
      });
    }
    throw mapCosError({ status: response.statusCode, code, message: xmlField(text, 'Message') }, context);
  }

  private async uploadPartWithSdk(input: UploadPartInput, signal: AbortSignal): Promise<{ etag: string }> {
    const body = Buffer.isBuffer(input.body) ? input.body : Buffer.concat(await collect(input.body));
    const result = await this.sdkCall(
      `upload part ${input.partNumber}`,
      input.bucket,
      input.key,
      () =>
        this.s3.uploadPart({
          Bucket: input.bucket,
          Key: input.key,
          UploadId: input.uploadId,
          PartNumber: input.partNumber,
          Body: body,
          ContentMD5: input.md5.toString('base64'),
          ContentLength: input.size,
        }),
      signal,
    );
    const etag = normalizeEtag(result.ETag);
    if (!etag) throw new CosError('COS_FAILED', `Part ${input.partNumber} was stored without an ETag.`, { retryable: true });
    return { etag };
  }

  private networkError(error: unknown, context: ErrorContext, signal: AbortSignal): CosError {
    if (signal.aborted) {
      return mapCosError({ code: 'TimeoutError', message: 'the request took too long', cause: error }, context);
    }
    const code = (error as { code?: string }).code ?? (error as { cause?: { code?: string } }).cause?.code;
    return mapCosError({ code: code ?? 'NetworkingError', message: (error as Error).message, cause: error }, context);
  }

  /** All parts the server holds for an upload, or 'unsupported' where ListParts is missing (s3rver: 405). */
  async listParts(bucket: string, key: string, uploadId: string, signal?: AbortSignal): Promise<ListedPart[] | 'unsupported'> {
    const parts: ListedPart[] = [];
    let marker: number | undefined;
    for (;;) {
      let page: IBM.S3.ListPartsOutput;
      try {
        page = await this.sdkCall(
          'list the uploaded parts',
          bucket,
          key,
          () => this.s3.listParts({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumberMarker: marker }),
          signal,
        );
      } catch (error) {
        if (error instanceof CosError && error.code === 'COS_UNSUPPORTED') return 'unsupported';
        throw error;
      }
      for (const part of page.Parts ?? []) {
        if (part.PartNumber === undefined) continue;
        parts.push({ partNumber: part.PartNumber, etag: normalizeEtag(part.ETag) ?? '', size: part.Size ?? 0 });
      }
      if (!page.IsTruncated || page.NextPartNumberMarker === undefined) return parts;
      marker = page.NextPartNumberMarker;
    }
  }

  /** Completes an upload. Callers must only name parts the server confirmed (s3rver crashes otherwise). */
  async completeMultipartUpload(
    bucket: string,
    key: string,
    uploadId: string,
    parts: readonly { partNumber: number; etag: string }[],
    signal?: AbortSignal,
  ): Promise<{ etag: string | undefined }> {
    const result = await this.sdkCall(
      'complete the upload',
      bucket,
      key,
      () =>
        this.s3.completeMultipartUpload({
          Bucket: bucket,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: { Parts: parts.map((part) => ({ PartNumber: part.partNumber, ETag: `"${part.etag}"` })) },
        }),
      signal,
    );
    return { etag: normalizeEtag(result.ETag) };
  }

  async abortMultipartUpload(bucket: string, key: string, uploadId: string, signal?: AbortSignal): Promise<'aborted' | 'unsupported' | 'gone'> {
    try {
      await this.sdkCall('abort the upload', bucket, key, () => this.s3.abortMultipartUpload({ Bucket: bucket, Key: key, UploadId: uploadId }), signal);
      return 'aborted';
    } catch (error) {
      if (error instanceof CosError && error.code === 'COS_UNSUPPORTED') return 'unsupported';
      if (error instanceof CosError && (error.code === 'COS_UPLOAD_NOT_FOUND' || error.code === 'COS_NOT_FOUND')) return 'gone';
      throw error;
    }
  }

  /** The stored object's size and ETag, or undefined when there is no such object. */
  async headObject(bucket: string, key: string, signal?: AbortSignal): Promise<ObjectInfo | undefined> {
    try {
      const result = await this.sdkCall('look up the object', bucket, key, () => this.s3.headObject({ Bucket: bucket, Key: key }), signal);
      return { size: result.ContentLength ?? 0, etag: normalizeEtag(result.ETag) };
    } catch (error) {
      if (error instanceof CosError && error.status === 404) return undefined;
      if (error instanceof CosError && error.status === 403) throw await this.diagnoseForbidden(bucket, key, error, signal);
      throw error;
    }
  }

  /**
   * A HEAD answer has no body, so a 403 there cannot say whether the key is unknown, the secret wrong or the
   * role missing. A one-byte GET of the same object carries the error code that tells them apart.
   */
  private async diagnoseForbidden(bucket: string, key: string, original: CosError, signal?: AbortSignal): Promise<CosError> {
    try {
      await this.sdkCall('look up the object', bucket, key, () => this.s3.getObject({ Bucket: bucket, Key: key, Range: 'bytes=0-0' }), signal);
    } catch (error) {
      if (error instanceof CosError && error.status !== 404) return error;
    }
    return original;
  }

  /** The object's bytes as a stream (for read-back verification). */
  async getObjectStream(bucket: string, key: string, signal?: AbortSignal): Promise<Readable> {
    const context = this.context('read the object back', bucket, key);
    let url: string;
    const headers: Record<string, string> = {};
    if (this.authKind === 'hmac') {
      url = this.s3.getSignedUrl('getObject', { Bucket: bucket, Key: key, Expires: 3600 });
    } else {
      url = `${this.endpoint}/${bucket}/${encodeKey(key)}`;
      headers.authorization = `Bearer ${await this.bearerToken()}`;
    }
    const timeout = AbortSignal.timeout(24 * 3600 * 1000);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    let response;
    try {
      response = await undiciRequest(url, { method: 'GET', headers, dispatcher: this.dispatcher, signal: combined });
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw this.networkError(error, context, combined);
    }
    if (response.statusCode !== 200) {
      const text = await response.body.text().catch(() => '');
      throw mapCosError({ status: response.statusCode, code: xmlField(text, 'Code'), message: xmlField(text, 'Message') }, context);
    }
    // undici's body is a Readable already; wrapping it again would add a hop per 64 KiB chunk
    return response.body;
  }

  /** Forces a new IAM token (no-op for HMAC): used when the server says the token expired mid-upload. */
  async refreshCredentials(): Promise<void> {
    if (this.authKind !== 'iam') return;
    const credentials = this.s3.config.credentials as unknown as { tokenManager?: TokenManagerLike } | null | undefined;
    const manager = credentials?.tokenManager;
    if (!manager) return;
    // forceRenew: the SDK's own refresh keeps a token it believes valid, which is exactly what COS just refused
    await new Promise<void>((resolve, reject) => manager.refreshToken(null, true, (error) => (error ? reject(error) : resolve())));
  }

  private async bearerToken(): Promise<string> {
    if (this.refreshing) await this.refreshing;
    // getCredentials refreshes the token when it is within the SDK's expiry window.
    await new Promise<void>((resolve, reject) =>
      this.s3.config.getCredentials((error) =>
        error
          ? reject(
              iamTokenError(error as SdkError & Error),
            )
          : resolve(),
      ),
    );
    const credentials = this.s3.config.credentials as unknown as { tokenManager?: { getToken(): { accessToken?: string; access_token?: string } } };
    const token = credentials.tokenManager?.getToken();
    const value = token?.accessToken ?? token?.access_token;
    if (!value) throw new CosError('COS_CREDENTIALS_REJECTED', 'The IAM token service returned no token.', { retryable: false });
    return value;
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }
}

function iamTokenError(error: SdkError & Error): CosError {
  const status = error.statusCode;
  if (status !== undefined && status < 500) {
    return new CosError('COS_CREDENTIALS_REJECTED', `IAM refused the API key (HTTP ${status}).`, {
      retryable: false,
      status,
      hint: 'Check the API key stored for the profile ("image-sealer credentials set"); it may have been deleted or belong to another account.',
      cause: error,
    });
  }
  return new CosError('COS_IAM_UNREACHABLE', `Could not get an IAM token: ${error.message}.`, {
    retryable: true,
    status,
    hint: 'Check the network and the IAM endpoint of the profile; the upload can be resumed.',
    cause: error,
  });
}

interface TokenManagerLike {
  refreshToken(options: null, forceRenew: boolean, callback: (error: Error | null) => void): void;
}

function headerString(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function xmlField(xml: string, field: string): string | undefined {
  const match = new RegExp(`<${field}>([^<]*)</${field}>`).exec(xml);
  return match?.[1];
}

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Buffer[]> {
  const buffers: Buffer[] = [];
  for await (const chunk of chunks) buffers.push(Buffer.from(chunk));
  return buffers;
}
