import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatCosHref } from '../../../main/cloud/cloud-names';
import { SoftLayerClient, templateFailureReasons, templateStatus } from '../../../main/cloud/softlayer-client';
import { VpcClient } from '../../../main/cloud/vpc-client';
import { toolAvailable } from '../../../main/common/tools';
import { CONTENT_DIGEST_METADATA } from '../../../main/sandbox/image-check';
import { startSandbox, type RunningSandbox } from '../../../main/sandbox/sandbox';
import { IamSession } from '../../../main/kms/iam';
import { TARGETS, type TargetId } from '../../../main/targets';
import COS from 'ibm-cos-sdk';
import { readFile } from 'node:fs/promises';
import { exchangeJson } from '../../../main/cloud/cloud-http';
import { makeTempDir } from '../../helpers/temp-dir';
import { makeSourceDisk, sealWithTools } from './sandbox-fixture';

const hasQemu = await toolAvailable('qemu-img');
const FAST_POLL = { initialDelayMs: 50, maxDelayMs: 250, timeoutMs: 60_000 };

/**
 * The import services as the sandbox registry starts them (with the crypto code's own decrypting readers),
 * fed images sealed by independent tools: qemu-img for the LUKS formats, the vhd-util-format writer for VHD.
 */
describe.skipIf(!hasQemu)('sandbox registry: VPC and SoftLayer import services with the real readers', () => {
  let work: { dir: string; cleanup: () => Promise<void> };
  let sandbox: RunningSandbox;
  let vpc: VpcClient;
  let softlayer: SoftLayerClient;
  let s3: COS.S3;
  let rootKey: { id: string; crn: string };
  let token: () => Promise<string>;

  beforeAll(async () => {
    work = await makeTempDir('sandbox-registry-');
    sandbox = await startSandbox({ dataDir: work.dir, inProcess: true });
    const { endpoints } = sandbox;
    expect(endpoints.vpc).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(endpoints.softlayer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const iam = new IamSession({ apiKey: endpoints.apiKey, iamEndpoint: endpoints.iam });
    token = () => iam.token();
    vpc = new VpcClient({ endpoint: endpoints.vpc!, token });
    softlayer = new SoftLayerClient({ endpoint: `${endpoints.softlayer!}/rest/v3.1`, token });
    s3 = new COS.S3({
      endpoint: endpoints.cos!,
      credentials: new COS.Credentials(endpoints.cosAccessKeyId, endpoints.cosSecretAccessKey),
      signatureVersion: 'v4',
      region: endpoints.region,
      s3ForcePathStyle: true,
    });
    const created = await exchangeJson({
      method: 'POST',
      url: `${endpoints.kms}/api/v2/keys`,
      headers: {
        authorization: `Bearer ${await token()}`,
        'bluemix-instance': endpoints.kmsInstanceId,
        'content-type': 'application/vnd.ibm.kms.key+json',
      },
      body: {
        metadata: { collectionType: 'application/vnd.ibm.kms.key+json', collectionTotal: 1 },
        resources: [{ type: 'application/vnd.ibm.kms.key+json', name: 'registry-root', extractable: false }],
      },
    });
    rootKey = (created.body as { resources: Array<{ id: string; crn: string }> }).resources[0];
  });
  afterAll(async () => {
    await sandbox?.stop();
    await work?.cleanup();
  });

  async function prepare(target: TargetId, key: string): Promise<{ wdek: string; href: string }> {
    const sealed = await sealWithTools(target, makeSourceDisk(4 * 1024 * 1024), work.dir);
    await s3
      .putObject({
        Bucket: sandbox.endpoints.bucket,
        Key: key,
        Body: await readFile(sealed.path),
        Metadata: { [CONTENT_DIGEST_METADATA]: sealed.contentSha256 },
      })
      .promise();
    const wrap = await exchangeJson({
      method: 'POST',
      url: `${sandbox.endpoints.kms}/api/v2/keys/${rootKey.id}/actions/wrap`,
      headers: {
        authorization: `Bearer ${await token()}`,
        'bluemix-instance': sandbox.endpoints.kmsInstanceId,
        'content-type': 'application/vnd.ibm.kms.key_action_wrap+json',
      },
      body: { plaintext: TARGETS[target].wrapPlaintext(sealed.dek) },
    });
    return {
      wdek: (wrap.body as { ciphertext: string }).ciphertext,
      href: formatCosHref({ region: sandbox.endpoints.region, bucket: sandbox.endpoints.bucket, key }),
    };
  }

  it('imports a qemu-img LUKS qcow2 into an available VPC image', async () => {
    const { wdek, href } = await prepare('vpc', 'registry.qcow2');
    const image = await vpc.createImage({
      name: 'registry-vpc',
      fileHref: href,
      operatingSystem: 'ubuntu-24-04-amd64',
      wrappedDek: wdek,
      rootKeyCrn: rootKey.crn,
    });
    const done = await vpc.waitForImage(image.id, FAST_POLL);
    expect(done.status_reasons).toEqual([]);
    expect(done.status).toBe('available');
  });

  for (const target of ['classic-luks', 'classic-vhd'] as const) {
    it(`imports a ${target} image into an active template`, async () => {
      const key = TARGETS[target].outputName(`registry-${target}`);
      const { wdek, href } = await prepare(target, key);
      const template = await softlayer.createFromIcos({
        name: `registry ${target}`,
        operatingSystemReferenceCode: 'DEBIAN_12_64',
        uri: href,
        ibmApiKey: sandbox.endpoints.apiKey,
        crkCrn: rootKey.crn,
        wrappedDek: wdek,
      });
      const done = await softlayer.waitForTemplate(template.id, FAST_POLL);
      expect(templateFailureReasons(done)).toEqual([]);
      expect(templateStatus(done)).toBe('available');
    });
  }
});
