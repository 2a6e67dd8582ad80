import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../common/atomic-file';

/**
 * Who the sandbox pretends the user is. None of these values is a secret: the sandbox is a local stand-in for
 * IBM Cloud so that a new user can run the whole flow without an account. They are kept in
 * `<dataDir>/sandbox/identity.json` so that keys and tokens stay valid across restarts.
 */
export const SANDBOX_API_KEY = 'sandbox-api-key-not-a-secret-image-sealer';
export const SANDBOX_REGION = 'us-south';
export const SANDBOX_BUCKET = 'image-sealer-sandbox';
export const SANDBOX_COS_ACCESS_KEY_ID = 'S3RVER';
export const SANDBOX_COS_SECRET_ACCESS_KEY = 'S3RVER';
export const SANDBOX_ACCOUNT_ID = 'sandbox';

const IdentityFileSchema = z.object({
  kmsInstanceId: z.string().uuid(),
  /** HS256 key the sandbox IAM signs tokens with and the sandbox services verify them with */
  tokenSigningKey: z.string().min(32),
});

export interface SandboxIdentity {
  apiKey: string;
  region: string;
  accountId: string;
  kmsInstanceId: string;
  bucket: string;
  cosAccessKeyId: string;
  cosSecretAccessKey: string;
  tokenSigningKey: Buffer;
}

export function sandboxDir(dataDir: string): string {
  return join(dataDir, 'sandbox');
}

/** Reads the sandbox identity of a data directory, creating it on first use. */
export async function loadSandboxIdentity(dataDir: string): Promise<SandboxIdentity> {
  const dir = sandboxDir(dataDir);
  const file = join(dir, 'identity.json');
  let stored: z.infer<typeof IdentityFileSchema>;
  try {
    stored = IdentityFileSchema.parse(JSON.parse(await readFile(file, 'utf8')));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    await mkdir(dir, { recursive: true, mode: 0o700 });
    stored = { kmsInstanceId: randomUUID(), tokenSigningKey: randomBytes(32).toString('base64') };
    // wx-like behaviour is not needed: two first starts racing would each write a valid identity, and the
    // second rename wins before any key exists under the first instance id.
    await writeFileAtomic(file, `${JSON.stringify({ ...stored, note: 'Sandbox only: not a real secret.' }, null, 2)}\n`);
  }
  return {
    apiKey: SANDBOX_API_KEY,
    region: SANDBOX_REGION,
    accountId: SANDBOX_ACCOUNT_ID,
    kmsInstanceId: stored.kmsInstanceId,
    bucket: SANDBOX_BUCKET,
    cosAccessKeyId: SANDBOX_COS_ACCESS_KEY_ID,
    cosSecretAccessKey: SANDBOX_COS_SECRET_ACCESS_KEY,
    tokenSigningKey: Buffer.from(stored.tokenSigningKey, 'base64'),
  };
}
