import { createHash } from 'node:crypto';
import type { AppContext } from '../app/context';
import { AppError } from '../common/errors';
import { IamSession } from '../kms/iam';
import type { SandboxEndpoints } from '../sandbox/sandbox';
import { CredentialStore, type HmacKeys } from '../secrets/credentials';
import { isSandboxProfile, ProfileSchema, type Profile } from './profile';
import { ProfileStore } from './profile-store';

/**
 * A profile ready to use: concrete endpoints (for `sandbox`, those of the running sandbox, started in this
 * process when none runs) and access to its credentials. Credentials are read from the keychain only when a
 * client needs them; the sandbox's are known and never touch the keychain.
 */
export interface ResolvedProfile {
  profile: Profile;
  /** the sandbox's endpoints and credentials, when this is the sandbox profile */
  sandbox: SandboxEndpoints | null;
  apiKey(): Promise<string>;
  hmacKeys(): Promise<HmacKeys | null>;
  /** the IAM session of this profile's API key (shared, so tokens are reused) */
  iam(): Promise<IamSession>;
}

export function profileStore(app: Pick<AppContext, 'paths'>): ProfileStore {
  return new ProfileStore(app.paths.settings);
}

const sessions = new Map<string, IamSession>();

function sharedSession(apiKey: string, iamEndpoint: string, profileName: string): IamSession {
  const id = `${iamEndpoint}\n${profileName}\n${createHash('sha256').update(apiKey).digest('hex')}`;
  let session = sessions.get(id);
  if (!session) {
    session = new IamSession({ apiKey, iamEndpoint, profileName });
    sessions.set(id, session);
  }
  return session;
}

export async function resolveProfile(
  app: Pick<AppContext, 'dataDir' | 'paths'>,
  name?: string,
  credentials: CredentialStore = new CredentialStore(),
): Promise<ResolvedProfile> {
  const store = profileStore(app);
  const profileName = name ?? (await store.defaultName());
  const stored = await store.get(profileName);
  if (isSandboxProfile(profileName)) {
    // Loaded on demand: the sandbox pulls in every local stand-in (s3rver included), which most commands never need.
    const { ensureSandbox } = await import('../sandbox/sandbox');
    const sandbox = await ensureSandbox(app.dataDir);
    const profile = ProfileSchema.parse({
      ...stored,
      region: sandbox.region,
      iamEndpoint: sandbox.iam,
      kms: { ...stored.kms, endpoint: sandbox.kms, instanceId: sandbox.kmsInstanceId },
      cos: { ...stored.cos, endpoint: sandbox.cos ?? stored.cos.endpoint, bucket: sandbox.bucket, region: sandbox.region },
      vpc: { ...stored.vpc, endpoint: sandbox.vpc ?? stored.vpc.endpoint, region: sandbox.region },
      classic: { endpoint: sandbox.softlayer ?? stored.classic.endpoint },
    });
    return {
      profile,
      sandbox,
      apiKey: async () => sandbox.apiKey,
      hmacKeys: async () => ({ accessKeyId: sandbox.cosAccessKeyId, secretAccessKey: sandbox.cosSecretAccessKey }),
      iam: async () => sharedSession(sandbox.apiKey, sandbox.iam, profileName),
    };
  }
  const apiKey = async () => {
    const key = await credentials.getApiKey(profileName);
    if (!key) {
      throw new AppError('CREDENTIALS_MISSING', `No IBM Cloud API key is stored for profile "${profileName}".`, {
        details: { profile: profileName },
        hint: `Store one with "image-sealer credentials set --profile ${profileName}" (it goes to the OS keychain).`,
      });
    }
    return key;
  };
  return {
    profile: stored,
    sandbox: null,
    apiKey,
    hmacKeys: () => credentials.getHmac(profileName),
    iam: async () => sharedSession(await apiKey(), stored.iamEndpoint, profileName),
  };
}
