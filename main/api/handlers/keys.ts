import { AppError, isAppError } from '../../common/errors';
import { effectiveState } from '../../jobs/state-machine';
import { jobRunner } from '../../jobs/runner';
import { keyProtectForProfile } from '../../kms/kms-for-profile';
import { isSandboxProfile } from '../../profiles/profile';
import { profileStore, resolveProfile } from '../../profiles/resolve';
import { CredentialStore } from '../../secrets/credentials';
import { keychainHint, probeKeychain } from '../../secrets/keychain';
import type { keyCalls } from '../contract/keys';
import type { HandlersFor } from './define';

function refuseSandboxCredentials(profile: string): void {
  if (isSandboxProfile(profile)) {
    throw new AppError('SANDBOX_NEEDS_NO_CREDENTIALS', 'The sandbox profile needs no credentials: its API key is known and not secret.');
  }
}

export const keyHandlers: HandlersFor<typeof keyCalls> = {
  async listProfiles(_input, app) {
    const store = profileStore(app);
    const profiles = await store.list();
    return {
      profiles: profiles.map((profile) => ({ ...profile, builtIn: isSandboxProfile(profile.name) })),
      defaultProfile: await store.defaultName(),
    };
  },

  async saveProfile({ profile, makeDefault }, app) {
    const store = profileStore(app);
    const saved = await store.save(profile);
    if (makeDefault) await store.setDefault(saved.name);
    return saved;
  },

  async removeProfile({ name }, app) {
    await profileStore(app).remove(name);
    let credentialsRemoved = false;
    try {
      const removed = await new CredentialStore().delete(name);
      credentialsRemoved = removed.apikey || removed.hmac;
    } catch (error) {
      if (!isAppError(error, 'KEYCHAIN_UNAVAILABLE')) throw error;
    }
    return { removed: true as const, credentialsRemoved };
  },

  async setDefaultProfile({ name }, app) {
    await profileStore(app).setDefault(name);
    return { ok: true as const };
  },

  async setCredential(input, app) {
    refuseSandboxCredentials(input.profile);
    await profileStore(app).get(input.profile);
    const store = new CredentialStore();
    if (input.kind === 'apikey') await store.setApiKey(input.profile, input.apiKey);
    else await store.setHmac(input.profile, { accessKeyId: input.accessKeyId.trim(), secretAccessKey: input.secretAccessKey.trim() });
    await app.audit.append({ type: 'credentials.stored', data: { profile: input.profile, kind: input.kind } });
    return { stored: true };
  },

  async testCredential({ profile }, app) {
    const resolved = await resolveProfile(app, profile);
    const info = await (await resolved.iam()).test();
    return { ok: true as const, ...info };
  },

  async deleteCredential({ profile, kind }, app) {
    refuseSandboxCredentials(profile);
    const removed = await new CredentialStore().delete(profile, kind ? [kind] : ['apikey', 'hmac']);
    await app.audit.append({ type: 'credentials.deleted', data: { profile, kinds: kind ? [kind] : ['apikey', 'hmac'] } });
    return removed;
  },

  async credentialStatus({ profile }, app) {
    await profileStore(app).get(profile);
    const sandbox = isSandboxProfile(profile);
    const probe = await probeKeychain();
    if (!probe.available) {
      return {
        profile,
        sandbox,
        keychainAvailable: false,
        keychainProblem: { message: `The OS keychain is not available (${probe.reason ?? 'unknown reason'}).`, hint: keychainHint() },
        apikey: sandbox,
        hmac: sandbox,
      };
    }
    const status = sandbox ? { apikey: true, hmac: true } : await new CredentialStore().status(profile);
    return { profile, sandbox, keychainAvailable: true, keychainProblem: null, ...status };
  },

  async listRootKeys({ profile }, app) {
    const resolved = await resolveProfile(app, profile);
    const kms = await keyProtectForProfile(resolved);
    return { profile: resolved.profile.name, keys: await kms.listRootKeys() };
  },

  async createRootKey({ profile, name, alias, description }, app) {
    const resolved = await resolveProfile(app, profile);
    const kms = await keyProtectForProfile(resolved);
    const key = await kms.createRootKey({ name, description, aliases: alias ? [alias] : undefined });
    await app.audit.append({
      type: 'kms.root-key.created',
      data: { profile: resolved.profile.name, rootKeyId: key.id, rootKeyCrn: key.crn, name: key.name },
    });
    return key;
  },

  async wrapJob({ jobId, rootKey }, app) {
    const job = await app.jobs.get(jobId);
    if (effectiveState(job) !== 'sealed') {
      throw new AppError('JOB_NOT_SEALED', `Job ${jobId} is at "${effectiveState(job)}"; only a sealed job can be wrapped.`, {
        hint: effectiveState(job) === 'created' ? 'Seal it first.' : 'It is wrapped already.',
      });
    }
    if (rootKey !== undefined) {
      await app.jobs.update(jobId, (current) => ({ options: { ...current.options, rootKey } }));
    }
    return jobRunner(app).run(jobId, { until: 'wrap' });
  },
};
