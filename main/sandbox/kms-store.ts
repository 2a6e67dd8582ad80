import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../common/atomic-file';

/**
 * The sandbox Key Protect's keys on disk: one JSON file per key under `<dataDir>/sandbox/kms/<instance>/keys/`,
 * mode 600. THIS IS A SANDBOX: root key material sits in a plain file, which a real Key Protect (an HSM)
 * never does. It exists so that the whole flow can run locally and keys survive restarts.
 */
export const KEY_STATES = { preActivation: 0, active: 1, suspended: 2, deactivated: 3, destroyed: 5 } as const;

const StoredVersionSchema = z.object({
  id: z.string(),
  /** base64 of 16, 24 or 32 bytes of AES key material */
  material: z.string(),
  creationDate: z.string(),
});

const StoredKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().optional(),
  extractable: z.boolean(),
  imported: z.boolean(),
  state: z.number().int(),
  aliases: z.array(z.string()).default([]),
  creationDate: z.string(),
  lastUpdateDate: z.string(),
  lastRotateDate: z.string().optional(),
  deletionDate: z.string().optional(),
  /** newest last */
  versions: z.array(StoredVersionSchema).min(1),
});

export type StoredKey = z.infer<typeof StoredKeySchema>;
export type StoredKeyVersion = z.infer<typeof StoredVersionSchema>;

export class SandboxKeyStore {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly dir: string) {}

  static forInstance(dataDir: string, instanceId: string): SandboxKeyStore {
    return new SandboxKeyStore(join(dataDir, 'sandbox', 'kms', instanceId, 'keys'));
  }

  async list(): Promise<StoredKey[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const keys: StoredKey[] = [];
    for (const name of names) {
      if (!/^[0-9a-f-]{36}\.json$/.test(name)) continue;
      const key = await this.read(name.slice(0, -5));
      if (key) keys.push(key);
    }
    return keys.sort((a, b) => a.creationDate.localeCompare(b.creationDate));
  }

  /** A key by id or alias. */
  async find(idOrAlias: string): Promise<StoredKey | null> {
    if (/^[0-9a-f-]{36}$/.test(idOrAlias)) {
      const byId = await this.read(idOrAlias);
      if (byId) return byId;
    }
    return (await this.list()).find((key) => key.aliases.includes(idOrAlias)) ?? null;
  }

  /** Read-modify-write of one key, serialized so concurrent actions never lose an update. */
  update(id: string, change: (key: StoredKey) => StoredKey): Promise<StoredKey> {
    const run = this.queue.then(async () => {
      const current = await this.read(id);
      if (!current) throw new Error(`key ${id} vanished`);
      const next = StoredKeySchema.parse(change(structuredClone(current)));
      await this.write(next);
      return next;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  create(key: StoredKey): Promise<StoredKey> {
    const run = this.queue.then(async () => {
      const parsed = StoredKeySchema.parse(key);
      await this.write(parsed);
      return parsed;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async read(id: string): Promise<StoredKey | null> {
    try {
      return StoredKeySchema.parse(JSON.parse(await readFile(join(this.dir, `${id}.json`), 'utf8')));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  private async write(key: StoredKey): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await writeFileAtomic(join(this.dir, `${key.id}.json`), `${JSON.stringify(key, null, 2)}\n`, 0o600);
  }
}

/**
 * Sandbox ciphertext: base64 of `"ISK1" | len | keyId | len | versionId | iv(12) | tag(16) | AES-256-GCM data`.
 * The key id and version travel inside so unwrap finds the version a WDEK was made with after a rotation.
 * AAD given by the caller is bound through GCM's additional data, like Key Protect's `aad`.
 */
const MAGIC = Buffer.from('ISK1', 'ascii');

function header(keyId: string, versionId: string): Buffer {
  const id = Buffer.from(keyId, 'utf8');
  const version = Buffer.from(versionId, 'utf8');
  return Buffer.concat([MAGIC, Buffer.from([id.length]), id, Buffer.from([version.length]), version]);
}

function additionalData(head: Buffer, aad: readonly string[]): Buffer {
  return Buffer.concat([head, Buffer.from([0]), Buffer.from(JSON.stringify(aad), 'utf8')]);
}

/** Imported root keys may be 16, 24 or 32 bytes; generated ones are 32. */
function gcmFor(material: Buffer): 'aes-128-gcm' | 'aes-192-gcm' | 'aes-256-gcm' {
  if (material.length === 16) return 'aes-128-gcm';
  if (material.length === 24) return 'aes-192-gcm';
  return 'aes-256-gcm';
}

export function sealWithVersion(keyId: string, version: StoredKeyVersion, plaintext: Buffer, aad: readonly string[]): string {
  const head = header(keyId, version.id);
  const iv = randomBytes(12);
  const material = Buffer.from(version.material, 'base64');
  const cipher = createCipheriv(gcmFor(material), material, iv);
  cipher.setAAD(additionalData(head, aad));
  const data = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const tag = cipher.getAuthTag();
  material.fill(0);
  return Buffer.concat([head, iv, tag, data]).toString('base64');
}

export interface ParsedCiphertext {
  keyId: string;
  versionId: string;
  head: Buffer;
  iv: Buffer;
  tag: Buffer;
  data: Buffer;
}

export function parseCiphertext(ciphertext: string): ParsedCiphertext | null {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(ciphertext) || ciphertext.length % 4 !== 0) return null;
  const bytes = Buffer.from(ciphertext, 'base64');
  if (bytes.length < MAGIC.length + 2 + 28 || !bytes.subarray(0, 4).equals(MAGIC)) return null;
  let offset = 4;
  const idLength = bytes[offset];
  offset += 1;
  const keyId = bytes.subarray(offset, offset + idLength).toString('utf8');
  offset += idLength;
  if (offset >= bytes.length) return null;
  const versionLength = bytes[offset];
  offset += 1;
  const versionId = bytes.subarray(offset, offset + versionLength).toString('utf8');
  offset += versionLength;
  if (bytes.length < offset + 28) return null;
  return {
    keyId,
    versionId,
    head: bytes.subarray(0, offset),
    iv: bytes.subarray(offset, offset + 12),
    tag: bytes.subarray(offset + 12, offset + 28),
    data: bytes.subarray(offset + 28),
  };
}

/** The plaintext, or null when the ciphertext was not made with this version and AAD (or was altered). */
export function openWithVersion(parsed: ParsedCiphertext, version: StoredKeyVersion, aad: readonly string[]): Buffer | null {
  const material = Buffer.from(version.material, 'base64');
  try {
    const decipher = createDecipheriv(gcmFor(material), material, parsed.iv);
    decipher.setAAD(additionalData(parsed.head, aad));
    decipher.setAuthTag(parsed.tag);
    return Buffer.concat([decipher.update(parsed.data), decipher.final()]);
  } catch {
    return null;
  } finally {
    material.fill(0);
  }
}
