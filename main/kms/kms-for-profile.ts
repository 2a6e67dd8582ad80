import { AppError } from '../common/errors';
import type { ResolvedProfile } from '../profiles/resolve';
import { KeyProtectClient } from './key-protect';

/** The Key Protect / HPCS client of a resolved profile, authenticated with the profile's IAM session. */
export async function keyProtectForProfile(resolved: ResolvedProfile): Promise<KeyProtectClient> {
  const { kms, name } = resolved.profile;
  if (kms.instanceId.trim() === '') {
    throw new AppError('PROFILE_INCOMPLETE', `Profile "${name}" names no Key Protect instance.`, {
      details: { name },
      hint: `Set it with "image-sealer profiles set ${name} --kms-instance INSTANCE_ID" (the GUID of the Key Protect or HPCS instance).`,
    });
  }
  const iam = await resolved.iam();
  return new KeyProtectClient(
    { endpoint: kms.endpoint, instanceId: kms.instanceId, private: kms.private, kind: kms.kind },
    { authenticator: iam.authenticator, token: (signal) => iam.token(signal), renew: () => iam.renew() },
  );
}
