import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { listenLoopback, mediaType, readBody, sendJson, type ListeningServer } from './http-server';
import { signSandboxToken } from './sandbox-token';

/**
 * A stand-in for IAM's token endpoint (`POST /identity/token`): exchanges the sandbox API key for a
 * JWT-shaped bearer token, in IAM's request and response shapes, errors included.
 */
export interface IamServerOptions {
  apiKey: string;
  accountId: string;
  tokenSigningKey: Buffer;
  /** lifetime of issued tokens; tests shorten it to exercise refresh */
  tokenTtlSeconds?: number;
  unref?: boolean;
}

const APIKEY_GRANT = 'urn:ibm:params:oauth:grant-type:apikey';

function iamError(response: ServerResponse, status: number, errorCode: string, errorMessage: string): void {
  sendJson(response, status, {
    errorCode,
    errorMessage,
    context: {
      requestId: randomUUID(),
      requestType: 'incoming.Identity_Token',
      startTime: new Date().toUTCString(),
      endTime: new Date().toUTCString(),
      elapsedTime: '0',
      instanceId: 'sandbox-iam',
      host: '127.0.0.1',
      threadId: '1',
      clusterName: 'sandbox',
    },
  });
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export async function startIamServer(options: IamServerOptions): Promise<ListeningServer> {
  const ttl = options.tokenTtlSeconds ?? 3600;
  // Refresh tokens live only as long as the server: after a restart clients fall back to the API key.
  const refreshTokens = new Set<string>();
  let issuer = '';

  const listening = await listenLoopback(
    async (request, response) => {
      const path = (request.url ?? '/').split('?')[0];
      if (path !== '/identity/token') {
        iamError(response, 404, 'BXNIM0100E', 'Not found.');
        return;
      }
      if (request.method !== 'POST') {
        iamError(response, 405, 'BXNIM0103E', 'Method not allowed.');
        return;
      }
      if (mediaType(request) !== 'application/x-www-form-urlencoded') {
        iamError(response, 400, 'BXNIM0109E', "Unsupported content type. Use 'application/x-www-form-urlencoded'.");
        return;
      }
      const form = new URLSearchParams((await readBody(request, 64 * 1024)).toString('utf8'));
      const grantType = form.get('grant_type') ?? '';
      if (grantType === APIKEY_GRANT) {
        const apiKey = form.get('apikey') ?? '';
        if (apiKey === '') {
          iamError(response, 400, 'BXNIM0109E', "Property missing or empty. Property name: 'apikey'.");
          return;
        }
        if (!sameText(apiKey, options.apiKey)) {
          iamError(response, 400, 'BXNIM0415E', 'Provided API key could not be found');
          return;
        }
      } else if (grantType === 'refresh_token') {
        const refresh = form.get('refresh_token') ?? '';
        if (!refreshTokens.has(refresh)) {
          iamError(response, 400, 'BXNIM0407E', 'Provided refresh token is invalid or expired.');
          return;
        }
        refreshTokens.delete(refresh);
      } else {
        iamError(response, 400, 'BXNIM0104E', `Unsupported grant type '${grantType}'.`);
        return;
      }
      const { token, claims } = signSandboxToken(options.tokenSigningKey, {
        issuer,
        accountId: options.accountId,
        ttlSeconds: ttl,
        grantType,
      });
      const refreshToken = randomBytes(32).toString('base64url');
      refreshTokens.add(refreshToken);
      sendJson(response, 200, {
        access_token: token,
        refresh_token: refreshToken,
        ims_user_id: 0,
        token_type: 'Bearer',
        expires_in: ttl,
        expiration: claims.exp,
        scope: claims.scope,
      });
    },
    { unref: options.unref },
  );
  issuer = `${listening.url}/identity`;
  return listening;
}
