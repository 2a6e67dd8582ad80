import { randomBytes } from 'node:crypto';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exchangeJson } from '../../../main/cloud/cloud-http';
import { formatCosHref } from '../../../main/cloud/cloud-names';
import { importFailedError } from '../../../main/cloud/status-reasons';
import { VpcClient, type VpcImage } from '../../../main/cloud/vpc-client';
import { isAppError } from '../../../main/common/errors';
import { toolAvailable } from '../../../main/common/tools';
import { TARGETS } from '../../../main/targets';
import { SEALED_IMAGE_ACCESS } from '../../../main/sandbox/image-check';
import { makeTempDir } from '../../helpers/temp-dir';
import { makeSourceDisk, sealWithTools, startCloudSandbox, type CloudSandbox } from './sandbox-fixture';

const hasQemu = await toolAvailable('qemu-img');
const FAST_POLL = { initialDelayMs: 50, maxDelayMs: 200, timeoutMs: 60_000 };

describe.skipIf(!hasQemu)('VPC import against the sandbox, checked for real', () => {
  let sandbox: CloudSandbox;
  let work: { dir: string; cleanup: () => Promise<void> };
  let client: VpcClient;
  let rootKey: { id: string; crn: string };
  const source = makeSourceDisk();
  let good: { path: string; dek: Buffer; contentSha256: string };

  beforeAll(async () => {
    work = await makeTempDir('vpc-sandbox-');
    sandbox = await startCloudSandbox(SEALED_IMAGE_ACCESS);
    client = new VpcClient({ endpoint: sandbox.urls.vpc, token: sandbox.token });
    rootKey = await sandbox.createRootKey('vpc-test-root');
    good = await sealWithTools('vpc', source, work.dir);
  });
  afterAll(async () => {
    await sandbox?.stop();
    await work?.cleanup();
  });

  const href = (key: string) =>
    formatCosHref({ region: sandbox.identity.region, bucket: sandbox.identity.bucket, key });

  async function importImage(name: string, key: string, wdek: string, crn = rootKey.crn): Promise<VpcImage> {
    const created = await client.createImage({
      name,
      fileHref: href(key),
      operatingSystem: 'ubuntu-22-04-amd64',
      wrappedDek: wdek,
      rootKeyCrn: crn,
    });
    expect(created.status).toBe('pending');
    return client.waitForImage(created.id, FAST_POLL);
  }

  it('turns a good image into an available one', async () => {
    await sandbox.upload('good.qcow2', good.path, good.contentSha256);
    const wdek = await sandbox.wrap(rootKey.id, TARGETS.vpc.wrapPlaintext(good.dek));
    const image = await importImage('good-image', 'good.qcow2', wdek);
    expect(image.status).toBe('available');
    expect(image.status_reasons).toEqual([]);
    expect(image.encryption).toBe('user_managed');
    expect(image.encryption_key?.crn).toBe(rootKey.crn);
    expect(image.file?.checksums?.sha256).toMatch(/^[0-9a-f]{64}$/);
    const listed = await client.findImagesByName('good-image');
    expect(listed.map((entry) => entry.id)).toEqual([image.id]);
  });

  it('fails with encrypted_data_key_invalid when the WDEK was made with another root key', async () => {
    await sandbox.upload('other-key.qcow2', good.path, good.contentSha256);
    const other = await sandbox.createRootKey('another-root');
    const wdek = await sandbox.wrap(other.id, TARGETS.vpc.wrapPlaintext(good.dek));
    const image = await importImage('other-key', 'other-key.qcow2', wdek);
    expect(image.status).toBe('failed');
    expect(image.status_reasons.map((reason) => reason.code)).toEqual(['encrypted_data_key_invalid']);
    const error = importFailedError({ id: image.id, name: image.name, statusReasons: image.status_reasons }, 'VPC');
    expect(error.code).toBe('IMPORT_FAILED');
    expect(error.message).toContain('encrypted_data_key_invalid');
    expect(error.hint).toMatch(/root key the image was sealed for/);
  });

  it('fails with encrypted_data_key_invalid when the WDEK unwraps to a different DEK', async () => {
    await sandbox.upload('wrong-dek.qcow2', good.path, good.contentSha256);
    const wdek = await sandbox.wrap(rootKey.id, TARGETS.vpc.wrapPlaintext(randomBytes(32)));
    const image = await importImage('wrong-dek', 'wrong-dek.qcow2', wdek);
    expect(image.status).toBe('failed');
    expect(image.status_reasons.map((reason) => reason.code)).toEqual(['encrypted_data_key_invalid']);
  });

  it('fails with encrypted_data_key_invalid when the DEK was wrapped with the wrong encoding (base64 of the DEK, not of P)', async () => {
    await sandbox.upload('wrong-encoding.qcow2', good.path, good.contentSha256);
    const wdek = await sandbox.wrap(rootKey.id, good.dek.toString('base64'));
    const image = await importImage('wrong-encoding', 'wrong-encoding.qcow2', wdek);
    expect(image.status_reasons.map((reason) => reason.code)).toEqual(['encrypted_data_key_invalid']);
  });

  it('fails with image_data_corrupted when the object was altered after upload', async () => {
    // Flip bytes inside the encrypted data (the last MiB holds the marker text): it still decrypts, to other content.
    const altered = join(work.dir, 'altered.qcow2');
    const { copyFile } = await import('node:fs/promises');
    await copyFile(good.path, altered);
    const handle = await open(altered, 'r+');
    const size = (await handle.stat()).size;
    await handle.write(randomBytes(4096), 0, 4096, size - 8192);
    await handle.close();
    await sandbox.upload('altered.qcow2', altered, good.contentSha256);
    const wdek = await sandbox.wrap(rootKey.id, TARGETS.vpc.wrapPlaintext(good.dek));
    const image = await importImage('altered', 'altered.qcow2', wdek);
    expect(image.status).toBe('failed');
    expect(image.status_reasons.map((reason) => reason.code)).toEqual(['image_data_corrupted']);
    expect(image.status_reasons[0].message).toMatch(/does not match the digest recorded at upload/);
  });

  it('fails with image_data_corrupted when the object is not an image at all', async () => {
    const junk = join(work.dir, 'junk.qcow2');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(junk, randomBytes(1024 * 1024));
    await sandbox.upload('junk.qcow2', junk, good.contentSha256);
    const wdek = await sandbox.wrap(rootKey.id, TARGETS.vpc.wrapPlaintext(good.dek));
    const image = await importImage('junk', 'junk.qcow2', wdek);
    expect(image.status_reasons.map((reason) => reason.code)).toEqual(['image_data_corrupted']);
  });

  it('fails with encryption_key_disabled when the root key is disabled', async () => {
    const key = await sandbox.createRootKey('soon-disabled');
    const wdek = await sandbox.wrap(key.id, TARGETS.vpc.wrapPlaintext(good.dek));
    await sandbox.upload('disabled.qcow2', good.path, good.contentSha256);
    await sandbox.setKeyEnabled(key.id, false);
    const image = await importImage('disabled-key', 'disabled.qcow2', wdek, key.crn);
    expect(image.status).toBe('failed');
    expect(image.status_reasons.map((reason) => reason.code)).toEqual(['encryption_key_disabled']);
    expect(importFailedError({ id: image.id, statusReasons: image.status_reasons }, 'VPC').hint).toMatch(
      /Enable the root key/,
    );
  });

  it('validates requests like IBM: name rules, cos:// form, lower-case extension, key and CRN together', async () => {
    const token = await sandbox.token();
    const post = (body: unknown, query = 'version=2025-04-08&generation=2') =>
      exchangeJson({
        method: 'POST',
        url: `${sandbox.urls.vpc}/v1/images?${query}`,
        headers: { authorization: `Bearer ${token}` },
        body,
      });
    const base = {
      name: 'valid-name',
      file: { href: href('x.qcow2') },
      operating_system: { name: 'ubuntu-22-04-amd64' },
    };
    const codeOf = async (body: unknown, query?: string) => {
      const response = await post(body, query);
      return {
        status: response.status,
        body: response.body as { errors: Array<{ code: string; message: string; target?: { name: string } }> },
      };
    };
    expect((await codeOf({ ...base, name: 'Upper-Case' })).status).toBe(400);
    expect((await codeOf({ ...base, name: '9starts-with-digit' })).body.errors[0].target?.name).toBe('name');
    expect((await codeOf({ ...base, file: { href: 'https://example.com/x.qcow2' } })).body.errors[0].target?.name).toBe(
      'file.href',
    );
    const upper = await codeOf({ ...base, file: { href: href('x.QCOW2') } });
    expect(upper.status).toBe(400);
    expect(upper.body.errors[0].message).toMatch(/lower case/);
    expect((await codeOf({ ...base, encrypted_data_key: 'abc' })).body.errors[0].message).toMatch(/together/);
    expect((await codeOf({ ...base, encryption_key: { crn: rootKey.crn } })).status).toBe(400);
    expect(
      (await codeOf({ ...base, encrypted_data_key: 'abc', encryption_key: { crn: 'crn:v1:nope' } })).body.errors[0]
        .target?.name,
    ).toBe('encryption_key.crn');
    expect(
      (await codeOf({ name: 'no-file', operating_system: { name: 'ubuntu-22-04-amd64' } })).body.errors[0].code,
    ).toBe('validation_required_field_missing');
    expect((await codeOf({ ...base, operating_system: { name: 'plan9' } })).status).toBe(404);
    expect((await codeOf(base, 'generation=2')).body.errors[0].target?.name).toBe('version');
    expect((await codeOf(base, 'version=2025-04-08&generation=1')).body.errors[0].target?.name).toBe('generation');
  });

  it('refuses a bad token with 401, which the client turns into the authorizations to check', async () => {
    const stranger = new VpcClient({ endpoint: sandbox.urls.vpc, token: async () => 'not-a-jwt' });
    const error = await stranger.listOperatingSystems().catch((caught: unknown) => caught);
    expect(isAppError(error, 'CLOUD_NOT_AUTHORIZED')).toBe(true);
    const importError = await stranger
      .createImage({ name: 'x', fileHref: href('x.qcow2'), operatingSystem: 'ubuntu-22-04-amd64' })
      .catch((caught: unknown) => caught);
    expect(isAppError(importError, 'CLOUD_NOT_AUTHORIZED') && importError.hint).toMatch(
      /VPC Image Service → Cloud Object Storage \(Reader\)/,
    );
    expect(isAppError(importError) && importError.hint).toMatch(/Cloud Block Storage → Key Protect/);
  });

  it('lists what an instance order chooses from, and provisions an instance until it runs', async () => {
    const [profiles, zones, vpcs, subnets, keys, systems] = await Promise.all([
      client.listInstanceProfiles(),
      client.listZones(sandbox.identity.region),
      client.listVpcs(),
      client.listSubnets(),
      client.listKeys(),
      client.listOperatingSystems(),
    ]);
    expect(systems.map((entry) => entry.name)).toContain('ubuntu-22-04-amd64');
    const image = (await client.findImagesByName('good-image'))[0];
    const zone = zones[0].name;
    const subnet = subnets.find((entry) => entry.zone?.name === zone);
    const created = await client.createInstance({
      name: 'sealed-vsi',
      imageId: image.id,
      profile: profiles[0].name,
      zone,
      vpcId: vpcs[0].id,
      subnetId: subnet!.id,
      keyIds: [keys[0].id],
    });
    expect(created.status).toBe('pending');
    const running = await client.waitForInstance(created.id, FAST_POLL);
    expect(running.status).toBe('running');
    expect(running.image?.id).toBe(image.id);
  });

  it('offers two VPCs and two keys, and orders into the chosen VPC’s subnet with several keys', async () => {
    const [zones, vpcs, subnets, keys] = await Promise.all([
      client.listZones(sandbox.identity.region),
      client.listVpcs(),
      client.listSubnets(),
      client.listKeys(),
    ]);
    expect(vpcs.length).toBeGreaterThanOrEqual(2);
    expect(keys.length).toBeGreaterThanOrEqual(2);
    const staging = vpcs[1];
    const zone = zones[0].name;
    const inStaging = subnets.filter((entry) => entry.vpc?.id === staging.id && entry.zone?.name === zone);
    expect(inStaging.length).toBeGreaterThanOrEqual(2);
    // The last zone has no subnet of the second VPC: a form must say so rather than guess.
    const lastZone = zones[zones.length - 1].name;
    expect(subnets.filter((entry) => entry.vpc?.id === staging.id && entry.zone?.name === lastZone)).toEqual([]);
    const image = (await client.findImagesByName('good-image'))[0];
    const order = {
      imageId: image.id,
      profile: 'bx2-2x8',
      zone,
      vpcId: staging.id,
      keyIds: keys.map((entry) => entry.id),
    };
    const mismatched = await client
      .createInstance({
        ...order,
        name: 'wrong-vpc-vsi',
        subnetId: subnets.find((entry) => entry.vpc?.id === vpcs[0].id && entry.zone?.name === zone)!.id,
      })
      .catch((caught: unknown) => caught);
    expect(isAppError(mismatched) && mismatched.message).toMatch(/is in VPC sandbox-vpc, not sandbox-staging-vpc/);
    const created = await client.createInstance({ ...order, name: 'staging-vsi', subnetId: inStaging[1].id });
    const running = await client.waitForInstance(created.id, FAST_POLL);
    expect(running.status).toBe('running');
    expect(running.vpc?.id).toBe(staging.id);
    // The address comes from the chosen subnet's block (staging-subnet-1b: 10.250.1.0/24).
    expect(running.primary_network_interface?.primary_ip?.address).toMatch(/^10\.250\.1\.\d+$/);
  });

  it('keeps images across a restart of the service, and finishes checks left pending', async () => {
    await sandbox.upload('restart.qcow2', good.path, good.contentSha256);
    const wdek = await sandbox.wrap(rootKey.id, TARGETS.vpc.wrapPlaintext(good.dek));
    const created = await client.createImage({
      name: 'across-restart',
      fileHref: href('restart.qcow2'),
      operatingSystem: 'debian-12-amd64',
      wrappedDek: wdek,
      rootKeyCrn: rootKey.crn,
    });
    await sandbox.restartImportServices();
    const restarted = new VpcClient({ endpoint: sandbox.urls.vpc, token: sandbox.token });
    const image = await restarted.waitForImage(created.id, FAST_POLL);
    expect(image.status).toBe('available');
    expect((await restarted.findImagesByName('good-image')).length).toBe(1);
  });
});
