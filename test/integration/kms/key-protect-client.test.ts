import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { AppError } from '../../../main/common/errors';
import { IamSession } from '../../../main/kms/iam';
import { KeyProtectClient } from '../../../main/kms/key-protect';
import { startSandbox, type RunningSandbox } from '../../../main/sandbox/sandbox';
import { verifySandboxToken } from '../../../main/sandbox/sandbox-token';

let dataDir: string;
let sandbox: RunningSandbox;
let iam: IamSession;
let kms: KeyProtectClient;

async function failure(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error('expected a failure');
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'kp-client-'));
  sandbox = await startSandbox({ dataDir });
  iam = new IamSession({ apiKey: sandbox.endpoints.apiKey, iamEndpoint: sandbox.endpoints.iam, profileName: 'sandbox' });
  kms = new KeyProtectClient(
    { endpoint: sandbox.endpoints.kms, instanceId: sandbox.endpoints.kmsInstanceId },
    { authenticator: iam.authenticator, token: (signal) => iam.token(signal) },
  );
});

afterAll(async () => {
  await sandbox?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

afterEach(() => {
  vi.useRealTimers();
});

describe('KeyProtectClient against the sandbox', () => {
  it('creates, lists, resolves by id, alias and name, wraps and unwraps without AAD', async () => {
    const key = await kms.createRootKey({ name: 'client-root', aliases: ['client-alias'] });
    expect(key.stateName).toBe('active');
    expect(key.crn).toContain(`:key:${key.id}`);
    const listed = await kms.listRootKeys();
    expect(listed.find((candidate) => candidate.id === key.id)?.name).toBe('client-root');
    expect((await kms.resolveRootKey(key.id)).id).toBe(key.id);
    expect((await kms.resolveRootKey('client-alias')).id).toBe(key.id);
    expect((await kms.resolveRootKey('client-root')).id).toBe(key.id);

    const plaintext = Buffer.from('a data encryption key, 32 bytes!').toString('base64');
    const wrapped = await kms.wrap(key.id, plaintext);
    expect(wrapped.keyVersion).toBe(key.keyVersion);
    const unwrapped = await kms.unwrap(key.id, wrapped.ciphertext);
    expect(unwrapped.plaintext).toBe(plaintext);
    expect(unwrapped.rewrapped).toBeNull();

    await kms.rotate(key.id);
    const again = await kms.unwrap(key.id, wrapped.ciphertext);
    expect(again.plaintext).toBe(plaintext);
    expect(again.rewrapped?.keyVersion).not.toBe(key.keyVersion);
    const rewrapped = await kms.rewrap(key.id, wrapped.ciphertext);
    expect((await kms.unwrap(key.id, rewrapped.ciphertext)).plaintext).toBe(plaintext);
  });

  it('imports root key material and rotates an imported key only with new material', async () => {
    const key = await kms.importRootKey({ name: 'imported-root', material: Buffer.alloc(32, 7) });
    expect(key.imported).toBe(true);
    const wrapped = await kms.wrap(key.id, 'aW1wb3J0ZWQ=');
    expect((await kms.unwrap(key.id, wrapped.ciphertext)).plaintext).toBe('aW1wb3J0ZWQ=');
    expect((await failure(kms.rotate(key.id))).code).toBe('KMS_KEY_MATERIAL_REQUIRED');
    await kms.rotate(key.id, Buffer.alloc(32, 9));
    expect((await kms.unwrap(key.id, wrapped.ciphertext)).rewrapped).not.toBeNull();
  });

  it('reports key state, bad ciphertext and unknown keys clearly', async () => {
    const key = await kms.createRootKey({ name: 'state-root' });
    await kms.disable(key.id);
    const state = await failure(kms.wrap(key.id, 'AAAA'));
    expect(state.code).toBe('KMS_KEY_STATE');
    expect(state.message).toContain(key.id);
    expect(state.hint).toMatch(/Enable the key/);
    await kms.enable(key.id);
    const wrapped = await kms.wrap(key.id, 'AAAA');
    const other = await kms.createRootKey({ name: 'other-root' });
    const bad = await failure(kms.unwrap(other.id, wrapped.ciphertext));
    expect(bad.code).toBe('KMS_BAD_CIPHERTEXT');
    const missing = await failure(kms.resolveRootKey('no-such-key-name'));
    expect(missing.code).toBe('KMS_KEY_NOT_FOUND');
  });

  it('names the missing authorization on 401 (wrong instance)', async () => {
    const stranger = new KeyProtectClient(
      { endpoint: sandbox.endpoints.kms, instanceId: '11111111-2222-4333-8444-555555555555' },
      { authenticator: iam.authenticator, token: (signal) => iam.token(signal) },
    );
    const error = await failure(stranger.listRootKeys());
    expect(error.code).toBe('KMS_UNAUTHORIZED');
    expect(error.hint).toMatch(/Reader/);
    expect(error.hint).toMatch(/access policy/);
  });

  it('turns a wrong API key into IAM_API_KEY_INVALID with a hint', async () => {
    const wrong = new IamSession({ apiKey: 'not-the-key', iamEndpoint: sandbox.endpoints.iam, profileName: 'test' });
    const error = await failure(wrong.token());
    expect(error.code).toBe('IAM_API_KEY_INVALID');
    expect(error.message).toContain('Provided API key could not be found');
    expect(error.hint).toContain('credentials set --profile test');
    const client = new KeyProtectClient(
      { endpoint: sandbox.endpoints.kms, instanceId: sandbox.endpoints.kmsInstanceId },
      { authenticator: wrong.authenticator, token: (signal) => wrong.token(signal) },
    );
    expect((await failure(client.listRootKeys())).code).toBe('IAM_API_KEY_INVALID');
  });

  it('fetches a new token once the old one has expired', async () => {
    const session = new IamSession({ apiKey: sandbox.endpoints.apiKey, iamEndpoint: sandbox.endpoints.iam });
    const first = await session.token();
    const info = await session.test();
    expect(info.accountId).toBe('sandbox');
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 3601 * 1000);
    const second = await session.token();
    expect(second).not.toBe(first);
    expect(verifySandboxToken(second, sandbox.identity.tokenSigningKey)).not.toBeNull();
    expect(verifySandboxToken(first, sandbox.identity.tokenSigningKey)).toBeNull();
  });
});
