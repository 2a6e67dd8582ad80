import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../../main/api/dispatch';
import { createAppContext, type AppContext } from '../../../main/app/context';
import { ensureSandbox, stopInProcessSandboxes, type SandboxEndpoints } from '../../../main/sandbox/sandbox';
import { OsKeychain, probeKeychain } from '../../../main/secrets/keychain';

/**
 * A real (non-sandbox) profile end to end through the API contract: its API key goes into the OS keychain,
 * "sign in" exchanges it at IAM, and Key Protect calls use it. The profile points at the sandbox's IAM and
 * Key Protect, so nothing leaves 127.0.0.1; the code path is the one an IBM Cloud account takes.
 */
const required = process.env.IMAGE_SEALER_REQUIRE_KEYRING === '1';
const probe = await probeKeychain(new OsKeychain());
let dataDir: string;
let app: AppContext;
let sandbox: SandboxEndpoints;
const profileName = `acct-${randomBytes(3).toString('hex')}`;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'cred-api-'));
  app = await createAppContext({ dataDir, host: 'test' });
  sandbox = await ensureSandbox(dataDir);
});

afterAll(async () => {
  await dispatch(app, 'deleteCredential', { profile: profileName }).catch(() => undefined);
  await stopInProcessSandboxes();
  await rm(dataDir, { recursive: true, force: true });
});

async function call(name: string, input: unknown): Promise<unknown> {
  const result = await dispatch(app, name, input);
  if (!result.ok) throw Object.assign(new Error(result.error.message), result.error);
  return result.value;
}

async function allFileText(dir: string): Promise<string> {
  let text = '';
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) text += await allFileText(path);
    else if (entry.isFile()) text += (await readFile(path)).toString('latin1');
  }
  return text;
}

describe('profiles and credentials through the API', () => {
  it('has a keychain when the test runner requires one', () => {
    if (required) expect(probe).toEqual({ available: true });
  });

  it('lists the built-in sandbox as default and refuses to change it', async () => {
    const listed = (await call('listProfiles', {})) as { profiles: { name: string; builtIn: boolean }[]; defaultProfile: string };
    expect(listed.defaultProfile).toBe('sandbox');
    expect(listed.profiles[0]).toMatchObject({ name: 'sandbox', builtIn: true });
    const sandboxProfile = listed.profiles[0] as unknown as Record<string, unknown>;
    delete sandboxProfile.builtIn;
    const refused = await dispatch(app, 'saveProfile', { profile: sandboxProfile });
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error.code).toBe('PROFILE_BUILT_IN');
  });

  it.skipIf(!probe.available)('stores an API key, signs in, uses Key Protect, and never returns or writes the key', async () => {
    await call('saveProfile', {
      profile: {
        name: profileName,
        region: 'us-south',
        iamEndpoint: sandbox.iam,
        kms: { kind: 'key-protect', endpoint: sandbox.kms, instanceId: sandbox.kmsInstanceId, private: false },
        cos: { endpoint: 'https://s3.us-south.cloud-object-storage.appdomain.cloud', bucket: 'b', region: 'us-south', authMode: 'iam' },
        vpc: { endpoint: 'https://us-south.iaas.cloud.ibm.com', region: 'us-south' },
        classic: { endpoint: 'https://api.softlayer.com/rest/v3.1' },
      },
    });
    const missing = await dispatch(app, 'testCredential', { profile: profileName });
    expect(missing.ok).toBe(false);
    if (!missing.ok) expect(missing.error.code).toBe('CREDENTIALS_MISSING');

    const stored = await call('setCredential', { profile: profileName, kind: 'apikey', apiKey: `${sandbox.apiKey}\n` });
    expect(stored).toEqual({ stored: true });
    expect(await call('credentialStatus', { profile: profileName })).toMatchObject({ keychainAvailable: true, apikey: true, hmac: false });
    const signedIn = (await call('testCredential', { profile: profileName })) as { ok: boolean; accountId: string };
    expect(signedIn).toMatchObject({ ok: true, accountId: 'sandbox' });
    expect(JSON.stringify(signedIn)).not.toContain(sandbox.apiKey);

    const key = (await call('createRootKey', { profile: profileName, name: 'api-created' })) as { id: string; crn: string };
    const keys = (await call('listRootKeys', { profile: profileName })) as { keys: { id: string }[] };
    expect(keys.keys.map((entry) => entry.id)).toContain(key.id);

    await call('setCredential', { profile: profileName, kind: 'apikey', apiKey: 'a-wrong-api-key-123' });
    const wrong = await dispatch(app, 'testCredential', { profile: profileName });
    expect(wrong.ok).toBe(false);
    if (!wrong.ok) {
      expect(wrong.error.code).toBe('IAM_API_KEY_INVALID');
      expect(wrong.error.message).not.toContain('a-wrong-api-key-123');
    }

    const text = await allFileText(dataDir);
    expect(text).not.toContain('a-wrong-api-key-123');
    expect(await call('deleteCredential', { profile: profileName })).toEqual({ apikey: true, hmac: false });
    expect(await call('credentialStatus', { profile: profileName })).toMatchObject({ apikey: false });
  });
});
