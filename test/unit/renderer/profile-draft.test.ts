import { describe, expect, it } from 'vitest';
import { IBM_REGIONS, ibmCloudProfile, ProfileSchema, type Profile } from '../../../main/profiles/profile';
import { fieldProblems, newProfileDraft, profileToSave, withRegion } from '../../../renderer/src/pages/profile-draft';

/** A profile someone has filled in for us-south: every field away from its default. */
function filledDraft(): Profile {
  const draft = newProfileDraft();
  return {
    ...draft,
    name: 'work',
    kms: { ...draft.kms, kind: 'hpcs', instanceId: 'kms-guid', private: true, rootKey: 'root' },
    cos: { ...draft.cos, bucket: 'images', authMode: 'hmac', serviceInstanceId: 'crn:cos' },
    vpc: { ...draft.vpc, resourceGroupId: 'group' },
  };
}

describe('the profile form’s rules', () => {
  it('starts a new profile with IBM’s public endpoints of the first region, as ibmCloudProfile does', () => {
    const draft = newProfileDraft();
    expect(draft.name).toBe('');
    expect({ ...draft, name: 'work' }).toEqual(ibmCloudProfile('work', IBM_REGIONS[0]));
  });

  it.each(IBM_REGIONS)('fills the endpoints of %s exactly as ibmCloudProfile does', (region) => {
    const chosen = withRegion({ ...newProfileDraft('us-east'), name: 'work' }, region);
    expect(chosen).toEqual(ibmCloudProfile('work', region));
  });

  it('changes only the endpoints and regions when the region changes, keeping what was typed', () => {
    const draft = filledDraft();
    const moved = withRegion(draft, 'eu-de');
    const reference = ibmCloudProfile('work', 'eu-de');
    expect(moved).toEqual({
      ...draft,
      region: 'eu-de',
      kms: { ...draft.kms, endpoint: reference.kms.endpoint },
      cos: { ...draft.cos, endpoint: reference.cos.endpoint, region: 'eu-de' },
      vpc: { ...draft.vpc, endpoint: reference.vpc.endpoint, region: 'eu-de' },
    });
  });

  it('finds nothing wrong with a filled-in profile', () => {
    expect(fieldProblems(filledDraft(), true)).toEqual({});
  });

  it.each([
    ['', 'invalidName'],
    ['Work', 'invalidName'],
    ['-work', 'invalidName'],
    ['my work', 'invalidName'],
    ['w'.repeat(41), 'invalidName'],
  ])('marks the name %j as %s, by ProfileNameSchema’s rule', (name, problem) => {
    expect(fieldProblems({ ...filledDraft(), name }, true)).toEqual({ name: problem });
  });

  it('refuses the built-in sandbox’s name for a new profile', () => {
    expect(fieldProblems({ ...filledDraft(), name: 'sandbox' }, true)).toEqual({ name: 'builtInName' });
  });

  it('marks endpoints that are not http(s) URLs, and regions that do not look like one', () => {
    const draft = filledDraft();
    const broken: Profile = {
      ...draft,
      iamEndpoint: 'iam.cloud.ibm.com',
      kms: { ...draft.kms, endpoint: 'ftp://eu-de.kms.cloud.ibm.com' },
      cos: { ...draft.cos, endpoint: 'https://', region: 'Europe' },
      vpc: { ...draft.vpc, endpoint: 'https://eu de.iaas', region: '' },
      classic: { endpoint: '' },
    };
    expect(fieldProblems(broken, false)).toEqual({
      iamEndpoint: 'invalidUrl',
      'kms.endpoint': 'invalidUrl',
      'cos.endpoint': 'invalidUrl',
      'cos.region': 'invalidRegion',
      'vpc.endpoint': 'invalidUrl',
      'vpc.region': 'invalidRegion',
      'classic.endpoint': 'invalidUrl',
    });
  });

  it('sends values trimmed and empty optional fields left out, which main’s schema keeps as they are', () => {
    const draft = filledDraft();
    const sent = profileToSave({
      ...draft,
      iamEndpoint: ` ${draft.iamEndpoint} `,
      kms: { ...draft.kms, instanceId: ' kms-guid ', rootKey: '   ' },
      cos: { ...draft.cos, bucket: ' images', serviceInstanceId: '' },
      vpc: { ...draft.vpc, resourceGroupId: ' group ' },
    });
    expect(ProfileSchema.parse(sent)).toEqual(sent);
    expect(sent.iamEndpoint).toBe(draft.iamEndpoint);
    expect(sent.kms).toEqual({ ...draft.kms, rootKey: undefined, instanceId: 'kms-guid' });
    expect('rootKey' in sent.kms).toBe(false);
    expect('serviceInstanceId' in sent.cos).toBe(false);
    expect(sent.cos.bucket).toBe('images');
    expect(sent.vpc.resourceGroupId).toBe('group');
  });
});
