import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatCosHref } from '../../../main/cloud/cloud-names';
import {
  SoftLayerClient,
  templateFailureReasons,
  templateStatus,
  type CreateFromIcosInput,
} from '../../../main/cloud/softlayer-client';
import { isAppError } from '../../../main/common/errors';
import { toolAvailable } from '../../../main/common/tools';
import { TARGETS, type TargetId } from '../../../main/targets';
import { SEALED_IMAGE_ACCESS } from '../../../main/sandbox/image-check';
import { makeTempDir } from '../../helpers/temp-dir';
import { makeSourceDisk, sealWithTools, startCloudSandbox, type CloudSandbox } from './sandbox-fixture';

const hasQemu = await toolAvailable('qemu-img');
const FAST_POLL = { initialDelayMs: 50, maxDelayMs: 200, timeoutMs: 60_000 };

describe.skipIf(!hasQemu)('classic import (createFromIcos) against the sandbox, checked for real', () => {
  let sandbox: CloudSandbox;
  let work: { dir: string; cleanup: () => Promise<void> };
  let client: SoftLayerClient;
  let rootKey: { id: string; crn: string };
  const source = makeSourceDisk(6 * 1024 * 1024);

  beforeAll(async () => {
    work = await makeTempDir('softlayer-sandbox-');
    sandbox = await startCloudSandbox(SEALED_IMAGE_ACCESS);
    client = new SoftLayerClient({ endpoint: sandbox.urls.softlayer, token: sandbox.token });
    rootKey = await sandbox.createRootKey('classic-root');
  });
  afterAll(async () => {
    await sandbox?.stop();
    await work?.cleanup();
  });

  const uri = (key: string) => formatCosHref({ region: sandbox.identity.region, bucket: sandbox.identity.bucket, key });

  // qemu-img spends seconds benchmarking PBKDF2 for every LUKS image it creates: seal once per target.
  const sealedOnce = new Map<TargetId, ReturnType<typeof sealWithTools>>();
  async function sealAndUpload(target: TargetId, key: string) {
    if (!sealedOnce.has(target)) sealedOnce.set(target, sealWithTools(target, source, work.dir));
    const sealed = await sealedOnce.get(target)!;
    await sandbox.upload(key, sealed.path, sealed.contentSha256);
    return sealed;
  }

  function request(
    name: string,
    key: string,
    wrappedDek: string,
    extra: Partial<CreateFromIcosInput> = {},
  ): CreateFromIcosInput {
    return {
      name,
      note: 'sealed by image-sealer tests',
      operatingSystemReferenceCode: 'UBUNTU_22_64',
      uri: uri(key),
      ibmApiKey: sandbox.identity.apiKey,
      crkCrn: rootKey.crn,
      wrappedDek,
      ...extra,
    };
  }

  for (const target of ['classic-vhd', 'classic-luks'] as const) {
    it(`imports a ${target} image: the transaction ends and the template is active`, async () => {
      const key = TARGETS[target].outputName(`good-${target}`);
      const sealed = await sealAndUpload(target, key);
      const wdek = await sandbox.wrap(rootKey.id, TARGETS[target].wrapPlaintext(sealed.dek));
      const created = await client.createFromIcos(request(`good ${target}`, key, wdek));
      expect(created.globalIdentifier).toMatch(/^[0-9a-f-]{36}$/);
      const pending = await client.getTemplate(created.id);
      expect(templateStatus(pending)).toBe('pending');
      const done = await client.waitForTemplate(created.id, FAST_POLL);
      expect(done.children?.[0].transactionId ?? null).toBeNull();
      expect(templateStatus(done)).toBe('available');
      expect(templateFailureReasons(done)).toEqual([]);
    });
  }

  it('never stores the ibmApiKey it was sent', async () => {
    const { readdir, readFile } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const dir = join(sandbox.dataDir, 'sandbox', 'softlayer', 'templates');
    const files = await readdir(dir);
    expect(files.length).toBeGreaterThan(0);
    for (const name of files) expect(await readFile(join(dir, name), 'utf8')).not.toContain(sandbox.identity.apiKey);
  });

  it('fails a classic-vhd template whose DEK was wrapped for the VPC encoding', async () => {
    const key = 'wrong-encoding.vhd-0.vhd';
    const sealed = await sealAndUpload('classic-vhd', key);
    const wdek = await sandbox.wrap(rootKey.id, TARGETS.vpc.wrapPlaintext(sealed.dek.subarray(0, 32)));
    const created = await client.createFromIcos(request('wrong encoding', key, wdek));
    const done = await client.waitForTemplate(created.id, FAST_POLL);
    expect(templateStatus(done)).toBe('failed');
    expect(templateFailureReasons(done).map((reason) => reason.code)).toEqual(['encrypted_data_key_invalid']);
  });

  it('fails a classic-luks template whose WDEK was made with another root key', async () => {
    const key = 'other-root.raw';
    const sealed = await sealAndUpload('classic-luks', key);
    const other = await sandbox.createRootKey('other-classic-root');
    const wdek = await sandbox.wrap(other.id, TARGETS['classic-luks'].wrapPlaintext(sealed.dek));
    const created = await client.createFromIcos(request('other root', key, wdek));
    const done = await client.waitForTemplate(created.id, FAST_POLL);
    expect(templateFailureReasons(done).map((reason) => reason.code)).toEqual(['encrypted_data_key_invalid']);
  });

  it('validates like IBM: .vhd-0.vhd naming, lower case, encrypted needs WDEK + CRN + API key', async () => {
    const wdek = await sandbox.wrap(rootKey.id, randomBytes(32).toString('base64'));
    const refuse = async (input: CreateFromIcosInput, pattern: RegExp) => {
      const error = await client.createFromIcos(input).catch((caught: unknown) => caught);
      expect(isAppError(error, 'CLOUD_REQUEST_INVALID')).toBe(true);
      expect((error as Error).message).toMatch(pattern);
    };
    await refuse(request('plain vhd', 'image.vhd', wdek), /vhd-0\.vhd/);
    await refuse(request('upper', 'image.VHD', wdek), /lower case/);
    await refuse(request('qcow2', 'image.qcow2', wdek), /VHD|RAW/);
    await refuse(request('no key', 'image.raw', ''), /wrappedDek/);
    await refuse(request('no crn', 'image.raw', wdek, { crkCrn: '' }), /crkCrn/);
    await refuse(request('bad api key', 'image.raw', wdek, { ibmApiKey: 'someone-else' }), /ibmApiKey/);
    await refuse(
      request('bad os', 'image.raw', wdek, { operatingSystemReferenceCode: 'PLAN9_4_64' }),
      /operatingSystemReferenceCode/,
    );
  });

  it('refuses a bad token with the classic permissions to check', async () => {
    const stranger = new SoftLayerClient({ endpoint: sandbox.urls.softlayer, token: async () => 'bad.token.here' });
    const error = await stranger.getTemplate(1).catch((caught: unknown) => caught);
    expect(isAppError(error, 'CLOUD_NOT_AUTHORIZED')).toBe(true);
    expect((error as { hint?: string }).hint).toMatch(/Manage image templates/);
  });

  it('orders a virtual server from an active template and follows it until it runs', async () => {
    const key = TARGETS['classic-luks'].outputName('for-guest');
    const sealed = await sealAndUpload('classic-luks', key);
    const wdek = await sandbox.wrap(rootKey.id, TARGETS['classic-luks'].wrapPlaintext(sealed.dek));
    const template = await client.waitForTemplate(
      (await client.createFromIcos(request('for guest', key, wdek))).id,
      FAST_POLL,
    );
    expect((await client.listDatacenters()).map((entry) => entry.name)).toContain('dal10');
    expect((await client.listImportOperatingSystems()).map((entry) => entry.referenceCode)).toContain('UBUNTU_22_64');
    const guest = await client.createGuest({
      hostname: 'sealed-vsi',
      domain: 'example.com',
      startCpus: 1,
      maxMemory: 2048,
      datacenter: 'dal10',
      templateGlobalIdentifier: template.globalIdentifier!,
    });
    const running = await client.waitForGuest(guest.id, FAST_POLL);
    expect(running.powerState?.keyName).toBe('RUNNING');
    expect(running.activeTransaction ?? null).toBeNull();
    expect((await client.findGuestsByHostname('sealed-vsi', 'example.com')).map((entry) => entry.id)).toEqual([
      guest.id,
    ]);
    expect((await client.findTemplatesByName('for guest')).map((entry) => entry.id)).toEqual([template.id]);
  });
});
