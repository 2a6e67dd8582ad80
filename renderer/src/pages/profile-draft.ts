import {
  HttpUrlSchema,
  IBM_REGIONS,
  ibmCloudProfileFields,
  isSandboxProfile,
  mergeProfilePatch,
  ProfileNameSchema,
  RegionSchema,
  type Profile,
} from '../../../main/api/contract/profiles';

/**
 * The profile form's rules, apart from React: what a new profile starts as, what choosing a region changes,
 * which fields are visibly wrong before main sees them, and what is sent. Only string schemas are used here:
 * parsing a whole profile (a zod object) would trip the renderer's Content-Security-Policy.
 */

type UrlField = 'iamEndpoint' | 'kms.endpoint' | 'cos.endpoint' | 'vpc.endpoint' | 'classic.endpoint';
type RegionField = 'region' | 'cos.region' | 'vpc.region';

/** The fields the form can mark as invalid, by their path in a profile. */
export type ProfileField = 'name' | UrlField | RegionField;

/** What is wrong with a field; each has a text in the `profileForm.problems` catalog. */
export type FieldProblem = 'invalidName' | 'builtInName' | 'invalidUrl' | 'invalidRegion';

export type FieldProblems = Partial<Record<ProfileField, FieldProblem>>;

const URL_FIELDS: [UrlField, (profile: Profile) => string][] = [
  ['iamEndpoint', (profile) => profile.iamEndpoint],
  ['kms.endpoint', (profile) => profile.kms.endpoint],
  ['cos.endpoint', (profile) => profile.cos.endpoint],
  ['vpc.endpoint', (profile) => profile.vpc.endpoint],
  ['classic.endpoint', (profile) => profile.classic.endpoint],
];

const REGION_FIELDS: [RegionField, (profile: Profile) => string][] = [
  ['region', (profile) => profile.region],
  ['cos.region', (profile) => profile.cos.region],
  ['vpc.region', (profile) => profile.vpc.region],
];

/** A new profile: no name yet, IBM's public endpoints of the first region. */
export function newProfileDraft(region: string = IBM_REGIONS[0]): Profile {
  return ibmCloudProfileFields('', region);
}

/** Choosing a region puts IBM's public endpoints of that region in place; everything else stays. */
export function withRegion(draft: Profile, region: string): Profile {
  const fields = ibmCloudProfileFields(draft.name, region);
  return mergeProfilePatch(draft, {
    region,
    iamEndpoint: fields.iamEndpoint,
    kms: { endpoint: fields.kms.endpoint },
    cos: { endpoint: fields.cos.endpoint, region: fields.cos.region },
    vpc: { endpoint: fields.vpc.endpoint, region: fields.vpc.region },
    classic: fields.classic,
  });
}

/** The problems main would also refuse, per field; `adding` also refuses the built-in sandbox's name. */
export function fieldProblems(draft: Profile, adding: boolean): FieldProblems {
  const problems: FieldProblems = {};
  if (!ProfileNameSchema.safeParse(draft.name).success) problems.name = 'invalidName';
  else if (adding && isSandboxProfile(draft.name)) problems.name = 'builtInName';
  for (const [field, read] of URL_FIELDS) {
    if (!HttpUrlSchema.safeParse(read(draft).trim()).success) problems[field] = 'invalidUrl';
  }
  for (const [field, read] of REGION_FIELDS) {
    if (!RegionSchema.safeParse(read(draft).trim()).success) problems[field] = 'invalidRegion';
  }
  return problems;
}

/** Empty optional fields become absent, and stray spaces around typed values go. */
export function profileToSave(draft: Profile): Profile {
  const { rootKey, ...kms } = draft.kms;
  const { serviceInstanceId, ...cos } = draft.cos;
  const { resourceGroupId, ...vpc } = draft.vpc;
  return {
    name: draft.name,
    region: draft.region,
    iamEndpoint: draft.iamEndpoint.trim(),
    kms: { ...kms, endpoint: kms.endpoint.trim(), instanceId: kms.instanceId.trim(), ...present('rootKey', rootKey) },
    cos: {
      ...cos,
      endpoint: cos.endpoint.trim(),
      bucket: cos.bucket.trim(),
      region: cos.region.trim(),
      ...present('serviceInstanceId', serviceInstanceId),
    },
    vpc: {
      ...vpc,
      endpoint: vpc.endpoint.trim(),
      region: vpc.region.trim(),
      ...present('resourceGroupId', resourceGroupId),
    },
    classic: { endpoint: draft.classic.endpoint.trim() },
  };
}

/** `{ key: value }` trimmed, or nothing for an empty value: main stores an unset optional field as absent, not "". */
function present<Key extends string>(key: Key, value: string | undefined): Partial<Record<Key, string>> {
  const trimmed = value?.trim();
  return trimmed ? ({ [key]: trimmed } as Record<Key, string>) : {};
}
