import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from '@playwright/test';

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

/**
 * A job of a 4 MiB fully random image (every cluster holds data), created and run through the API up to and
 * including `until`, once it has reached `state` (polled for up to 90 s).
 */
export async function jobRunUntil<T extends { id: string; state: string }>(
  host: { url: string; token: string; dataDir: string },
  job: { name: string; target: string; until: string; state: string; provision?: boolean },
): Promise<T> {
  const sourcePath = join(host.dataDir, `${job.name}.raw`);
  await writeFile(sourcePath, randomBytes(4 * 1024 * 1024));
  const created = await callApi<T>(host.url, host.token, 'createJob', {
    sourcePath,
    target: job.target,
    name: job.name,
    iterTimeMs: 10,
    ...(job.provision ? { provision: true } : {}),
  });
  await callApi(host.url, host.token, 'runJob', { jobId: created.id, until: job.until });
  let current = created;
  await expect
    .poll(
      async () => {
        current = await callApi<T>(host.url, host.token, 'getJob', { jobId: created.id });
        return current.state;
      },
      { timeout: 90_000, intervals: [250, 500, 1000] },
    )
    .toBe(job.state);
  return current;
}
