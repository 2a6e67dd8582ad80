import { z } from 'zod';

/**
 * A profile names one IBM Cloud account context: region, the Key Protect or HPCS instance, the COS bucket, the
 * VPC region and the classic endpoint. Profiles hold no secrets (those are in the OS keychain, per profile).
 * `sandbox` is built in and points at the local stand-ins, whose URLs are known only once they run.
 */
export const SANDBOX_PROFILE_NAME = 'sandbox';

export const IBM_REGIONS = [
  'us-south',
  'us-east',
  'eu-gb',
  'eu-de',
  'au-syd',
  'jp-tok',
  'jp-osa',
  'ca-tor',
  'br-sao',
  'eu-es',
  'ca-mon',
  'in-che',
  'in-mum',
] as const;

export const ProfileNameSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'a profile name is 1 to 40 lower-case letters, digits, "-" or "_"');

export const RegionSchema = z.string().regex(/^[a-z]{2}-[a-z]{2,5}$/, 'a region looks like "us-south"');
export const HttpUrlSchema = z.string().regex(/^https?:\/\/[^\s/]+(\/\S*)?$/, 'an http(s) URL');

export const ProfileSchema = z
  .object({
    name: ProfileNameSchema,
    region: RegionSchema,
    iamEndpoint: HttpUrlSchema,
    kms: z
      .object({
        kind: z.enum(['key-protect', 'hpcs']).default('key-protect'),
        endpoint: HttpUrlSchema,
        instanceId: z.string().max(100).default(''),
        private: z.boolean().default(false),
        /** root key (id or alias) used when a job names none */
        rootKey: z.string().max(100).optional(),
      })
      .strict(),
    cos: z
      .object({
        endpoint: HttpUrlSchema,
        bucket: z.string().max(63).default(''),
        region: RegionSchema,
        authMode: z.enum(['iam', 'hmac']).default('iam'),
        serviceInstanceId: z.string().max(200).optional(),
      })
      .strict(),
    vpc: z
      .object({
        endpoint: HttpUrlSchema,
        region: RegionSchema,
        resourceGroupId: z.string().max(100).optional(),
      })
      .strict(),
    classic: z.object({ endpoint: HttpUrlSchema }).strict(),
  })
  .strict();

export type Profile = z.infer<typeof ProfileSchema>;
export type ProfileInput = z.input<typeof ProfileSchema>;

/** IBM's public endpoints of a region, the starting point of a new profile. */
export function ibmCloudProfile(name: string, region: string): Profile {
  return ProfileSchema.parse(ibmCloudProfileFields(name, region));
}

/**
 * The same profile as plain fields, unparsed: the renderer fills its form from this, and zod's object parser
 * probes `new Function`, which the renderer's Content-Security-Policy reports as a violation.
 */
export function ibmCloudProfileFields(name: string, region: string): Profile {
  return {
    name,
    region,
    iamEndpoint: 'https://iam.cloud.ibm.com',
    kms: { kind: 'key-protect', endpoint: `https://${region}.kms.cloud.ibm.com`, instanceId: '', private: false },
    cos: { endpoint: `https://s3.${region}.cloud-object-storage.appdomain.cloud`, bucket: '', region, authMode: 'iam' },
    vpc: { endpoint: `https://${region}.iaas.cloud.ibm.com`, region },
    classic: { endpoint: 'https://api.softlayer.com/rest/v3.1' },
  };
}

/**
 * The built-in sandbox profile as stored and listed: its endpoints say "local, port chosen at start"; the real
 * URLs come from the running sandbox (see resolveProfile).
 */
export function sandboxProfile(region = 'us-south', bucket = 'image-sealer-sandbox'): Profile {
  const local = 'http://127.0.0.1:0';
  return ProfileSchema.parse({
    name: SANDBOX_PROFILE_NAME,
    region,
    iamEndpoint: local,
    kms: { kind: 'key-protect', endpoint: local, instanceId: 'sandbox', private: false },
    cos: { endpoint: local, bucket, region, authMode: 'hmac' },
    vpc: { endpoint: local, region },
    classic: { endpoint: local },
  });
}

export function isSandboxProfile(name: string): boolean {
  return name === SANDBOX_PROFILE_NAME;
}

/** A deep patch of a profile: only the fields given change. */
export type ProfilePatch = {
  region?: string;
  iamEndpoint?: string;
  kms?: Partial<Profile['kms']>;
  cos?: Partial<Profile['cos']>;
  vpc?: Partial<Profile['vpc']>;
  classic?: Partial<Profile['classic']>;
};

export function applyProfilePatch(profile: Profile, patch: ProfilePatch): Profile {
  return ProfileSchema.parse(mergeProfilePatch(profile, patch));
}

/** The patched profile, unchecked (the renderer's form edits this way; see ibmCloudProfileFields for why). */
export function mergeProfilePatch(profile: Profile, patch: ProfilePatch): Profile {
  return {
    ...profile,
    region: patch.region ?? profile.region,
    iamEndpoint: patch.iamEndpoint ?? profile.iamEndpoint,
    kms: { ...profile.kms, ...patch.kms },
    cos: { ...profile.cos, ...patch.cos },
    vpc: { ...profile.vpc, ...patch.vpc },
    classic: { ...profile.classic, ...patch.classic },
  };
}
