import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import IbmKeyProtectApiV2 from '@ibm-cloud/ibm-key-protect/ibm-key-protect-api/v2';
import { IamAuthenticator } from '@ibm-cloud/ibm-key-protect/auth';
import { afterAll, describe, expect, it } from 'vitest';

/** `image-sealer sandbox` in the foreground: one JSON line, endpoints.json for other commands, clean stop. */
const run = promisify(execFile);
const ALLOWED = ['iam', 'kms', 'cos', 'vpc', 'softlayer', 'region', 'apiKey', 'kmsInstanceId', 'bucket', 'cosAccessKeyId', 'cosSecretAccessKey'];
const REQUIRED = ['iam', 'kms', 'region', 'apiKey', 'kmsInstanceId', 'bucket', 'cosAccessKeyId', 'cosSecretAccessKey'];
let dataDir: string | undefined;

afterAll(async () => {
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('image-sealer sandbox', () => {
  it('prints one JSON line, serves other commands of the same data directory, and stops cleanly on SIGTERM', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'sandbox-cli-'));
    const child = spawn(process.execPath, ['bin/image-sealer.js', 'sandbox', '--json', '--data-dir', dataDir], {
      cwd: process.cwd(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const lines = createInterface({ input: child.stdout });
      const first = await new Promise<string>((resolve, reject) => {
        lines.once('line', resolve);
        child.once('exit', () => reject(new Error('sandbox exited before printing its endpoints')));
      });
      const endpoints = JSON.parse(first) as Record<string, string>;
      for (const name of REQUIRED) expect(endpoints[name], name).toBeTruthy();
      for (const name of Object.keys(endpoints)) expect(ALLOWED).toContain(name);
      for (const name of ['iam', 'kms', 'cos', 'vpc', 'softlayer']) {
        if (endpoints[name] !== undefined) expect(endpoints[name]).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      }
      expect(endpoints.region).toBe('us-south');
      expect(endpoints.bucket).toBe('image-sealer-sandbox');
      expect(endpoints.cosAccessKeyId).toBe('S3RVER');

      const file = join(dataDir, 'sandbox', 'endpoints.json');
      const recorded = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
      expect(recorded.pid).toBe(child.pid);
      expect(recorded.kms).toBe(endpoints.kms);

      // Another command on the same data directory uses this sandbox: the key it creates is in this KMS.
      const { stdout } = await run(process.execPath, ['bin/image-sealer.js', 'keys', 'create', 'from-cli', '--data-dir', dataDir, '--json'], {
        cwd: process.cwd(),
      });
      const created = JSON.parse(stdout.trim().split('\n').pop()!) as { key: { id: string } };
      const kp = new IbmKeyProtectApiV2({
        authenticator: new IamAuthenticator({ apikey: endpoints.apiKey, url: endpoints.iam }),
        serviceUrl: endpoints.kms,
      });
      const key = await kp.getKey({ id: created.key.id, bluemixInstance: endpoints.kmsInstanceId });
      expect((key.result.resources![0] as { name: string }).name).toBe('from-cli');

      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(existsSync(file)).toBe(false);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
