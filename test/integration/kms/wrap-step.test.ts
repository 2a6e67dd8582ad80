import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import IbmKeyProtectApiV2 from '@ibm-cloud/ibm-key-protect/ibm-key-protect-api/v2';
import { IamAuthenticator } from '@ibm-cloud/ibm-key-protect/auth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppContext, type AppContext } from '../../../main/app/context';
import type { Job } from '../../../main/jobs/job';
import { jobRunner } from '../../../main/jobs/runner';
import { SANDBOX_ROOT_KEY_NAME } from '../../../main/jobs/steps/wrap-step';
import { readRunningSandbox, ensureSandbox, stopInProcessSandboxes } from '../../../main/sandbox/sandbox';
import { getDekCustody } from '../../../main/secrets/custody';
import { importSecretFromUnwrapped, TARGET_IDS, type TargetId } from '../../../main/targets';

/**
 * The wrap step against the sandbox Key Protect, with memory custody (this file runs in one process; the
 * restart across processes with the keychain is in test/integration/secrets/wrap-restart.test.ts).
 */
let dataDir: string;
let app: AppContext;

beforeAll(async () => {
  process.env.IMAGE_SEALER_DEK_CUSTODY = 'memory';
  dataDir = await mkdtemp(join(tmpdir(), 'wrap-step-'));
  app = await createAppContext({ dataDir, host: 'test' });
});

afterAll(async () => {
  await stopInProcessSandboxes();
  await rm(dataDir, { recursive: true, force: true });
  delete process.env.IMAGE_SEALER_DEK_CUSTODY;
});

/** A job as the seal step leaves it: state sealed, the DEK in custody, its fingerprint in the record. */
async function sealedJob(target: TargetId, dek: Buffer, rootKey?: string): Promise<Job> {
  const job = await app.jobs.create({ name: `wrap-${target}`, target, profile: 'sandbox', options: { rootKey } });
  await getDekCustody(app).put(job.id, dek);
  return app.jobs.update(job.id, () => ({
    state: 'sealed',
    lastGoodState: 'sealed',
    seal: {
      outputPath: join(dataDir, `${job.id}.out`),
      engine: 'native',
      format: target,
      cipher: 'aes-xts-plain64',
      outputSize: 0,
      outputSha256: '0'.repeat(64),
      contentSha256: '0'.repeat(64),
      keyFingerprint: createHash('sha256').update(dek).digest('hex').slice(0, 8),
      dekSize: dek.length,
      dekSource: 'generated',
      verified: true,
      dekCustody: `dek:${job.id}`,
    },
  }));
}

async function officialSdk(): Promise<{ kp: IbmKeyProtectApiV2; instance: string }> {
  const endpoints = await ensureSandbox(dataDir);
  return {
    kp: new IbmKeyProtectApiV2({
      authenticator: new IamAuthenticator({ apikey: endpoints.apiKey, url: endpoints.iam }),
      serviceUrl: endpoints.kms,
    }),
    instance: endpoints.kmsInstanceId,
  };
}

/** What each import service must obtain from unwrapping, written out per DESIGN.md's table (independently of targets.ts). */
function expectedImportSecret(target: TargetId, dek: Buffer): Buffer {
  switch (target) {
    case 'vpc':
      return Buffer.from(dek.toString('base64'), 'ascii'); // the LUKS passphrase P = base64(DEK)
    case 'classic-vhd':
      return Buffer.from(dek); // the raw XTS key
    case 'classic-luks':
      return Buffer.from(dek.toString('base64'), 'ascii'); // the LUKS passphrase base64(DEK)
  }
}

function expectedUnwrapped(target: TargetId, dek: Buffer): string {
  // VPC unwraps to base64(P); the classic imports unwrap to base64(DEK).
  return target === 'vpc' ? Buffer.from(dek.toString('base64'), 'ascii').toString('base64') : dek.toString('base64');
}

