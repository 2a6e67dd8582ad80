import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import COS from 'ibm-cos-sdk';
import { exchangeJson } from '../../../main/cloud/cloud-http';
import { AppError } from '../../../main/common/errors';
import type { DiskReader } from '../../../main/image/types';
import { hashVirtualContent } from '../../../main/image/hash';
import { startSandboxCos } from '../../../main/sandbox/cos-service';
import { startIamServer } from '../../../main/sandbox/iam-server';
import { loadSandboxIdentity, type SandboxIdentity } from '../../../main/sandbox/identity';
import { CONTENT_DIGEST_METADATA, createImageChecker, type SealedImageAccess } from '../../../main/sandbox/image-check';
import { startKmsServer } from '../../../main/sandbox/kms-server';
import { startSoftLayerServer, type SoftLayerSandbox } from '../../../main/sandbox/softlayer-server';
import { startVpcServer, type VpcSandbox } from '../../../main/sandbox/vpc-server';
import { TARGETS, type TargetId } from '../../../main/targets';
import { MemoryDisk } from '../../unit/classic/memory-disk';

const run = promisify(execFile);

/**
 * The sandbox's IAM, Key Protect, COS, VPC and SoftLayer services on 127.0.0.1 in one temp data directory,
 * plus helpers a test uses as "the officer": make keys, wrap, upload objects with their recorded digest.
 */
export interface CloudSandbox {
  dataDir: string;
  identity: SandboxIdentity;
  urls: { iam: string; kms: string; cos: string; vpc: string; softlayer: string };
  vpc: VpcSandbox;
  softlayer: SoftLayerSandbox;
  token(): Promise<string>;
  createRootKey(name: string): Promise<{ id: string; crn: string }>;
  wrap(keyId: string, plaintextBase64: string): Promise<string>;
  setKeyEnabled(keyId: string, enabled: boolean): Promise<void>;
  upload(key: string, file: string, contentSha256?: string): Promise<void>;
  s3: COS.S3;
  /** restarts the VPC and SoftLayer services on the same data directory (their state must survive) */
  restartImportServices(): Promise<void>;
  stop(): Promise<void>;
}

