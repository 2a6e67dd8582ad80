import { createDecipheriv } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import IbmKeyProtectApiV2 from '@ibm-cloud/ibm-key-protect/ibm-key-protect-api/v2';
import { BearerTokenAuthenticator, IamAuthenticator } from '@ibm-cloud/ibm-key-protect/auth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type RunningSandbox } from '../../../main/sandbox/sandbox';
import { signSandboxToken } from '../../../main/sandbox/sandbox-token';

/**
 * The official Key Protect SDK against the sandbox over real HTTP: what works against IBM works here, and the
 * sandbox refuses what IBM refuses, with IBM's status codes and error envelope.
 */
let dataDir: string;
let sandbox: RunningSandbox;
let kp: IbmKeyProtectApiV2;
let instance: string;

function body(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

function rootKeyBody(name: string, extra: Record<string, unknown> = {}): Buffer {
  return body({
    metadata: { collectionType: 'application/vnd.ibm.kms.key+json', collectionTotal: 1 },
    resources: [{ type: 'application/vnd.ibm.kms.key+json', name, extractable: false, ...extra }],
  });
}

async function rejection(promise: Promise<unknown>): Promise<{ status?: number; result?: unknown; message: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { status?: number; result?: unknown; message: string };
  }
  throw new Error('expected the call to fail');
}

function reasonCode(result: unknown): string | undefined {
  return (result as { resources?: { reasons?: { code?: string }[] }[] }).resources?.[0]?.reasons?.[0]?.code;
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'kms-sdk-'));
  sandbox = await startSandbox({ dataDir });
  instance = sandbox.endpoints.kmsInstanceId;
  kp = new IbmKeyProtectApiV2({
    authenticator: new IamAuthenticator({ apikey: sandbox.endpoints.apiKey, url: sandbox.endpoints.iam }),
    serviceUrl: sandbox.endpoints.kms,
  });
});