describe('wrap step', () => {
  for (const target of TARGET_IDS) {
    it(`wraps a ${target} DEK so that unwrapping yields exactly what the import service needs`, async () => {
      const dek = randomBytes(target === 'classic-vhd' ? 64 : 32);
      const job = await sealedJob(target, dek);
      const wrapped = await jobRunner(app).run(job.id, { until: 'wrap' });
      expect(wrapped.state).toBe('wrapped');
      const record = wrapped.wrap!;
      expect(record.roundTripVerified).toBe(true);
      expect(record.wdekFingerprint).toBe(createHash('sha256').update(record.wdek).digest('hex').slice(0, 8));
      expect(record.rootKeyCrn).toMatch(/^crn:v1:bluemix:public:kms:us-south:a\/sandbox:[0-9a-f-]+:key:[0-9a-f-]+$/);
      expect(await getDekCustody(app).get(job.id)).toBeNull();

      // Unwrap with the official SDK, as the import service would, with no AAD.
      const { kp, instance } = await officialSdk();
      const unwrapped = await kp.unwrapKey({
        id: record.rootKeyId,
        bluemixInstance: instance,
        keyActionUnwrapBody: Buffer.from(JSON.stringify({ ciphertext: record.wdek })),
      });
      const plaintext = unwrapped.result.plaintext;
      expect(plaintext).toBe(expectedUnwrapped(target, dek));
      expect(importSecretFromUnwrapped(target, plaintext).equals(expectedImportSecret(target, dek))).toBe(true);
      const key = await kp.getKey({ id: record.rootKeyId, bluemixInstance: instance });
      const resource = key.result.resources![0] as { name: string; crn: string; keyVersion: { id: string } };
      expect(resource.name).toBe(SANDBOX_ROOT_KEY_NAME);
      expect(resource.crn).toBe(record.rootKeyCrn);
      expect(record.keyVersion).toBe(resource.keyVersion.id);
    });
  }

  it('reuses the one sandbox root key, and honours a chosen key by alias', async () => {
    const first = await jobRunner(app).run((await sealedJob('vpc', randomBytes(32))).id, { until: 'wrap' });
    const second = await jobRunner(app).run((await sealedJob('vpc', randomBytes(32))).id, { until: 'wrap' });
    expect(second.wrap!.rootKeyId).toBe(first.wrap!.rootKeyId);

    const { kp, instance } = await officialSdk();
    const created = await kp.createKey({
      bluemixInstance: instance,
      body: Buffer.from(
        JSON.stringify({
          metadata: { collectionType: 'application/vnd.ibm.kms.key+json', collectionTotal: 1 },
          resources: [{ type: 'application/vnd.ibm.kms.key+json', name: 'chosen', extractable: false, aliases: ['chosen-alias'] }],
        }),
      ),
    });
    const chosenId = (created.result.resources![0] as { id: string }).id;
    const chosen = await jobRunner(app).run((await sealedJob('classic-luks', randomBytes(32), 'chosen-alias')).id, { until: 'wrap' });
    expect(chosen.wrap!.rootKeyId).toBe(chosenId);
  });

  it('fails on a disabled root key and keeps the DEK in custody, then succeeds once enabled', async () => {
    const { kp, instance } = await officialSdk();
    const created = await kp.createKey({
      bluemixInstance: instance,
      body: Buffer.from(
        JSON.stringify({
          metadata: { collectionType: 'application/vnd.ibm.kms.key+json', collectionTotal: 1 },
          resources: [{ type: 'application/vnd.ibm.kms.key+json', name: 'disabled-one', extractable: false }],
        }),
      ),
    });
    const keyId = (created.result.resources![0] as { id: string }).id;
    await kp.disableKey({ id: keyId, bluemixInstance: instance });
    const dek = randomBytes(32);
    const job = await sealedJob('vpc', dek, keyId);
    await expect(jobRunner(app).run(job.id, { until: 'wrap' })).rejects.toMatchObject({ code: 'KMS_KEY_STATE' });
    const failed = await app.jobs.get(job.id);
    expect(failed.state).toBe('failed');
    expect(failed.error?.code).toBe('KMS_KEY_STATE');
    expect((await getDekCustody(app).get(job.id))?.equals(dek)).toBe(true);

    await kp.enableKey({ id: keyId, bluemixInstance: instance });
    const resumed = await jobRunner(app).run(job.id, { until: 'wrap' });
    expect(resumed.state).toBe('wrapped');
    expect(resumed.wrap!.rootKeyId).toBe(keyId);
    expect(await getDekCustody(app).get(job.id)).toBeNull();
  });

  it('refuses a DEK that is not the one the image was sealed with', async () => {
    const job = await sealedJob('vpc', randomBytes(32));
    await getDekCustody(app).put(job.id, randomBytes(32));
    await expect(jobRunner(app).run(job.id, { until: 'wrap' })).rejects.toMatchObject({ code: 'DEK_MISMATCH' });
  });

  it('says the DEK is gone when custody holds none', async () => {
    const job = await sealedJob('vpc', randomBytes(32));
    await getDekCustody(app).delete(job.id);
    await expect(jobRunner(app).run(job.id, { until: 'wrap' })).rejects.toMatchObject({ code: 'DEK_NOT_IN_CUSTODY' });
    expect(await readRunningSandbox(dataDir)).toBeNull();
  });
});
