import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyProfilePatch, ibmCloudProfile, ProfileSchema, sandboxProfile } from '../../../main/profiles/profile';
import { ProfileStore } from '../../../main/profiles/profile-store';

let dir: string;
let store: ProfileStore;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'profiles-'));
  store = new ProfileStore(join(dir, 'settings.json'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('profiles', () => {
  it('starts with the built-in sandbox as the default', async () => {
    expect((await store.list()).map((profile) => profile.name)).toEqual(['sandbox']);
    expect(await store.defaultName()).toBe('sandbox');
    expect((await store.get('sandbox')).cos.bucket).toBe('image-sealer-sandbox');
  });

  it('builds a profile from a region\u2019s public IBM endpoints', () => {
    const profile = ibmCloudProfile('work', 'eu-de');
    expect(profile.kms.endpoint).toBe('https://eu-de.kms.cloud.ibm.com');
    expect(profile.cos.endpoint).toBe('https://s3.eu-de.cloud-object-storage.appdomain.cloud');
    expect(profile.vpc.endpoint).toBe('https://eu-de.iaas.cloud.ibm.com');
    expect(profile.iamEndpoint).toBe('https://iam.cloud.ibm.com');
  });

  it('adds, patches, makes default and removes a profile, keeping other settings', async () => {
    await writeFile(join(dir, 'settings.json'), JSON.stringify({ language: 'it' }));
    await store.add(ibmCloudProfile('work', 'us-east'));
    await expect(store.add(ibmCloudProfile('work', 'us-east'))).rejects.toMatchObject({ code: 'PROFILE_EXISTS' });
    const patched = await store.update('work', { kms: { instanceId: 'abc-123', private: true, kind: 'hpcs' }, cos: { bucket: 'images' } });
    expect(patched.kms).toMatchObject({ instanceId: 'abc-123', private: true, kind: 'hpcs', endpoint: 'https://us-east.kms.cloud.ibm.com' });
    expect(patched.cos.bucket).toBe('images');
    await store.setDefault('work');
    expect(await store.defaultName()).toBe('work');
    const onDisk = JSON.parse(await readFile(join(dir, 'settings.json'), 'utf8')) as Record<string, unknown>;
    expect(onDisk.language).toBe('it');
    expect(onDisk.defaultProfile).toBe('work');
    await store.remove('work');
    expect(await store.defaultName()).toBe('sandbox');
    await expect(store.get('work')).rejects.toMatchObject({ code: 'PROFILE_NOT_FOUND' });
  });

  it('refuses to add, change or remove the sandbox, and refuses bad values', async () => {
    await expect(store.save(sandboxProfile())).rejects.toMatchObject({ code: 'PROFILE_BUILT_IN' });
    await expect(store.remove('sandbox')).rejects.toMatchObject({ code: 'PROFILE_BUILT_IN' });
    expect(() => ibmCloudProfile('Bad Name', 'us-south')).toThrow();
    expect(() => applyProfilePatch(ibmCloudProfile('ok', 'us-south'), { kms: { endpoint: 'not a url' } })).toThrow();
    expect(ProfileSchema.safeParse({ ...ibmCloudProfile('ok', 'us-south'), apiKey: 'secret' }).success).toBe(false);
  });

  it('says clearly when settings.json is damaged', async () => {
    await writeFile(join(dir, 'settings.json'), '{ not json');
    await expect(store.list()).rejects.toMatchObject({ code: 'SETTINGS_DAMAGED' });
  });
});
