import { execFile } from 'node:child_process';
import { createDecipheriv, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import IbmKeyProtectApiV2 from '@ibm-cloud/ibm-key-protect/ibm-key-protect-api/v2';
import { IamAuthenticator } from '@ibm-cloud/ibm-key-protect/auth';
import COS from 'ibm-cos-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toolAvailable } from '../../../main/common/tools';
import { startSandbox } from '../../../main/sandbox/sandbox';
import type { TargetId } from '../../../main/targets';
import { OsKeychain, probeKeychain } from '../../../main/secrets/keychain';
import { runCli } from '../../helpers/cli';
import { makeTempDir } from '../../helpers/temp-dir';

const run = promisify(execFile);

/** The names `jobs show --json` / `run --json` result lines must carry (scripts depend on them). */
export const RESULT_FIELDS = [
  'jobId',
  'state',
  'target',
  'bucket',
  'objectKey',
  'rootKeyCrn',
  'wdek',
  'imageId',
  'imageStatus',
];

/** A 12 MiB source disk: random data in a few places, holes elsewhere. */
export async function writeSourceImage(dir: string): Promise<{ path: string; data: Buffer }> {
  const data = Buffer.alloc(12 * 1024 * 1024);
  randomBytes(1024 * 1024).copy(data, 0);
  randomBytes(300 * 1024).copy(data, 7 * 1024 * 1024 + 4096);
  data.write('end of the test disk', data.length - 512);
  const path = join(dir, 'source.raw');
  await writeFile(path, data);
  return { path, data };
}

/**
 * `image-sealer run SOURCE --target T` on the sandbox profile (nothing but the source), then an independent
 * check: the object fetched from the sandbox COS, the WDEK unwrapped with the official Key Protect SDK, the
 * secret derived from DESIGN.md's table (not from main/targets.ts), and the image decrypted by other tools
 * (qemu-img for LUKS; qemu-img's VHD parser plus OpenSSL XTS per sector for vhd-util's format).
 */
export async function runAndVerify(target: TargetId, dir: string): Promise<void> {
  const source = await writeSourceImage(dir);
  const dataDir = join(dir, 'data');
  const result = await runCli(
    ['run', source.path, '--target', target, '--iter-time', '10', '--json', '--data-dir', dataDir],
    {
      timeoutMs: 240_000,
    },
  );
  expect(result.error, JSON.stringify(result.error)).toBeUndefined();
  const fields = result.result!;
  for (const name of RESULT_FIELDS) expect(fields[name], name).toBeTruthy();
  expect(fields).toMatchObject({ state: 'imported', target, imageStatus: 'available' });

  // The CLI's in-process sandbox stopped with it; its state (keys, objects) is on disk and comes back here.
  const sandbox = await startSandbox({ dataDir, inProcess: true });
  try {
    const { endpoints } = sandbox;
    const s3 = new COS.S3({
      endpoint: endpoints.cos!,
      credentials: new COS.Credentials(endpoints.cosAccessKeyId, endpoints.cosSecretAccessKey),
      signatureVersion: 'v4',
      region: endpoints.region,
      s3ForcePathStyle: true,
    });
    const object = await s3.getObject({ Bucket: String(fields.bucket), Key: String(fields.objectKey) }).promise();
    const sealedPath = join(dir, `fetched-${String(fields.objectKey)}`);
    await writeFile(sealedPath, object.Body as Buffer);

    const kp = new IbmKeyProtectApiV2({
      authenticator: new IamAuthenticator({ apikey: endpoints.apiKey, url: endpoints.iam }),
      serviceUrl: endpoints.kms,
    });
    const keyId = String(fields.rootKeyCrn).split(':').pop()!;
    const unwrapped = await kp.unwrapKey({
      id: keyId,
      bluemixInstance: endpoints.kmsInstanceId,
      keyActionUnwrapBody: Buffer.from(JSON.stringify({ ciphertext: fields.wdek })) as unknown as never,
    });
    const plaintext = (unwrapped.result as { plaintext: string }).plaintext;

    const decrypted = await decryptIndependently(target, sealedPath, plaintext, dir);
    expect(decrypted.length).toBeGreaterThanOrEqual(source.data.length);
    expect(decrypted.subarray(0, source.data.length).equals(source.data)).toBe(true);
    expect(decrypted.subarray(source.data.length).every((byte) => byte === 0)).toBe(true);
  } finally {
    await sandbox.stop();
  }
}

async function decryptIndependently(
  target: TargetId,
  sealedPath: string,
  unwrappedBase64: string,
  dir: string,
): Promise<Buffer> {
  const out = join(dir, `decrypted-${target}.raw`);
  if (target === 'classic-vhd') {
    // DESIGN.md: Key Protect holds base64(DEK); the DEK is the raw XTS key (64 bytes: AES-256-XTS).
    const key = Buffer.from(unwrappedBase64, 'base64');
    await run('qemu-img', ['convert', '-f', 'vpc', '-O', 'raw', sealedPath, out]);
    const disk = await readFile(out);
    const { stdout } = await run('qemu-img', ['map', '--output=json', '-f', 'vpc', sealedPath]);
    const algorithm = key.length === 64 ? 'aes-256-xts' : 'aes-128-xts';
    for (const range of JSON.parse(stdout) as Array<{ start: number; length: number; data: boolean }>) {
      if (!range.data) continue;
      for (let offset = range.start; offset < range.start + range.length; offset += 512) {
        const tweak = Buffer.alloc(16);
        tweak.writeBigUInt64LE(BigInt(offset / 512));
        createDecipheriv(algorithm, key, tweak)
          .update(disk.subarray(offset, offset + 512))
          .copy(disk, offset);
      }
    }
    return disk;
  }
  // vpc: Key Protect holds base64(P), P = base64(DEK). classic-luks: it holds base64(DEK), which is P itself.
  const passphrase = target === 'vpc' ? Buffer.from(unwrappedBase64, 'base64') : Buffer.from(unwrappedBase64, 'ascii');
  const secretFile = join(dir, `passphrase-${target}`);
  await writeFile(secretFile, passphrase, { mode: 0o600 });
  const driver = target === 'vpc' ? 'driver=qcow2,encrypt.key-secret=sec0' : 'driver=luks,key-secret=sec0';
  await run('qemu-img', [
    'convert',
    '--object',
    `secret,id=sec0,file=${secretFile}`,
    '--image-opts',
    `${driver},file.filename=${sealedPath}`,
    '-O',
    'raw',
    out,
  ]);
  return readFile(out);
}

/**
 * The whole `image-sealer run` for one target, as its own test file per target so the three run in parallel.
 * The seal step keeps the DEK in the OS keychain until it is wrapped: CI runs this inside a keyring session.
 */
export function describeRunOnSandbox(target: TargetId): void {
  describe(`image-sealer run on the sandbox, target ${target}`, () => {
    const required = process.env.IMAGE_SEALER_REQUIRE_KEYRING === '1';
    let keychain: { available: boolean };
    let hasQemu = false;
    let work: { dir: string; cleanup: () => Promise<void> };
    beforeAll(async () => {
      keychain = await probeKeychain(new OsKeychain());
      hasQemu = await toolAvailable('qemu-img');
      work = await makeTempDir(`run-e2e-${target}-`);
    });
    afterAll(async () => {
      await work?.cleanup();
    });

    it('has a keychain when CI says it must', () => {
      if (required) expect(keychain).toEqual({ available: true });
    });

    it('turns a generated disk into an available image that other tools decrypt to the source', async (context) => {
      if (!keychain.available || !hasQemu) context.skip();
      await runAndVerify(target, work.dir);
    });
  });
}
