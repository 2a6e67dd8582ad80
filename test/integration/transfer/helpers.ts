import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandboxCos, type SandboxCos } from '../../../main/sandbox/cos-service';
import { CosClient, type CosAuth } from '../../../main/transfer/cos-client';
import { startFaultProxy, type FaultProxy } from '../../helpers/fault-proxy';
import { afterAll, beforeAll, expect } from 'vitest';

export const BUCKET = 'image-sealer-sandbox';
export const MIB = 1024 * 1024;
export const S3RVER_AUTH: CosAuth = { kind: 'hmac', accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export interface Rig {
  dir: string;
  /** replaced by a test that restarts the sandbox COS */
  cos: SandboxCos;
  proxy: FaultProxy;
  /** a client that goes through the fault proxy */
  client: CosClient;
  close(): Promise<void>;
}

export async function startRig(): Promise<Rig> {
  const dir = await mkdtemp(join(tmpdir(), 'transfer-it-'));
  const cos = await startSandboxCos({ sandboxDir: join(dir, 'sandbox'), bucket: BUCKET });
  const proxy = await startFaultProxy(cos.url);
  const client = new CosClient({ endpoint: proxy.url, region: 'us-south', auth: S3RVER_AUTH });
  const rig: Rig = {
    dir,
    cos,
    proxy,
    client,
    close: async () => {
      await client.close();
      await proxy.close();
      await rig.cos.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return rig;
}

export interface SealedFileRig {
  rig: Rig;
  /** a sealed-looking file of 5 parts at 16 MiB, the last one short */
  file: string;
  fileSha: string;
  fileSize: number;
  /** back to a clean link: no faults scripted, counters at zero */
  resetProxy(): void;
  /** the object's bytes as s3rver stores them equal the file's */
  expectStoredEqualsFile(key: string): Promise<void>;
}

/** A rig and a hashed file for one describe block: started before its tests, closed after them. */
export function useSealedFileRig(): SealedFileRig {
  const fixture = {
    resetProxy: () => resetFaultProxy(fixture.rig),
    expectStoredEqualsFile: async (key: string) =>
      expect(await sha256File(storedObjectPath(fixture.rig.cos, key))).toBe(fixture.fileSha),
  } as SealedFileRig;
  beforeAll(async () => {
    const rig = await startRig();
    const fileSize = 64 * MIB + 12_345;
    const file = await randomFile(rig.dir, 'sealed.qcow2', fileSize);
    Object.assign(fixture, { rig, file, fileSize, fileSha: await sha256File(file) });
  });
  afterAll(async () => {
    await fixture.rig?.close();
  });
  return fixture;
}

/** Back to a clean link: no faults scripted, counters at zero. */
function resetFaultProxy(rig: Rig): void {
  rig.proxy.setScript(() => ({ kind: 'pass' }));
  rig.proxy.stats.partBytesForwarded = 0;
  rig.proxy.stats.partBytesReceived = 0;
  rig.proxy.stats.faults.length = 0;
}

export async function randomFile(dir: string, name: string, size: number): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, randomBytes(size));
  return path;
}

/** SHA-256 of a file, hashed here independently of the engine. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Where s3rver keeps an object's bytes: reading it checks the stored object without any S3 client. */
export function storedObjectPath(cos: SandboxCos, key: string): string {
  return join(cos.directory, BUCKET, `${key}._S3rver_object`);
}

export { runUploadChild, type ChildRun } from '../../helpers/run-upload-child';