export async function startCloudSandbox(access: SealedImageAccess): Promise<CloudSandbox> {
  const dataDir = await mkdtemp(join(tmpdir(), 'cloud-sandbox-'));
  const identity = await loadSandboxIdentity(dataDir);
  const iam = await startIamServer({
    apiKey: identity.apiKey,
    accountId: identity.accountId,
    tokenSigningKey: identity.tokenSigningKey,
  });
  const kms = await startKmsServer({
    dataDir,
    instanceId: identity.kmsInstanceId,
    region: identity.region,
    accountId: identity.accountId,
    tokenSigningKey: identity.tokenSigningKey,
  });
  const cos = await startSandboxCos({ sandboxDir: join(dataDir, 'sandbox'), bucket: identity.bucket });
  const checker = createImageChecker({
    endpoints: () => ({
      iamUrl: iam.url,
      kmsUrl: kms.url,
      cosUrl: cos.url,
      apiKey: identity.apiKey,
      cosAccessKeyId: identity.cosAccessKeyId,
      cosSecretAccessKey: identity.cosSecretAccessKey,
    }),
    access,
    tmpDir: join(dataDir, 'tmp'),
  });
  const startImports = async () => ({
    vpc: await startVpcServer({
      dataDir,
      region: identity.region,
      tokenSigningKey: identity.tokenSigningKey,
      checker,
      instanceBootMs: 300,
    }),
    softlayer: await startSoftLayerServer({
      dataDir,
      region: identity.region,
      apiKey: identity.apiKey,
      tokenSigningKey: identity.tokenSigningKey,
      checker,
      guestBootMs: 300,
    }),
  });
  let imports = await startImports();
  const s3 = new COS.S3({
    endpoint: cos.url,
    credentials: new COS.Credentials(identity.cosAccessKeyId, identity.cosSecretAccessKey),
    signatureVersion: 'v4',
    region: identity.region,
    s3ForcePathStyle: true,
  });

  let cachedToken: string | null = null;
  const token = async (): Promise<string> => {
    if (cachedToken) return cachedToken;
    const response = await exchangeJson({
      method: 'POST',
      url: `${iam.url}/identity/token`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      rawBody: new URLSearchParams({
        grant_type: 'urn:ibm:params:oauth:grant-type:apikey',
        apikey: identity.apiKey,
      }).toString(),
    });
    cachedToken = (response.body as { access_token: string }).access_token;
    return cachedToken;
  };
  const kmsCall = async (method: 'GET' | 'POST', path: string, body: unknown, contentType: string) => {
    const response = await exchangeJson({
      method,
      url: `${kms.url}${path}`,
      headers: {
        authorization: `Bearer ${await token()}`,
        'bluemix-instance': identity.kmsInstanceId,
        'content-type': contentType,
      },
      body,
    });
    if (response.status >= 300) throw new Error(`KMS ${path}: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body as { resources?: Array<Record<string, unknown>>; ciphertext?: string };
  };

  const sandbox: CloudSandbox = {
    dataDir,
    identity,
    get urls() {
      return { iam: iam.url, kms: kms.url, cos: cos.url, vpc: imports.vpc.url, softlayer: imports.softlayer.url };
    },
    get vpc() {
      return imports.vpc;
    },
    get softlayer() {
      return imports.softlayer;
    },
    token,
    s3,
    async createRootKey(name) {
      const body = await kmsCall(
        'POST',
        '/api/v2/keys',
        {
          metadata: { collectionType: 'application/vnd.ibm.kms.key+json', collectionTotal: 1 },
          resources: [{ type: 'application/vnd.ibm.kms.key+json', name, extractable: false }],
        },
        'application/vnd.ibm.kms.key+json',
      );
      const key = body.resources?.[0] as { id: string; crn: string };
      return { id: key.id, crn: key.crn };
    },
    async wrap(keyId, plaintextBase64) {
      const body = await kmsCall(
        'POST',
        `/api/v2/keys/${keyId}/actions/wrap`,
        { plaintext: plaintextBase64 },
        'application/vnd.ibm.kms.key_action_wrap+json',
      );
      return String(body.ciphertext);
    },
    async setKeyEnabled(keyId, enabled) {
      await kmsCall(
        'POST',
        `/api/v2/keys/${keyId}/actions/${enabled ? 'enable' : 'disable'}`,
        undefined,
        'application/vnd.ibm.kms.key_action+json',
      );
    },
    async upload(key, file, contentSha256) {
      const metadata: Record<string, string> = contentSha256 ? { [CONTENT_DIGEST_METADATA]: contentSha256 } : {};
      await s3
        .putObject({ Bucket: identity.bucket, Key: key, Body: await readFile(file), Metadata: metadata })
        .promise();
    },
    async restartImportServices() {
      await imports.vpc.stop();
      await imports.softlayer.stop();
      imports = await startImports();
    },
    async stop() {
      await imports.vpc.stop();
      await imports.softlayer.stop();
      await cos.stop();
      await kms.stop();
      await iam.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return sandbox;
}

/** A small source disk with recognisable, non-zero content in a few places (holes elsewhere). */
export function makeSourceDisk(size = 8 * 1024 * 1024): Buffer {
  const disk = Buffer.alloc(size);
  randomBytes(256 * 1024).copy(disk, 0);
  randomBytes(512 * 1024).copy(disk, size / 2);
  disk.write('image-sealer cloud test', size - 4096);
  return disk;
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Runs qemu-img, retrying Debian 7.2's intermittent "Unable to get accurate CPU usage" on LUKS creation. */
async function qemuImg(args: string[]): Promise<void> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      await run('qemu-img', args);
      return;
    } catch (error) {
      const text = String((error as { stderr?: string }).stderr ?? '');
      if (attempt < 5 && /accurate CPU usage/.test(text)) continue;
      throw error;
    }
  }
}

/**
 * Seals `source` for a target with independent tools (qemu-img for LUKS; the vhd-util-format writer for VHD),
 * so the sandbox's check is tested against images it did not make. Returns the file and the DEK.
 */
export async function sealWithTools(
  target: TargetId,
  source: Buffer,
  dir: string,
  dek: Buffer = randomBytes(TARGETS[target].dekSizes[0]),
  tool: 'independent' | 'native' = 'independent',
): Promise<{ path: string; dek: Buffer; contentSha256: string }> {
  const spec = TARGETS[target];
  const out = join(dir, spec.outputName(`sealed-${randomBytes(3).toString('hex')}`));
  if (tool === 'native') {
    // The project's own writer: seconds faster than qemu-img's PBKDF2 benchmark, for tests that are not about the format.
    const { sealedFormatFor, sealedVirtualSize } = await import('../../../main/seal/open-sealed');
    const { createXtsPool } = await import('../../../main/crypto/worker-pool');
    const pool = createXtsPool(1);
    try {
      await sealedFormatFor(target).write({
        reader: new MemoryDisk(source),
        outPath: out,
        secret: spec.encryptorSecret(dek),
        iterTimeMs: 10,
        pool,
        fsync: false,
      });
    } finally {
      await pool.close();
    }
    const padded = Buffer.alloc(sealedVirtualSize(target, source.length));
    source.copy(padded);
    return { path: out, dek, contentSha256: sha256(padded) };
  }
  if (target === 'classic-vhd') {
    const { writeVhdCrypt } = await import('../../../main/seal/vhd-crypt-writer');
    const result = await writeVhdCrypt({
      reader: new MemoryDisk(source),
      outPath: out,
      key: spec.encryptorSecret(dek),
    });
    const padded = Buffer.alloc(result.virtualSize);
    source.copy(padded);
    return { path: out, dek, contentSha256: sha256(padded) };
  }
  const rawPath = join(dir, `source-${randomBytes(3).toString('hex')}.raw`);
  const secretPath = join(dir, `secret-${randomBytes(3).toString('hex')}`);
  await writeFile(rawPath, source);
  await writeFile(secretPath, spec.encryptorSecret(dek), { mode: 0o600 });
  const object = `secret,id=sec0,file=${secretPath}`;
  if (target === 'vpc') {
    await qemuImg([
      'convert',
      '-f',
      'raw',
      '-O',
      'qcow2',
      '--object',
      object,
      '-o',
      'encrypt.format=luks,encrypt.key-secret=sec0,encrypt.iter-time=10',
      rawPath,
      out,
    ]);
  } else {
    await qemuImg([
      'convert',
      '-f',
      'raw',
      '-O',
      'luks',
      '--object',
      object,
      '-o',
      'key-secret=sec0,iter-time=10',
      rawPath,
      out,
    ]);
  }
  await rm(rawPath);
  await rm(secretPath);
  return { path: out, dek, contentSha256: sha256(source) };
}

/**
 * Opens sealed images with qemu-img (vpc, classic-luks) into memory: an independent stand-in for the crypto
 * engineer's openSealedImage, for as long as the checks here should not depend on it.
 */
export function qemuSealedAccess(workDir: string): SealedImageAccess {
  return {
    async openSealed(target: TargetId, path: string, secret: Buffer): Promise<DiskReader> {
      if (target === 'classic-vhd') {
        const { openVhdCryptReader } = await import('../../../main/seal/vhd-crypt-reader');
        return openVhdCryptReader(path, secret);
      }
      const secretPath = join(workDir, `open-${randomBytes(4).toString('hex')}`);
      const rawPath = `${secretPath}.raw`;
      await writeFile(secretPath, secret, { mode: 0o600 });
      const driver = target === 'vpc' ? 'driver=qcow2,encrypt.key-secret=sec0' : 'driver=luks,key-secret=sec0';
      try {
        await run('qemu-img', [
          'convert',
          '--object',
          `secret,id=sec0,file=${secretPath}`,
          '--image-opts',
          `${driver},file.filename=${path}`,
          '-O',
          'raw',
          rawPath,
        ]);
        return new MemoryDisk(await readFile(rawPath));
      } catch (error) {
        const text = String((error as { stderr?: string }).stderr ?? '');
        if (/Invalid password|cannot unlock any keyslot/i.test(text))
          throw new AppError('LUKS_WRONG_PASSPHRASE', 'wrong passphrase');
        throw new AppError('IMAGE_CORRUPT', text.trim());
      } finally {
        await rm(secretPath, { force: true });
        await rm(rawPath, { force: true });
      }
    },
    hashContent: (reader) => hashVirtualContent(reader),
  };
}
