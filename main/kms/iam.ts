import { IamAuthenticator } from 'ibm-cloud-sdk-core';
import { AppError } from '../common/errors';
import { withRetry, type RetryPolicy } from './retry';
import { asSdkError } from './sdk-error';

/**
 * IBM Cloud IAM: the API key → bearer token exchange every cloud client of this app uses, in one place.
 * ibm-cloud-sdk-core's IamAuthenticator caches the token and fetches a new one once 80 % of its lifetime has
 * passed (before it expires), so long jobs never send an expired token.
 */
export const DEFAULT_IAM_ENDPOINT = 'https://iam.cloud.ibm.com';

export interface IamSessionOptions {
  apiKey: string;
  /** IAM base URL (`https://iam.cloud.ibm.com`, or the sandbox's); `/identity/token` is appended */
  iamEndpoint?: string;
  /** for messages: which profile the key belongs to */
  profileName?: string;
  timeoutMs?: number;
  retry?: RetryPolicy;
}

export interface IamTokenInfo {
  /** when the current token expires (ISO time) */
  expiresAt: string | null;
  accountId: string | null;
  subject: string | null;
}

export class IamSession {
  readonly authenticator: IamAuthenticator;
  readonly endpoint: string;

  constructor(private readonly options: IamSessionOptions) {
    this.endpoint = (options.iamEndpoint ?? DEFAULT_IAM_ENDPOINT).replace(/\/+$/, '');
    if (options.apiKey.trim() === '') {
      throw new AppError('IAM_API_KEY_MISSING', 'No IBM Cloud API key was given.', {
        hint: credentialsHint(options.profileName),
      });
    }
    this.authenticator = new IamAuthenticator({
      apikey: options.apiKey,
      url: this.endpoint,
      // forwarded by sdk-core to its HTTP client: a token request never hangs
      timeout: options.timeoutMs ?? 30_000,
    });
  }

  /** A valid bearer token (cached, refreshed before expiry); IAM failures become clear AppErrors. */
  async token(signal?: AbortSignal): Promise<string> {
    return withRetry(
      async () => {
        try {
          // authenticate() replaces `headers` on the object it is given with a copy holding Authorization.
          const request: { headers: Record<string, string> } = { headers: {} };
          await this.authenticator.authenticate(request);
          return (request.headers.Authorization ?? '').replace(/^Bearer\s+/i, '');
        } catch (error) {
          throw iamError(error, this.endpoint, this.options.profileName);
        }
      },
      {
        signal,
        policy: this.options.retry,
        retryable: (error) =>
          error instanceof AppError && (error.code === 'IAM_UNREACHABLE' || error.code === 'IAM_UNAVAILABLE'),
      },
    );
  }

  /**
   * Forgets the cached token so the next request exchanges the API key again. sdk-core has no public way to do
   * this; its token manager refreshes when `expireTime` has passed, so that is the field set here.
   */
  renew(): void {
    const manager = (this.authenticator as unknown as { tokenManager?: { expireTime?: number } }).tokenManager;
    if (manager) manager.expireTime = 0;
  }

  /** "Sign in": exchanges the API key for a token now and tells what it learned, without the token. */
  async test(signal?: AbortSignal): Promise<IamTokenInfo> {
    const token = await this.token(signal);
    const claims = decodeJwtClaims(token);
    return {
      expiresAt: typeof claims?.exp === 'number' ? new Date(claims.exp * 1000).toISOString() : null,
      accountId: typeof claims?.account === 'object' && claims.account && 'bss' in claims.account ? String(claims.account.bss) : null,
      subject: typeof claims?.sub === 'string' ? claims.sub : null,
    };
  }
}

function decodeJwtClaims(token: string): { exp?: unknown; sub?: unknown; account?: { bss?: unknown } | null } | null {
  try {
    return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
      exp?: unknown;
      sub?: unknown;
      account?: { bss?: unknown } | null;
    };
  } catch {
    return null;
  }
}

function credentialsHint(profileName: string | undefined): string {
  const profile = profileName ?? 'PROFILE';
  return `Create an API key at https://cloud.ibm.com/iam/apikeys and store it with "image-sealer credentials set --profile ${profile}".`;
}

/** IAM's own error body: `{"errorCode":"BXNIM0415E","errorMessage":"…"}`. */
function iamBody(result: unknown): { errorCode?: string; errorMessage?: string } {
  if (result && typeof result === 'object') {
    const record = result as Record<string, unknown>;
    return {
      errorCode: typeof record.errorCode === 'string' ? record.errorCode : undefined,
      errorMessage: typeof record.errorMessage === 'string' ? record.errorMessage : undefined,
    };
  }
  return {};
}

export function iamError(error: unknown, endpoint: string, profileName?: string): AppError {
  if (error instanceof AppError) return error;
  const sdk = asSdkError(error);
  const { errorCode, errorMessage } = iamBody(sdk.result);
  const said = errorMessage ? `${errorMessage}${errorCode ? ` (${errorCode})` : ''}` : sdk.message;
  const details = { endpoint, status: sdk.status, iamCode: errorCode };
  if (sdk.status === undefined) {
    if (/not a valid JWT|Access token not present/i.test(sdk.message)) {
      return new AppError('IAM_BAD_RESPONSE', `The IAM endpoint ${endpoint} did not answer with an IAM token.`, {
        hint: 'Check the IAM endpoint of the profile (normally https://iam.cloud.ibm.com).',
        details,
      });
    }
    if (sdk.statusText === undefined) {
      return new AppError('IAM_FAILED', `Getting an IAM token from ${endpoint} failed: ${sdk.message}`, { details });
    }
    return new AppError('IAM_UNREACHABLE', `IBM Cloud IAM at ${endpoint} could not be reached (${sdk.statusText}).`, {
      hint: 'Check the network connection (and proxy), then try again. Sealed jobs wait safely until then.',
      details: { ...details, errno: sdk.statusText },
    });
  }
  if (errorCode === 'BXNIM0415E' || (sdk.status === 400 && /api key/i.test(errorMessage ?? ''))) {
    return new AppError('IAM_API_KEY_INVALID', `IBM Cloud IAM did not accept the API key${profileName ? ` of profile "${profileName}"` : ''}: ${said}.`, {
      hint: `The key may have been deleted, mistyped or belong to another account. ${credentialsHint(profileName)}`,
      details,
    });
  }
  if (sdk.status >= 500 || sdk.status === 429) {
    return new AppError('IAM_UNAVAILABLE', `IBM Cloud IAM is not available right now (HTTP ${sdk.status}): ${said}.`, {
      hint: 'Try again in a few minutes.',
      details,
    });
  }
  return new AppError('IAM_REQUEST_REJECTED', `IBM Cloud IAM refused the token request (HTTP ${sdk.status}): ${said}.`, {
    hint: credentialsHint(profileName),
    details,
  });
}
