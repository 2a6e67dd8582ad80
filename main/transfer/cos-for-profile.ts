import { AppError } from '../common/errors';
import type { ResolvedProfile } from '../profiles/resolve';
import { CosClient } from './cos-client';

/**
 * A COS client for a profile: the sandbox always uses its known HMAC keys (s3rver checks access keys, not IAM
 * tokens); an IBM Cloud profile uses IAM (API key → bearer token, refreshed by the SDK) or, when the profile
 * says so, the HMAC keys stored in the keychain.
 */
export async function cosClientForProfile(resolved: ResolvedProfile): Promise<CosClient> {
  const { profile } = resolved;
  const base = { endpoint: profile.cos.endpoint, region: profile.cos.region };
  if (resolved.sandbox || profile.cos.authMode === 'hmac') {
    const keys = await resolved.hmacKeys();
    if (!keys) {
      throw new AppError('CREDENTIALS_MISSING', `No COS HMAC keys are stored for profile "${profile.name}".`, {
        hint: `Store them with "image-sealer credentials set --profile ${profile.name} --hmac", or switch the profile to IAM authentication.`,
      });
    }
    return new CosClient({ ...base, auth: { kind: 'hmac', accessKeyId: keys.accessKeyId, secretAccessKey: keys.secretAccessKey } });
  }
  return new CosClient({
    ...base,
    auth: {
      kind: 'iam',
      apiKey: await resolved.apiKey(),
      serviceInstanceId: profile.cos.serviceInstanceId,
      iamEndpoint: `${profile.iamEndpoint.replace(/\/+$/, '')}/identity/token`,
    },
  });
}
