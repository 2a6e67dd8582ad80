import { createHash, timingSafeEqual } from 'node:crypto';
import { AppError } from '../../common/errors';
import type { KeyProtectClient, KmsKey } from '../../kms/key-protect';
import type { ResolvedProfile } from '../../profiles/resolve';
import { getDekCustody } from '../../secrets/custody';
import { missingDekError } from '../../secrets/dek-custody';
import { targetSpec } from '../../targets';
import type { Job, WrapRecord } from '../job';
import type { StepContext, StepRunner } from './step';

/**
 * Wrap: the job's DEK leaves the keychain custody only as Key Protect's wrap of the target's wrap plaintext
 * (no AAD: the import services cannot supply one). One unwrap must return the same bytes, and must give the
 * import service exactly the secret the image was sealed with, before the custody entry is deleted; until
 * then a failure loses nothing and the step can simply run again.
 */
export const SANDBOX_ROOT_KEY_NAME = 'image-sealer-sandbox-root';

/** First 8 hex of SHA-256: names a secret without revealing it. */
export function fingerprint(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex').slice(0, 8);
}

function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

async function chooseRootKey(
  kms: KeyProtectClient,
  job: Job,
  resolved: ResolvedProfile,
  context: StepContext,
): Promise<KmsKey> {
  const reference = job.options.rootKey ?? resolved.profile.kms.rootKey;
  if (reference) return kms.resolveRootKey(reference, context.signal);
  if (resolved.sandbox) {
    const existing = (await kms.listRootKeys(context.signal)).find(
      (key) => key.name === SANDBOX_ROOT_KEY_NAME && key.state === 1,
    );
    if (existing) return existing;
    const created = await kms.createRootKey(
      { name: SANDBOX_ROOT_KEY_NAME, description: 'Created by Image Sealer on first use of the sandbox' },
      context.signal,
    );
    await context.audit('kms.root-key.created', { rootKeyId: created.id, rootKeyCrn: created.crn, sandbox: true });
    return created;
  }
  throw new AppError('ROOT_KEY_REQUIRED', `Job ${job.id} names no root key and profile "${resolved.profile.name}" has no default one.`, {
    hint: `Choose one with "image-sealer wrap ${job.id} --key ID_OR_ALIAS" (list them with "image-sealer keys list --profile ${resolved.profile.name}"), or set a default with "image-sealer profiles set ${resolved.profile.name} --root-key ID".`,
  });
}

export const wrapStep: StepRunner = async (context) => {
  const { app, job, signal } = context;
  const custody = getDekCustody(app);

  // A crash after the wrap record was stored but before the custody entry was deleted: finish the cleanup.
  if (job.wrap?.roundTripVerified) {
    await custody.delete(job.id);
    await context.audit('dek.custody.deleted', { custody: custody.kind, resumed: true });
    return { wrap: job.wrap };
  }

  const spec = targetSpec(job.target);
  const dek = await custody.get(job.id);
  if (!dek) throw missingDekError(job.id);
  let wrapPlaintext: Buffer | null = null;
  let unwrappedBytes: Buffer | null = null;
  let expectedSecret: Buffer | null = null;
  let importSecret: Buffer | null = null;
  try {
    if (!spec.dekSizes.includes(dek.length)) {
      throw new AppError('DEK_WRONG_SIZE', `The key in custody for job ${job.id} is ${dek.length} bytes; target ${job.target} needs ${spec.dekSizes.join(' or ')}.`, {
        hint: 'Seal the image again.',
      });
    }
    if (job.seal?.keyFingerprint && job.seal.keyFingerprint !== fingerprint(dek)) {
      throw new AppError('DEK_MISMATCH', `The key in custody for job ${job.id} is not the key the image was sealed with (fingerprint ${fingerprint(dek)}, sealed with ${job.seal.keyFingerprint}).`, {
        hint: 'Seal the image again; wrapping this key would make an image that cannot be imported.',
      });
    }

    // Loaded on demand so that commands which never wrap do not load the cloud SDKs at start.
    const { resolveProfile } = await import('../../profiles/resolve');
    const { keyProtectForProfile } = await import('../../kms/kms-for-profile');
    const resolved = await resolveProfile(app, job.profile);
    const kms = await keyProtectForProfile(resolved);
    const rootKey = await chooseRootKey(kms, job, resolved, context);
    if (rootKey.state !== 1) {
      throw new AppError('KMS_KEY_STATE', `Root key "${rootKey.name}" (${rootKey.id}) is ${rootKey.stateName}; wrapping needs an active key.`, {
        hint: 'Enable the key, or choose another with --key.',
      });
    }

    const plaintext = spec.wrapPlaintext(dek);
    wrapPlaintext = Buffer.from(plaintext, 'base64');
    await context.audit('kms.wrap.requested', {
      rootKeyId: rootKey.id,
      rootKeyCrn: rootKey.crn,
      endpoint: resolved.profile.kms.endpoint,
      kind: resolved.profile.kms.kind,
      aad: false,
    });
    context.progress({ phase: 'wrapping', bytesDone: 0, bytesTotal: 2, rate: 0, eta: null });
    const wrapped = await kms.wrap(rootKey.id, plaintext, signal);
    context.progress({ phase: 'verifying', bytesDone: 1, bytesTotal: 2, rate: 0, eta: null });
    const unwrapped = await kms.unwrap(rootKey.id, wrapped.ciphertext, signal);
    unwrappedBytes = Buffer.from(unwrapped.plaintext, 'base64');
    expectedSecret = spec.encryptorSecret(dek);
    importSecret = spec.encryptorSecret(spec.dekFromUnwrapped(unwrapped.plaintext));
    if (!sameBytes(unwrappedBytes, wrapPlaintext) || !sameBytes(importSecret, expectedSecret)) {
      throw new AppError('WRAP_ROUND_TRIP_FAILED', `Unwrapping the new WDEK of job ${job.id} did not return the wrapped key.`, {
        hint: 'Nothing was deleted: the key is still in the keychain. Retry the wrap; if it fails again, report it to the Key Protect administrator.',
      });
    }
    context.progress({ phase: 'verifying', bytesDone: 2, bytesTotal: 2, rate: 0, eta: 0 });

    const record: WrapRecord = {
      rootKeyId: rootKey.id,
      rootKeyCrn: rootKey.crn,
      keyVersion: wrapped.keyVersion ?? undefined,
      wdek: wrapped.ciphertext,
      wdekFingerprint: fingerprint(wrapped.ciphertext),
      roundTripVerified: true,
      wrappedAt: new Date().toISOString(),
    };
    // The record is durable before the DEK leaves custody, so no crash can lose both.
    await context.checkpoint({ wrap: record });
    await context.audit('kms.wrap.verified', {
      rootKeyId: record.rootKeyId,
      rootKeyCrn: record.rootKeyCrn,
      keyVersion: record.keyVersion ?? null,
      wdekFingerprint: record.wdekFingerprint,
      keyFingerprint: fingerprint(dek),
    });
    await custody.delete(job.id);
    await context.audit('dek.custody.deleted', { custody: custody.kind });
    return { wrap: record };
  } finally {
    dek.fill(0);
    wrapPlaintext?.fill(0);
    unwrappedBytes?.fill(0);
    expectedSecret?.fill(0);
    importSecret?.fill(0);
  }
};
