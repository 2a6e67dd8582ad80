import { z } from 'zod';
import { AppError } from '../common/errors';
import { OsKeychain, type Keychain } from './keychain';

/**
 * A profile's IBM Cloud credentials, in the OS keychain only: `apikey:<profile>` (the API key) and
 * `hmac:<profile>` (COS HMAC keys as JSON). Nothing here is ever written to a file, log or job record.
 */
export const HmacKeysSchema = z.object({
  accessKeyId: z.string().regex(/^\S{4,256}$/, 'an access key id has no spaces'),
  secretAccessKey: z.string().regex(/^\S{4,256}$/, 'a secret access key has no spaces'),
});
export type HmacKeys = z.infer<typeof HmacKeysSchema>;

export type CredentialKind = 'apikey' | 'hmac';

export function credentialEntryName(kind: CredentialKind, profile: string): string {
  return `${kind}:${profile}`;
}

/** Trims what a paste or `echo` adds; refuses what cannot be an API key. */
export function normalizeApiKey(input: string): string {
  const apiKey = input.trim();
  if (!/^\S{8,256}$/.test(apiKey)) {
    throw new AppError('API_KEY_MALFORMED', 'That does not look like an IBM Cloud API key (it must be one word of 8 to 256 characters).', {
      hint: 'Copy the key from https://cloud.ibm.com/iam/apikeys (it is shown once, when created).',
    });
  }
  return apiKey;
}

export class CredentialStore {
  constructor(private readonly keychain: Keychain = new OsKeychain()) {}

  async setApiKey(profile: string, apiKey: string): Promise<void> {
    await this.keychain.set(credentialEntryName('apikey', profile), normalizeApiKey(apiKey));
  }

  getApiKey(profile: string): Promise<string | null> {
    return this.keychain.get(credentialEntryName('apikey', profile));
  }

  async setHmac(profile: string, keys: HmacKeys): Promise<void> {
    const parsed = HmacKeysSchema.safeParse(keys);
    if (!parsed.success) {
      throw new AppError('HMAC_KEYS_MALFORMED', `Those are not COS HMAC keys: ${parsed.error.issues[0]?.message ?? 'invalid'}.`, {
        hint: 'Create HMAC credentials for the COS instance (Service credentials → Include HMAC Credential).',
      });
    }
    await this.keychain.set(credentialEntryName('hmac', profile), JSON.stringify(parsed.data));
  }

  async getHmac(profile: string): Promise<HmacKeys | null> {
    const text = await this.keychain.get(credentialEntryName('hmac', profile));
    if (text === null) return null;
    const parsed = HmacKeysSchema.safeParse(JSON.parse(text));
    if (!parsed.success) {
      throw new AppError('HMAC_KEYS_DAMAGED', `The COS HMAC keys of profile "${profile}" in the keychain are damaged.`, {
        hint: `Store them again with "image-sealer credentials set --profile ${profile} --hmac".`,
      });
    }
    return parsed.data;
  }

  /** Deletes the profile's credential(s); returns what was there. */
  async delete(profile: string, kinds: CredentialKind[] = ['apikey', 'hmac']): Promise<Record<CredentialKind, boolean>> {
    const removed: Record<CredentialKind, boolean> = { apikey: false, hmac: false };
    for (const kind of kinds) removed[kind] = await this.keychain.delete(credentialEntryName(kind, profile));
    return removed;
  }

  async status(profile: string): Promise<Record<CredentialKind, boolean>> {
    return {
      apikey: (await this.keychain.get(credentialEntryName('apikey', profile))) !== null,
      hmac: (await this.keychain.get(credentialEntryName('hmac', profile))) !== null,
    };
  }
}
