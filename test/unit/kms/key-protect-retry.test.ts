import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BearerTokenAuthenticator } from 'ibm-cloud-sdk-core';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../../main/common/errors';
import { KeyProtectClient, kmsServiceUrl } from '../../../main/kms/key-protect';
import { parseKmsErrorEnvelope } from '../../../main/kms/kms-errors';
import { backoffDelay, withRetry } from '../../../main/kms/retry';

/** A scripted Key Protect: each request takes the next answer from the list. */
type Answer = { status: number; body?: unknown; headers?: Record<string, string> } | 'hang';

let server: Server | undefined;

async function scripted(answers: Answer[]): Promise<{ url: string; requests: IncomingMessage[] }> {
  const requests: IncomingMessage[] = [];
  server = createServer((request: IncomingMessage, response: ServerResponse) => {
    requests.push(request);
    request.resume();
    const answer = answers.shift() ?? { status: 500 };
    if (answer === 'hang') return;
    const text = answer.body === undefined ? '' : JSON.stringify(answer.body);
    response.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
    response.end(text);
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

function envelope(status: number, code: string, message: string): unknown {
  return {
    metadata: { collectionType: 'application/vnd.ibm.kms.error+json', collectionTotal: 1 },
    resources: [{ errorMsg: 'Bad: see reasons', reasons: [{ code, message, status, moreInfo: 'x' }] }],
  };
}

const waits: number[] = [];
function client(url: string, timeoutMs = 5000): KeyProtectClient {
  waits.length = 0;
  return new KeyProtectClient(
    {
      endpoint: url,
      instanceId: 'inst',
      timeoutMs,
      retry: { attempts: 4, baseDelayMs: 100, maxDelayMs: 1000 },
      wait: async (ms) => {
        waits.push(ms);
      },
    },
    { authenticator: new BearerTokenAuthenticator({ bearerToken: 'token' }) },
  );
}

async function failure(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error('expected a failure');
}

describe('Key Protect client retries and errors', () => {
  it('retries 429 (honouring Retry-After) and 503, then succeeds', async () => {
    const { url, requests } = await scripted([
      { status: 429, body: envelope(429, 'TOO_MANY', 'slow down'), headers: { 'retry-after': '0.25' } },
      { status: 503, body: envelope(503, 'UNAVAILABLE', 'busy') },
      { status: 200, body: { ciphertext: 'Y2lwaGVy', keyVersion: { id: 'v1' } } },
    ]);
    const kp = client(url);
    const result = await kp.wrap('key-1', 'AAAA');
    expect(result).toEqual({ ciphertext: 'Y2lwaGVy', keyVersion: 'v1' });
    expect(requests).toHaveLength(3);
    expect(waits[0]).toBe(250);
    expect(requests[0].headers['bluemix-instance']).toBe('inst');
    expect(requests[0].headers.authorization).toBe('Bearer token');
    expect(requests[0].url).toBe('/api/v2/keys/key-1/actions/wrap');
  });

  it('gives up after the configured attempts with a clear error', async () => {
    const { url, requests } = await scripted([
      { status: 502 },
      { status: 502 },
      { status: 502 },
      { status: 502 },
      { status: 502 },
    ]);
    const error = await failure(client(url).unwrap('key-1', 'Y2lwaGVy'));
    expect(error.code).toBe('KMS_UNAVAILABLE');
    expect(requests).toHaveLength(4);
  });

  it('does not retry a failed key creation on 500 (it may have happened)', async () => {
    const { url, requests } = await scripted([{ status: 500, body: envelope(500, 'INTERNAL', 'oops') }]);
    const error = await failure(client(url).createRootKey({ name: 'x-key' }));
    expect(error.code).toBe('KMS_UNAVAILABLE');
    expect(requests).toHaveLength(1);
  });

  it('maps the error envelope: 403 role, 404, 409 state, 410, 422, 400 root key required', async () => {
    const { url } = await scripted([
      { status: 403, body: envelope(403, 'RESOURCE_OWNER_ERR', 'The resource(s) queried does not belong to the service') },
      { status: 404, body: envelope(404, 'KEY_NOT_FOUND_ERR', 'Key does not exist') },
      { status: 409, body: envelope(409, 'KEY_ACTION_INVALID_STATE_ERR', 'Key is not in a valid state') },
      { status: 410, body: envelope(410, 'KEY_DELETED_ERR', 'Key has already been deleted') },
      { status: 422, body: envelope(422, 'UNPROCESSABLE_CIPHERTEXT_ERR', 'The provided ciphertext is invalid or corrupted') },
      { status: 400, body: envelope(400, 'KEY_ROOT_REQ_ERR', 'Requested action can only be completed with a root key') },
    ]);
    const kp = client(url);
    const forbidden = await failure(kp.disable('k'));
    expect(forbidden.code).toBe('KMS_FORBIDDEN');
    expect(forbidden.hint).toContain('Manager');
    expect(forbidden.message).toContain('RESOURCE_OWNER_ERR');
    expect((await failure(kp.getKey('k'))).code).toBe('KMS_KEY_NOT_FOUND');
    expect((await failure(kp.wrap('k', 'AAAA'))).code).toBe('KMS_KEY_STATE');
    expect((await failure(kp.wrap('k', 'AAAA'))).code).toBe('KMS_KEY_DELETED');
    expect((await failure(kp.unwrap('k', 'AAAA'))).code).toBe('KMS_BAD_CIPHERTEXT');
    expect((await failure(kp.wrap('k', 'AAAA'))).code).toBe('KMS_NOT_ROOT_KEY');
  });

  it('times out a request that never answers and reports the endpoint unreachable', async () => {
    const { url, requests } = await scripted(['hang', 'hang', 'hang', 'hang']);
    const error = await failure(client(url, 200).listRootKeys());
    expect(error.code).toBe('KMS_UNREACHABLE');
    expect(error.message).toContain(url);
    expect(requests).toHaveLength(4);
  });

  it('reports a refused connection after retrying', async () => {
    const { url } = await scripted([]);
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = undefined;
    const error = await failure(client(url).listRootKeys());
    expect(error.code).toBe('KMS_UNREACHABLE');
    expect(error.message).toContain('ECONNREFUSED');
    expect(waits).toHaveLength(3);
  });
});

describe('pieces', () => {
  it('parses the Key Protect error envelope', () => {
    expect(parseKmsErrorEnvelope(JSON.stringify(envelope(409, 'KEY_ACTION_INVALID_STATE_ERR', 'Key is not in a valid state')))).toEqual({
      errorMsg: 'Bad: see reasons',
      reasonCode: 'KEY_ACTION_INVALID_STATE_ERR',
      reasonMessage: 'Key is not in a valid state',
    });
    expect(parseKmsErrorEnvelope({ message: 'no envelope' })).toBeNull();
  });

  it('switches public IBM endpoints to private ones, leaves others alone', () => {
    expect(kmsServiceUrl('https://us-south.kms.cloud.ibm.com', true)).toBe('https://private.us-south.kms.cloud.ibm.com');
    expect(kmsServiceUrl('https://us-south.kms.cloud.ibm.com', false)).toBe('https://us-south.kms.cloud.ibm.com');
    expect(kmsServiceUrl('https://api.eu-de.hs-crypto.cloud.ibm.com:9730', true)).toBe(
      'https://api.private.eu-de.hs-crypto.cloud.ibm.com:9730',
    );
    expect(kmsServiceUrl('http://127.0.0.1:4000/', true)).toBe('http://127.0.0.1:4000');
  });

  it('backs off exponentially with jitter, capped', async () => {
    const policy = { attempts: 6, baseDelayMs: 100, maxDelayMs: 1000 };
    expect(backoffDelay(1, policy, () => 0)).toBe(50);
    expect(backoffDelay(1, policy, () => 1)).toBe(100);
    expect(backoffDelay(3, policy, () => 1)).toBe(400);
    expect(backoffDelay(10, policy, () => 1)).toBe(1000);
    let calls = 0;
    const value = await withRetry(
      async () => {
        calls += 1;
        if (calls < 3) throw new Error('transient');
        return 'done';
      },
      { policy, retryable: () => true, wait: async () => undefined },
    );
    expect(value).toBe('done');
    expect(calls).toBe(3);
  });
});

describe('IAM session', () => {
  it('times out a token request that never answers and says IAM is unreachable', async () => {
    const { IamSession } = await import('../../../main/kms/iam');
    const { url, requests } = await scripted(['hang', 'hang']);
    const session = new IamSession({
      apiKey: 'some-api-key-123',
      iamEndpoint: url,
      timeoutMs: 200,
      retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 10 },
    });
    const error = await failure(session.token());
    expect(error.code).toBe('IAM_UNREACHABLE');
    expect(requests).toHaveLength(2);
    expect(requests[0].url).toBe('/identity/token');
  });

  it('refuses an answer that is not a JWT', async () => {
    const { IamSession } = await import('../../../main/kms/iam');
    const { url } = await scripted([{ status: 200, body: { access_token: 'opaque', expires_in: 3600, token_type: 'Bearer' } }]);
    const error = await failure(new IamSession({ apiKey: 'some-api-key-123', iamEndpoint: url }).token());
    expect(error.code).toBe('IAM_BAD_RESPONSE');
  });
});
