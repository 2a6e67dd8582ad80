import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** A raw disk image of `mib` MiB: random data in the first half, zeros (a hole when sparse) in the second. */
export function rawImageBytes(mib: number): Buffer {
  const bytes = Buffer.alloc(mib * 1024 * 1024);
  randomBytes(bytes.length / 2).copy(bytes, 0);
  return bytes;
}

export async function writeRawImage(dir: string, name: string, mib: number): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, rawImageBytes(mib));
  return path;
}

/** Calls the host's API the way the web client does (Bearer token), for setting up state in tests. */
export async function callApi<T>(url: string, token: string, name: string, input: unknown): Promise<T> {
  const response = await fetch(`${url}/api/call/${name}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(input),
  });
  const result = (await response.json()) as
    { ok: true; value: T } | { ok: false; error: { code: string; message: string } };
  if (!result.ok) throw new Error(`${name} failed: ${result.error.code} ${result.error.message}`);
  return result.value;
}
