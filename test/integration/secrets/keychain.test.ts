import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CredentialStore } from '../../../main/secrets/credentials';
import { KeychainDekCustody } from '../../../main/secrets/keychain-custody';
import { OsKeychain, probeKeychain } from '../../../main/secrets/keychain';
import { toolAvailable } from '../../../main/common/tools';

/**
 * Runs against the real OS keychain (on Linux: gnome-keyring in a D-Bus session, see ENVIRONMENT.md).
 * With IMAGE_SEALER_REQUIRE_KEYRING=1 (the project's test runner sets it) a missing Secret Service FAILS.
 */
const run = promisify(execFile);
const service = `image-sealer-test-${randomBytes(4).toString('hex')}`;
const required = process.env.IMAGE_SEALER_REQUIRE_KEYRING === '1';
const probe = await probeKeychain(new OsKeychain(service));

/** Reads an entry with libsecret's own tool, independently of @napi-rs/keyring. */
async function secretToolLookup(account: string): Promise<string | null> {
  try {
    const { stdout } = await run('secret-tool', ['lookup', 'service', service, 'username', account]);
    return stdout;
  } catch {
    return null;
  }
}

describe('OS keychain', () => {
  it('is reachable when the test runner requires it', () => {
    if (required) expect(probe).toEqual({ available: true });
  });

  it.skipIf(!probe.available)('stores, reads, replaces and deletes an API key and HMAC keys', async () => {
    const store = new CredentialStore(new OsKeychain(service));
    expect(await store.status('work')).toEqual({ apikey: false, hmac: false });
    await store.setApiKey('work', '  first-api-key-0123456789\n');
    expect(await store.getApiKey('work')).toBe('first-api-key-0123456789');
    await store.setApiKey('work', 'second-api-key-0123456789');
    expect(await store.getApiKey('work')).toBe('second-api-key-0123456789');
    await store.setHmac('work', { accessKeyId: 'AKID0001', secretAccessKey: 'SECRET0001' });
    expect(await store.getHmac('work')).toEqual({ accessKeyId: 'AKID0001', secretAccessKey: 'SECRET0001' });
    expect(await store.status('work')).toEqual({ apikey: true, hmac: true });
    if (process.platform === 'linux' && (await toolAvailable('secret-tool'))) {
      expect(await secretToolLookup('apikey:work')).toBe('second-api-key-0123456789');
    }
    expect(await store.delete('work')).toEqual({ apikey: true, hmac: true });
    expect(await store.getApiKey('work')).toBeNull();
    expect(await store.delete('work')).toEqual({ apikey: false, hmac: false });
  });

  it.skipIf(!probe.available)('keeps a DEK in custody under dek:<jobId> until deleted', async () => {
    const custody = new KeychainDekCustody(new OsKeychain(service));
    const jobId = `job-20260101-${randomBytes(4).toString('hex')}`;
    const dek = randomBytes(64);
    await custody.put(jobId, dek);
    const back = await custody.get(jobId);
    expect(back?.equals(dek)).toBe(true);
    if (process.platform === 'linux' && (await toolAvailable('secret-tool'))) {
      expect(await secretToolLookup(`dek:${jobId}`)).toBe(dek.toString('base64'));
    }
    const replacement = randomBytes(32);
    await custody.put(jobId, replacement);
    expect((await custody.get(jobId))?.equals(replacement)).toBe(true);
    await custody.delete(jobId);
    expect(await custody.get(jobId)).toBeNull();
    if (process.platform === 'linux' && (await toolAvailable('secret-tool'))) {
      expect(await secretToolLookup(`dek:${jobId}`)).toBeNull();
    }
  });

  it('refuses clearly, and stores nothing, when no keychain can be reached', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus' };
    delete env.IMAGE_SEALER_DEK_CUSTODY;
    const { stdout } = await run(process.execPath, ['bin/run-ts.js', 'test/integration/secrets/fixtures/keychain-child.ts', service], {
      env,
      cwd: process.cwd(),
    });
    const results = JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, { code: string; message: string; hint: string }>;
    for (const result of [results.credential, results.custody]) {
      expect(result.code).toBe('KEYCHAIN_UNAVAILABLE');
      expect(result.message).toMatch(/no D-Bus session bus can be reached/);
      expect(result.message).toMatch(/will not store them in files/);
      if (process.platform === 'linux') {
        expect(result.hint).toMatch(/gnome-keyring/);
        expect(result.hint).toMatch(/dbus-run-session/);
      }
    }
  });
});

const canStartLockedKeyring =
  process.platform === 'linux' && (await toolAvailable('dbus-run-session')) && (await toolAvailable('gnome-keyring-daemon'));

describe('a locked keyring', () => {
  it.skipIf(!canStartLockedKeyring)('is refused with the same clear message, nothing stored', async () => {
    const home = await mkdtemp(join(tmpdir(), 'locked-keyring-'));
    try {
      const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, XDG_DATA_HOME: join(home, 'data') };
      delete env.XDG_RUNTIME_DIR;
      delete env.IMAGE_SEALER_DEK_CUSTODY;
      delete env.DBUS_SESSION_BUS_ADDRESS;
      const { stdout } = await run(
        'dbus-run-session',
        [
          '--',
          'sh',
          '-c',
          'gnome-keyring-daemon --components=secrets --start >/dev/null; exec "$@"',
          'sh',
          process.execPath,
          'bin/run-ts.js',
          'test/integration/secrets/fixtures/keychain-child.ts',
          service,
        ],
        { env, cwd: process.cwd() },
      );
      const results = JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, { code: string; message: string }>;
      expect(results.credential.code).toBe('KEYCHAIN_UNAVAILABLE');
      expect(results.custody.code).toBe('KEYCHAIN_UNAVAILABLE');
      expect(results.custody.message).toMatch(/locked|Secret Service/);
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});