afterAll(async () => {
  await sandbox?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('sandbox Key Protect with the official SDK', () => {
  it('creates a root key, wraps, unwraps, rotates, unwraps old ciphertext with rewrap, rewraps', async () => {
    const created = await kp.createKey({ bluemixInstance: instance, body: rootKeyBody('sdk-root') });
    expect(created.status).toBe(201);
    const key = created.result.resources![0] as { id: string; crn: string; state: number; keyVersion: { id: string } };
    expect(key.state).toBe(1);
    expect(key.crn).toBe(`crn:v1:bluemix:public:kms:us-south:a/sandbox:${instance}:key:${key.id}`);

    const dek = Buffer.from('0123456789abcdef0123456789abcdef');
    const wrapped = await kp.wrapKey({
      id: key.id,
      bluemixInstance: instance,
      keyActionWrapBody: body({ plaintext: dek.toString('base64') }),
    });
    const v1Cipher = wrapped.result.ciphertext!;
    expect(wrapped.result.keyVersion?.id).toBe(key.keyVersion.id);
    expect(Buffer.from(v1Cipher, 'base64').includes(dek)).toBe(false);

    const unwrapped = await kp.unwrapKey({
      id: key.id,
      bluemixInstance: instance,
      keyActionUnwrapBody: body({ ciphertext: v1Cipher }),
    });
    expect(unwrapped.result.plaintext).toBe(dek.toString('base64'));
    expect(unwrapped.result.ciphertext).toBeUndefined();

    const rotated = await kp.rotateKey({ id: key.id, bluemixInstance: instance });
    expect(rotated.status).toBe(204);
    const after = await kp.getKey({ id: key.id, bluemixInstance: instance });
    const v2 = (after.result.resources![0] as { keyVersion: { id: string } }).keyVersion.id;
    expect(v2).not.toBe(key.keyVersion.id);

    const oldUnwrap = await kp.unwrapKey({
      id: key.id,
      bluemixInstance: instance,
      keyActionUnwrapBody: body({ ciphertext: v1Cipher }),
    });
    expect(oldUnwrap.result.plaintext).toBe(dek.toString('base64'));
    expect(oldUnwrap.result.keyVersion?.id).toBe(key.keyVersion.id);
    expect(oldUnwrap.result.rewrappedKeyVersion?.id).toBe(v2);
    expect(oldUnwrap.result.ciphertext).toBeTruthy();

    const rewrapped = await kp.rewrapKey({
      id: key.id,
      bluemixInstance: instance,
      keyActionRewrapBody: body({ ciphertext: v1Cipher }),
    });
    expect(rewrapped.result.rewrappedKeyVersion?.id).toBe(v2);
    const fromNew = await kp.unwrapKey({
      id: key.id,
      bluemixInstance: instance,
      keyActionUnwrapBody: body({ ciphertext: rewrapped.result.ciphertext! }),
    });
    expect(fromNew.result.plaintext).toBe(dek.toString('base64'));
    expect(fromNew.result.ciphertext).toBeUndefined();

    const list = await kp.getKeys({ bluemixInstance: instance, extractable: false });
    expect((list.result.resources ?? []).map((resource) => (resource as { id: string }).id)).toContain(key.id);
  });

  it('keeps root keys in files of mode 600 whose ciphertexts are AES-256-GCM under that material', async () => {
    const created = await kp.createKey({ bluemixInstance: instance, body: rootKeyBody('file-check') });
    const id = (created.result.resources![0] as { id: string }).id;
    const file = join(dataDir, 'sandbox', 'kms', instance, 'keys', `${id}.json`);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const stored = JSON.parse(await readFile(file, 'utf8')) as { versions: { id: string; material: string }[] };
    const plaintext = Buffer.from('independent check of the sandbox ciphertext');
    const wrapped = await kp.wrapKey({
      id,
      bluemixInstance: instance,
      keyActionWrapBody: body({ plaintext: plaintext.toString('base64') }),
    });
    // Decrypt with Node's crypto from the documented layout, independently of the sandbox's own code.
    const bytes = Buffer.from(wrapped.result.ciphertext!, 'base64');
    expect(bytes.subarray(0, 4).toString()).toBe('ISK1');
    let offset = 4;
    const idLength = bytes[offset++];
    expect(bytes.subarray(offset, offset + idLength).toString()).toBe(id);
    offset += idLength;
    const versionLength = bytes[offset++];
    expect(bytes.subarray(offset, offset + versionLength).toString()).toBe(stored.versions[0].id);
    offset += versionLength;
    const head = bytes.subarray(0, offset);
    const iv = bytes.subarray(offset, offset + 12);
    const tag = bytes.subarray(offset + 12, offset + 28);
    const decipher = createDecipheriv('aes-256-gcm', Buffer.from(stored.versions[0].material, 'base64'), iv);
    decipher.setAAD(Buffer.concat([head, Buffer.from([0]), Buffer.from('[]')]));
    decipher.setAuthTag(tag);
    const opened = Buffer.concat([decipher.update(bytes.subarray(offset + 28)), decipher.final()]);
    expect(opened.equals(plaintext)).toBe(true);
    expect((await readdir(join(dataDir, 'sandbox', 'kms', instance, 'keys'))).length).toBeGreaterThanOrEqual(1);
  });

  it('answers 401 with the error envelope for a wrong or forged token', async () => {
    const forged = new IbmKeyProtectApiV2({
      authenticator: new BearerTokenAuthenticator({
        bearerToken: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJleHAiOjQxMDI0NDQ4MDAsImlhdCI6MX0.bm90LXNpZ25lZA',
      }),
      serviceUrl: sandbox.endpoints.kms,
    });
    const error = await rejection(forged.getKeys({ bluemixInstance: instance }));
    expect(error.status).toBe(401);
    expect(reasonCode(error.result)).toBe('UNAUTHORIZED_ERR');
    expect((error.result as { metadata: { collectionType: string } }).metadata.collectionType).toBe(
      'application/vnd.ibm.kms.error+json',
    );
  });

  it('answers 401 for a correctly signed but expired token', async () => {
    const { token } = signSandboxToken(sandbox.identity.tokenSigningKey, {
      issuer: `${sandbox.endpoints.iam}/identity`,
      accountId: 'sandbox',
      ttlSeconds: 60,
      grantType: 'urn:ibm:params:oauth:grant-type:apikey',
      now: Date.now() - 3600_000,
    });
    const expired = new IbmKeyProtectApiV2({
      authenticator: new BearerTokenAuthenticator({ bearerToken: token }),
      serviceUrl: sandbox.endpoints.kms,
    });
    const error = await rejection(expired.getKeys({ bluemixInstance: instance }));
    expect(error.status).toBe(401);
    expect(reasonCode(error.result)).toBe('UNAUTHORIZED_ERR');
  });

  it('answers 400 when bluemix-instance is missing', async () => {
    const response = await fetch(`${sandbox.endpoints.kms}/api/v2/keys`, {
      headers: { authorization: `Bearer ${await kp.getAuthenticator().tokenManager.getToken()}` },
    });
    expect(response.status).toBe(400);
    const envelope = (await response.json()) as unknown;
    expect(reasonCode(envelope)).toBeTruthy();
  });

  it('refuses wrap with 409 on a disabled key, and wraps again once enabled', async () => {
    const created = await kp.createKey({ bluemixInstance: instance, body: rootKeyBody('to-disable') });
    const id = (created.result.resources![0] as { id: string }).id;
    await kp.disableKey({ id, bluemixInstance: instance });
    const error = await rejection(
      kp.wrapKey({ id, bluemixInstance: instance, keyActionWrapBody: body({ plaintext: 'AAAA' }) }),
    );
    expect(error.status).toBe(409);
    expect(reasonCode(error.result)).toBe('KEY_ACTION_INVALID_STATE_ERR');
    await kp.enableKey({ id, bluemixInstance: instance });
    const wrapped = await kp.wrapKey({ id, bluemixInstance: instance, keyActionWrapBody: body({ plaintext: 'AAAA' }) });
    expect(wrapped.status).toBe(200);
  });

  it('answers 422 for a damaged ciphertext and 404 for an unknown key', async () => {
    const created = await kp.createKey({ bluemixInstance: instance, body: rootKeyBody('tamper') });
    const id = (created.result.resources![0] as { id: string }).id;
    const wrapped = await kp.wrapKey({ id, bluemixInstance: instance, keyActionWrapBody: body({ plaintext: 'AAAA' }) });
    const bytes = Buffer.from(wrapped.result.ciphertext!, 'base64');
    bytes[bytes.length - 1] ^= 1;
    const damaged = await rejection(
      kp.unwrapKey({ id, bluemixInstance: instance, keyActionUnwrapBody: body({ ciphertext: bytes.toString('base64') }) }),
    );
    expect(damaged.status).toBe(422);
    expect(reasonCode(damaged.result)).toBe('UNPROCESSABLE_CIPHERTEXT_ERR');
    const missing = await rejection(kp.getKey({ id: '00000000-0000-4000-8000-000000000000', bluemixInstance: instance }));
    expect(missing.status).toBe(404);
    expect(reasonCode(missing.result)).toBe('KEY_NOT_FOUND_ERR');
  });

  it('accepts the documented key_action content type and the older ?action= form', async () => {
    const created = await kp.createKey({ bluemixInstance: instance, body: rootKeyBody('query-action') });
    const id = (created.result.resources![0] as { id: string }).id;
    const token = await kp.getAuthenticator().tokenManager.getToken();
    const headers = {
      authorization: `Bearer ${token}`,
      'bluemix-instance': instance,
      'content-type': 'application/vnd.ibm.kms.key_action+json',
    };
    const wrap = await fetch(`${sandbox.endpoints.kms}/api/v2/keys/${id}?action=wrap`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ plaintext: Buffer.from('query form').toString('base64') }),
    });
    expect(wrap.status).toBe(200);
    const { ciphertext } = (await wrap.json()) as { ciphertext: string };
    const unwrap = await fetch(`${sandbox.endpoints.kms}/api/v2/keys/${id}/actions/unwrap`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ ciphertext }),
    });
    expect(Buffer.from(((await unwrap.json()) as { plaintext: string }).plaintext, 'base64').toString()).toBe('query form');
  });

  it('answers the IAM error shape for a wrong API key', async () => {
    const response = await fetch(`${sandbox.endpoints.iam}/identity/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=urn:ibm:params:oauth:grant-type:apikey&apikey=wrong',
    });
    expect(response.status).toBe(400);
    const error = (await response.json()) as { errorCode: string; errorMessage: string };
    expect(error.errorCode).toBe('BXNIM0415E');
    expect(error.errorMessage).toBe('Provided API key could not be found');
  });

  it('keeps keys across a restart of the sandbox', async () => {
    const created = await kp.createKey({ bluemixInstance: instance, body: rootKeyBody('survivor') });
    const id = (created.result.resources![0] as { id: string }).id;
    const wrapped = await kp.wrapKey({ id, bluemixInstance: instance, keyActionWrapBody: body({ plaintext: 'c3Vydml2ZQ==' }) });
    const second = await startSandbox({ dataDir });
    try {
      expect(second.endpoints.kmsInstanceId).toBe(instance);
      const kp2 = new IbmKeyProtectApiV2({
        authenticator: new IamAuthenticator({ apikey: second.endpoints.apiKey, url: second.endpoints.iam }),
        serviceUrl: second.endpoints.kms,
      });
      const unwrapped = await kp2.unwrapKey({
        id,
        bluemixInstance: instance,
        keyActionUnwrapBody: body({ ciphertext: wrapped.result.ciphertext! }),
      });
      expect(unwrapped.result.plaintext).toBe('c3Vydml2ZQ==');
    } finally {
      await second.stop();
    }
  });
});
