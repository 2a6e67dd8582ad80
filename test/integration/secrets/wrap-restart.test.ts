import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, open, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import IbmKeyProtectApiV2 from '@ibm-cloud/ibm-key-protect/ibm-key-protect-api/v2';
import { IamAuthenticator } from '@ibm-cloud/ibm-key-protect/auth';
import { afterAll, describe, expect, it } from 'vitest';
import { createAppContext } from '../../../main/app/context';
import { toolAvailable } from '../../../main/common/tools';
import { startSandbox } from '../../../main/sandbox/sandbox';
import { KeychainDekCustody } from '../../../main/secrets/keychain-custody';
import { OsKeychain, probeKeychain } from '../../../main/secrets/keychain';
import { jobRunner } from '../../../main/jobs/runner';
import { verifySealedImage } from '../../../main/seal/verify';
import { importSecretFromUnwrapped, targetSpec } from '../../../main/targets';

/**
 * Offline preparation across a restart: a job is sealed by the seal step (its DEK goes into the real keychain
 * custody), then a NEW process (`image-sealer wrap JOB`) wraps it. Afterwards the keychain entry is
 * gone and no form of the DEK is in any file under the data directory.
 */
const run = promisify(execFile);
const required = process.env.IMAGE_SEALER_REQUIRE_KEYRING === '1';
const probe = await probeKeychain(new OsKeychain());
let dataDir: string | undefined;

afterAll(async () => {
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path)));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

describe('wrap after a restart, with the DEK in the OS keychain', () => {
  it('has a keychain when the test runner requires one', () => {
    if (required) expect(probe).toEqual({ available: true });
  });

  it.skipIf(!probe.available)('wraps in a new process, deletes the keychain entry and leaves no DEK bytes on disk', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'wrap-restart-'));
    const app = await createAppContext({ dataDir: join(dataDir, 'data'), host: 'test' });
    // A small raw disk outside the data directory, sealed by the real seal step with the real keychain custody.
    const source = join(dataDir, 'disk.raw');
    const disk = await open(source, 'w');
    await disk.truncate(3 << 20);
    await disk.write(randomBytes(1 << 20), 0, 1 << 20, 1 << 20);
    await disk.close();
    const created = await app.jobs.create({ name: 'offline', target: 'vpc', profile: 'sandbox', options: { iterTimeMs: 10 } });
    await app.jobs.update(created.id, () => ({ source: { path: source, format: 'raw', virtualSize: 3 << 20, fileSize: 3 << 20 } }));
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.IMAGE_SEALER_DEK_CUSTODY;
    const saved = process.env.IMAGE_SEALER_DEK_CUSTODY;
    delete process.env.IMAGE_SEALER_DEK_CUSTODY;
    try {
      await jobRunner(app).run(created.id, { until: 'seal' });
    } finally {
      if (saved !== undefined) process.env.IMAGE_SEALER_DEK_CUSTODY = saved;
    }
    const job = await app.jobs.get(created.id);
    expect(job.state).toBe('sealed');
    const custody = new KeychainDekCustody();
    const dek = (await custody.get(job.id))!;
    expect(dek).not.toBeNull();
    expect(createHash('sha256').update(dek).digest('hex').slice(0, 8)).toBe(job.seal!.keyFingerprint);

    const { stdout } = await run(process.execPath, ['bin/image-sealer.js', 'wrap', job.id, '--data-dir', app.dataDir, '--json'], {
      env,
      cwd: process.cwd(),
    });
    const result = JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, unknown>;
    expect(result.event).toBe('result');
    expect(result.state).toBe('wrapped');
    expect(result.roundTripVerified).toBe(true);

    // The keychain entry is gone (asked through the library and through libsecret's own tool).
    expect(await custody.get(job.id)).toBeNull();
    if (process.platform === 'linux' && (await toolAvailable('secret-tool'))) {
      await expect(run('secret-tool', ['lookup', 'service', 'image-sealer', 'username', `dek:${job.id}`])).rejects.toBeTruthy();
    }

    // No form of the DEK in any file under the data directory.
    const forms = [
      dek,
      Buffer.from(dek.toString('hex')),
      Buffer.from(dek.toString('hex').toUpperCase()),
      Buffer.from(dek.toString('base64')),
      Buffer.from(dek.toString('base64url')),
      Buffer.from(Buffer.from(dek.toString('base64')).toString('base64')),
    ];
    const files = await filesUnder(app.dataDir);
    expect(files.length).toBeGreaterThan(3);
    for (const file of files) {
      const bytes = await readFile(file);
      for (const form of forms) expect(bytes.includes(form), `${file} holds the DEK`).toBe(false);
    }

    // The WDEK in the job record unwraps (official SDK, sandbox restarted on the same data) to the import secret.
    const wrapped = await app.jobs.get(job.id);
    expect(wrapped.state).toBe('wrapped');
    expect(wrapped.wrap?.roundTripVerified).toBe(true);
    const sandbox = await startSandbox({ dataDir: app.dataDir });
    try {
      const kp = new IbmKeyProtectApiV2({
        authenticator: new IamAuthenticator({ apikey: sandbox.endpoints.apiKey, url: sandbox.endpoints.iam }),
        serviceUrl: sandbox.endpoints.kms,
      });
      const unwrapped = await kp.unwrapKey({
        id: wrapped.wrap!.rootKeyId,
        bluemixInstance: sandbox.endpoints.kmsInstanceId,
        keyActionUnwrapBody: Buffer.from(JSON.stringify({ ciphertext: wrapped.wrap!.wdek })),
      });
      expect(importSecretFromUnwrapped('vpc', unwrapped.result.plaintext).toString('ascii')).toBe(dek.toString('base64'));
      // What the import service derives opens the sealed image, and its content is the source's.
      const verified = await verifySealedImage({
        sealedPath: job.seal!.outputPath,
        sourcePath: source,
        target: 'vpc',
        dek: targetSpec('vpc').dekFromUnwrapped(unwrapped.result.plaintext),
      });
      expect(verified.contentSha256).toBe(job.seal!.contentSha256);
    } finally {
      await sandbox.stop();
    }
    const audit = await readFile(join(app.dataDir, 'audit.log'), 'utf8');
    expect(audit).toContain('dek.custody.deleted');
  });
});
