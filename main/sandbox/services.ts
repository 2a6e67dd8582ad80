import type { SandboxIdentity } from './identity';
import { startIamServer } from './iam-server';
import { startKmsServer } from './kms-server';
import { startSandboxCos } from './cos-service';
import { softLayerSandboxService } from './softlayer-server';
import { vpcSandboxService } from './vpc-server';
import { verifySandboxToken, type SandboxTokenClaims } from './sandbox-token';

/** The names scripts see in `image-sealer sandbox --json`; each registered service fills in its own. */
export type SandboxServiceName = 'iam' | 'kms' | 'cos' | 'vpc' | 'softlayer';

export interface SandboxServiceContext {
  dataDir: string;
  /** `<dataDir>/sandbox`: where services keep their state (keys, objects, images) across restarts */
  sandboxDir: string;
  /** the sandbox API key, instance id, bucket, region, COS HMAC keys (none of them secret) */
  identity: SandboxIdentity;
  /** URLs of the services started before this one (the list's order), e.g. `urls.kms` for an import service */
  urls: Partial<Record<SandboxServiceName, string>>;
  /** checks an `Authorization: Bearer` token the sandbox IAM issued; null when invalid or expired */
  verifyToken(token: string): SandboxTokenClaims | null;
  /** true when the sandbox only serves the process that started it (a CLI command): servers should unref */
  inProcess: boolean;
}

export interface StartedSandboxService {
  url: string;
  stop(): Promise<void>;
}

export interface SandboxService {
  name: SandboxServiceName;
  start(context: SandboxServiceContext): Promise<StartedSandboxService>;
}

/**
 * Every local stand-in the sandbox starts, in order (later ones may use earlier ones' URLs).
 * To add one: append `{ name, start }` here.
 */
export const SANDBOX_SERVICES: SandboxService[] = [
  {
    name: 'iam',
    start: (context) =>
      startIamServer({
        apiKey: context.identity.apiKey,
        accountId: context.identity.accountId,
        tokenSigningKey: context.identity.tokenSigningKey,
        unref: context.inProcess,
      }),
  },
  {
    name: 'kms',
    start: (context) =>
      startKmsServer({
        dataDir: context.dataDir,
        instanceId: context.identity.kmsInstanceId,
        region: context.identity.region,
        accountId: context.identity.accountId,
        tokenSigningKey: context.identity.tokenSigningKey,
        unref: context.inProcess,
      }),
  },
  {
    name: 'cos',
    start: (context) => startSandboxCos({ sandboxDir: context.sandboxDir, bucket: context.identity.bucket, unref: context.inProcess }),
  },
  vpcSandboxService,
  softLayerSandboxService,
];

export function tokenVerifier(identity: SandboxIdentity): (token: string) => SandboxTokenClaims | null {
  return (token) => verifySandboxToken(token, identity.tokenSigningKey);
}
