import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import COS from 'ibm-cos-sdk';
import type { AppContext } from '../../../main/app/context';
import { exchangeJson } from '../../../main/cloud/cloud-http';
import type { Job } from '../../../main/jobs/job';
import { resolveProfile } from '../../../main/profiles/resolve';
import { CONTENT_DIGEST_METADATA } from '../../../main/sandbox/image-check';
import type { SandboxEndpoints } from '../../../main/sandbox/sandbox';
import { TARGETS, type TargetId } from '../../../main/targets';

/**
 * Jobs that stand at "uploaded" on the sandbox profile, made with the sandbox's own services (Key Protect wrap,
 * COS put with the content digest as metadata), so the import and provision steps can run on them.
 */
export interface SandboxOfficer {
  endpoints: SandboxEndpoints;
  createRootKey(name: string): Promise<{ id: string; crn: string }>;
  wrap(keyId: string, plaintextBase64: string): Promise<string>;
  uploadedJob(options: {
    target: TargetId;
    name: string;
    sealed: { path: string; dek: Buffer; contentSha256: string };
    objectKey: string;
    rootKey: { id: string; crn: string };
    /** wrap under this key instead (a WDEK the image was not sealed for) */
    wrapKey?: { id: string; crn: string };
  }): Promise<Job>;
}

export async function sandboxOfficer(app: AppContext): Promise<SandboxOfficer> {
  const resolved = await resolveProfile(app, 'sandbox');
  const endpoints = resolved.sandbox!;
  const iam = await resolved.iam();
  const kmsHeaders = async (contentType: string) => ({
    authorization: `Bearer ${await iam.token()}`,
    'bluemix-instance': endpoints.kmsInstanceId,
    'content-type': contentType,
  });
  const s3 = new COS.S3({
    endpoint: endpoints.cos!,
    credentials: new COS.Credentials(endpoints.cosAccessKeyId, endpoints.cosSecretAccessKey),
    signatureVersion: 'v4',
    region: endpoints.region,
    s3ForcePathStyle: true,
  });
  const officer: SandboxOfficer = {
    endpoints,
    async createRootKey(name) {
      const response = await exchangeJson({
        method: 'POST',
        url: `${endpoints.kms}/api/v2/keys`,
        headers: await kmsHeaders('application/vnd.ibm.kms.key+json'),
        body: {
          metadata: { collectionType: 'application/vnd.ibm.kms.key+json', collectionTotal: 1 },
          resources: [{ type: 'application/vnd.ibm.kms.key+json', name, extractable: false }],
        },
      });
      return (response.body as { resources: Array<{ id: string; crn: string }> }).resources[0];
    },
    async wrap(keyId, plaintext) {
      const response = await exchangeJson({
        method: 'POST',
        url: `${endpoints.kms}/api/v2/keys/${keyId}/actions/wrap`,
        headers: await kmsHeaders('application/vnd.ibm.kms.key_action_wrap+json'),
        body: { plaintext },
      });
      return (response.body as { ciphertext: string }).ciphertext;
    },
    async uploadedJob({ target, name, sealed, objectKey, rootKey, wrapKey }) {
      await s3
        .putObject({
          Bucket: endpoints.bucket,
          Key: objectKey,
          Body: await readFile(sealed.path),
          Metadata: { [CONTENT_DIGEST_METADATA]: sealed.contentSha256 },
        })
        .promise();
      // The job always names `rootKey`; `wrapKey` makes a WDEK that key cannot unwrap.
      const wdek = await officer.wrap((wrapKey ?? rootKey).id, TARGETS[target].wrapPlaintext(sealed.dek));
      const job = await app.jobs.create({ name, target, profile: 'sandbox' });
      const now = new Date().toISOString();
      return app.jobs.update(job.id, () => ({
        state: 'uploaded',
        lastGoodState: 'uploaded',
        seal: {
          outputPath: sealed.path,
          engine: 'qemu',
          format: TARGETS[target].format,
          cipher: 'aes-xts-plain64',
          outputSize: 0,
          outputSha256: '0'.repeat(64),
          contentSha256: sealed.contentSha256,
          keyFingerprint: createHash('sha256').update(sealed.dek).digest('hex').slice(0, 8),
          dekSize: sealed.dek.length,
          dekSource: 'generated',
          verified: true,
        },
        wrap: {
          rootKeyId: rootKey.id,
          rootKeyCrn: rootKey.crn,
          wdek,
          wdekFingerprint: createHash('sha256').update(wdek).digest('hex').slice(0, 8),
          roundTripVerified: true,
          wrappedAt: now,
        },
        upload: {
          bucket: endpoints.bucket,
          region: endpoints.region,
          objectKey,
          size: 0,
          verified: true,
          uploadedAt: now,
        },
      }));
    },
  };
  return officer;
}
