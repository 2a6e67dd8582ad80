import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exchangeJson } from '../../../main/cloud/cloud-http';
import { formatCosHref } from '../../../main/cloud/cloud-names';
import { VpcClient } from '../../../main/cloud/vpc-client';
import type { DiskReader } from '../../../main/image/types';
import { SEALED_IMAGE_ACCESS, type SealedImageAccess } from '../../../main/sandbox/image-check';
import { TARGETS } from '../../../main/targets';
import { makeTempDir } from '../../helpers/temp-dir';
import { startCloudSandbox, type CloudSandbox } from './sandbox-fixture';

const FAST_POLL = { initialDelayMs: 50, maxDelayMs: 200, timeoutMs: 60_000 };

/** The rarer outcomes of the sandbox's image check: a deleted root key, and an image larger than IBM accepts. */
describe('sandbox image check: deleted key, oversized image, missing object', () => {
  let work: { dir: string; cleanup: () => Promise<void> };
  let sandbox: CloudSandbox;
  let client: VpcClient;
  let opened = 0;
  // Opens nothing real: stands for an image whose disk is 300 GB, over the 250 GB VPC limit.
  const huge: SealedImageAccess = {
    async openSealed(): Promise<DiskReader> {
      opened += 1;
      return {
        format: 'raw',
        virtualSize: 300e9,
        async *extents() {},
        read: async () => 0,
        close: async () => undefined,
      };
    },
    hashContent: SEALED_IMAGE_ACCESS.hashContent,
  };

  beforeAll(async () => {
    work = await makeTempDir('image-check-outcomes-');
    sandbox = await startCloudSandbox(huge);
    client = new VpcClient({ endpoint: sandbox.urls.vpc, token: sandbox.token });
    const file = join(work.dir, 'any.qcow2');
    await writeFile(file, randomBytes(64 * 1024));
    await sandbox.upload('any.qcow2', file, 'f'.repeat(64));
  });
  afterAll(async () => {
    await sandbox?.stop();
    await work?.cleanup();
  });

  const href = (key: string) =>
    formatCosHref({ region: sandbox.identity.region, bucket: sandbox.identity.bucket, key });

  async function importWith(name: string, key: string, wdek: string, crn: string) {
    const created = await client.createImage({
      name,
      fileHref: href(key),
      operatingSystem: 'debian-12-amd64',
      wrappedDek: wdek,
      rootKeyCrn: crn,
    });
    return client.waitForImage(created.id, FAST_POLL);
  }

  it('fails with encryption_key_deleted when the root key was deleted', async () => {
    const key = await sandbox.createRootKey('to-delete');
    const wdek = await sandbox.wrap(key.id, TARGETS.vpc.wrapPlaintext(randomBytes(32)));
    const deleted = await exchangeJson({
      method: 'DELETE',
      url: `${sandbox.urls.kms}/api/v2/keys/${key.id}`,
      headers: { authorization: `Bearer ${await sandbox.token()}`, 'bluemix-instance': sandbox.identity.kmsInstanceId },
    });
    expect(deleted.status).toBeLessThan(300);
    const before = opened;
    const image = await importWith('deleted-key', 'any.qcow2', wdek, key.crn);
    expect(image.status_reasons.map((reason) => reason.code)).toEqual(['encryption_key_deleted']);
    expect(opened).toBe(before);
  });

  it('fails with image_provisioned_size_unsupported when the disk is larger than the service accepts', async () => {
    const key = await sandbox.createRootKey('size-root');
    const wdek = await sandbox.wrap(key.id, TARGETS.vpc.wrapPlaintext(randomBytes(32)));
    const image = await importWith('too-large', 'any.qcow2', wdek, key.crn);
    expect(image.status_reasons.map((reason) => reason.code)).toEqual(['image_provisioned_size_unsupported']);
  });

  it('fails with image_data_corrupted when the object is not in the bucket', async () => {
    const key = await sandbox.createRootKey('missing-root');
    const wdek = await sandbox.wrap(key.id, TARGETS.vpc.wrapPlaintext(randomBytes(32)));
    const image = await importWith('missing-object', 'never-uploaded.qcow2', wdek, key.crn);
    expect(image.status_reasons.map((reason) => reason.code)).toEqual(['image_data_corrupted']);
    expect(image.status_reasons[0].message).toMatch(/could not be read from Cloud Object Storage/);
  });
});
