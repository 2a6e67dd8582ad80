import { describe, expect, it } from 'vitest';
import { isAppError } from '../../../main/common/errors';
import { getDekCustody } from '../../../main/secrets/custody';
import { CredentialStore, normalizeApiKey } from '../../../main/secrets/credentials';
import { MemoryDekCustody } from '../../../main/secrets/dek-custody';
import type { Keychain } from '../../../main/secrets/keychain';
import { keychainHint } from '../../../main/secrets/keychain';
import { KeychainDekCustody } from '../../../main/secrets/keychain-custody';

class FakeKeychain implements Keychain {
  readonly entries = new Map<string, string>();
  /** simulates a keychain that silently drops writes */
  dropWrites = false;
  async get(account: string) {
    return this.entries.get(account) ?? null;
  }
  async set(account: string, value: string) {
    if (!this.dropWrites) this.entries.set(account, value);
  }
  async delete(account: string) {
    return this.entries.delete(account);
  }
}

describe('DEK custody', () => {
  it('keeps base64 of the DEK under dek:<jobId> in the keychain', async () => {
    const keychain = new FakeKeychain();
    const custody = new KeychainDekCustody(keychain);
    const dek = Buffer.from('00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff', 'hex');
    await custody.put('job-20260101-aaaaaaaa', dek);
    expect(keychain.entries.get('dek:job-20260101-aaaaaaaa')).toBe(dek.toString('base64'));
    const copy = await custody.get('job-20260101-aaaaaaaa');
    copy!.fill(0);
    expect((await custody.get('job-20260101-aaaaaaaa'))!.equals(dek)).toBe(true);
    await custody.delete('job-20260101-aaaaaaaa');
    expect(await custody.get('job-20260101-aaaaaaaa')).toBeNull();
  });

  it('refuses to report success when the keychain did not keep the DEK', async () => {
    const keychain = new FakeKeychain();
    keychain.dropWrites = true;
    await expect(new KeychainDekCustody(keychain).put('job-20260101-bbbbbbbb', Buffer.alloc(32, 3))).rejects.toSatisfy(
      (error: unknown) => isAppError(error, 'KEYCHAIN_WRITE_FAILED'),
    );
  });

  it('uses memory custody only when IMAGE_SEALER_DEK_CUSTODY=memory, else the keychain', () => {
    const memory = getDekCustody({ dataDir: '/d1' }, { IMAGE_SEALER_DEK_CUSTODY: 'memory' });
    expect(memory).toBeInstanceOf(MemoryDekCustody);
    expect(getDekCustody({ dataDir: '/d1' }, { IMAGE_SEALER_DEK_CUSTODY: 'memory' })).toBe(memory);
    expect(getDekCustody({ dataDir: '/d1' }, {}).kind).toBe('keychain');
    expect(getDekCustody({ dataDir: '/d1' }, { IMAGE_SEALER_DEK_CUSTODY: 'file' }).kind).toBe('keychain');
  });
});

describe('credentials', () => {
  it('trims API keys and refuses what cannot be one', () => {
    expect(normalizeApiKey('  abcdefghij1234\r\n')).toBe('abcdefghij1234');
    expect(() => normalizeApiKey('two words here')).toThrow(/does not look like/);
    expect(() => normalizeApiKey('')).toThrow();
  });

  it('stores HMAC keys as JSON under hmac:<profile> and reports status without values', async () => {
    const keychain = new FakeKeychain();
    const store = new CredentialStore(keychain);
    await store.setHmac('p1', { accessKeyId: 'AKIDAKID', secretAccessKey: 'SECRETSECRET' });
    expect(JSON.parse(keychain.entries.get('hmac:p1')!)).toEqual({ accessKeyId: 'AKIDAKID', secretAccessKey: 'SECRETSECRET' });
    expect(await store.status('p1')).toEqual({ apikey: false, hmac: true });
    await expect(store.setHmac('p1', { accessKeyId: 'a b', secretAccessKey: 'x' })).rejects.toThrow(/not COS HMAC keys/);
  });

  it('tells Linux users how to get a Secret Service, headless included', () => {
    expect(keychainHint('linux')).toMatch(/gnome-keyring/);
    expect(keychainHint('linux')).toMatch(/KWallet/);
    expect(keychainHint('linux')).toMatch(/dbus-run-session/);
    expect(keychainHint('darwin')).toMatch(/login keychain/);
  });
});
