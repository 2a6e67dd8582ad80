import { existsSync } from 'node:fs';
import { utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../../../main/common/errors';
import { readJournal } from '../../../main/transfer/journal';
import { uploadFile } from '../../../main/transfer/uploader';
import { startSandboxCos } from '../../../main/sandbox/cos-service';
import { CosClient } from '../../../main/transfer/cos-client';
import { BUCKET, MIB, randomFile, runUploadChild, S3RVER_AUTH, sha256File, startRig, storedObjectPath, type Rig } from './helpers';

const PART = 16 * MIB;
const CONCURRENCY = 4;

/** kill -9 of the uploading process (a child running test/helpers/upload-child.ts), then resume. */
describe('upload after a crash', () => {
  let rig: Rig;
  let file: string;
  let fileSha: string;
  let fileSize: number;

  beforeAll(async () => {
    rig = await startRig();
    fileSize = 96 * MIB + 777; // 7 parts
    file = await randomFile(rig.dir, 'sealed.qcow2', fileSize);
    fileSha = await sha256File(file);
  });
  afterAll(async () => {
    await rig?.close();
  });

  function resetProxy(): void {
    rig.proxy.setScript(() => ({ kind: 'pass' }));
    rig.proxy.stats.partBytesForwarded = 0;
    rig.proxy.stats.partBytesReceived = 0;
    rig.proxy.stats.faults.length = 0;
  }

  async function expectStoredEqualsFile(key: string): Promise<void> {
    expect(await sha256File(storedObjectPath(rig.cos, key))).toBe(fileSha);
  }

  for (const fraction of [0.3, 0.7]) {
    it(`resumes after kill -9 at ${fraction * 100}% and re-sends at most concurrency × part size`, async () => {
      resetProxy();
      const key = `killed-${fraction}.qcow2`;
      const journalPath = join(rig.dir, `killed-${fraction}.journal`);
      const args = { endpoint: rig.proxy.url, file, bucket: BUCKET, key, journalPath, limitRateMBps: 40 };
      const killed = await runUploadChild(args, fraction).done;
      expect(killed.signal).toBe('SIGKILL');
      const journal = await readJournal(journalPath);
      expect(journal).toBeDefined();
      const confirmedBefore = journal?.parts.size ?? 0;

      const resumed = await runUploadChild({ ...args, limitRateMBps: undefined }).done;
      expect(resumed.code).toBe(0);
      const result = resumed.lines.find((line) => line.type === 'result')?.result as { verified: boolean; resumedParts: number; uploadId: string };
      expect(result.verified).toBe(true);
      expect(result.resumedParts).toBe(confirmedBefore);
      expect(result.uploadId).toBe(journal?.header.uploadId);
      await expectStoredEqualsFile(key);
      const resent = rig.proxy.stats.partBytesReceived - fileSize;
      expect(resent).toBeLessThanOrEqual(CONCURRENCY * PART);
      expect(existsSync(journalPath)).toBe(false);
    });
  }

  it('refuses to resume when the source changed after a crash', async () => {
    resetProxy();
    const journalPath = join(rig.dir, 'changed.journal');
    const args = { endpoint: rig.proxy.url, file, bucket: BUCKET, key: 'changed.qcow2', journalPath, limitRateMBps: 40 };
    const killed = await runUploadChild(args, 0.3).done;
    expect(killed.signal).toBe('SIGKILL');
    const later = new Date(Date.now() + 5000);
    await utimes(file, later, later);
    const failure = await uploadFile({ client: rig.client, file, bucket: BUCKET, key: 'changed.qcow2', journalPath }).catch((error: unknown) => error);
    expect(isAppError(failure, 'UPLOAD_SOURCE_CHANGED')).toBe(true);
    expect((failure as Error).message).toMatch(/changed since its upload started/);
    // nothing was completed under the old upload
    expect(existsSync(storedObjectPath(rig.cos, 'changed.qcow2'))).toBe(false);
  });


  it('resumes after the sandbox COS itself restarted on another port', async () => {
    resetProxy();
    const key = 'sandbox-restart.qcow2';
    const journalPath = join(rig.dir, 'sandbox-restart.journal');
    const killed = await runUploadChild({ endpoint: rig.cos.url, file, bucket: BUCKET, key, journalPath, limitRateMBps: 40 }, 0.5).done;
    expect(killed.signal).toBe('SIGKILL');
    const before = await readJournal(journalPath);
    // the app restarts: a new s3rver on the same folder, on a new port
    await rig.cos.stop();
    const restarted = await startSandboxCos({ sandboxDir: join(rig.dir, 'sandbox'), bucket: BUCKET });
    rig.cos = restarted;
    expect(restarted.url).not.toBe(before?.header.endpoint);
    const client = new CosClient({ endpoint: restarted.url, region: 'us-south', auth: S3RVER_AUTH });
    const result = await uploadFile({ client, file, bucket: BUCKET, key, journalPath });
    await client.close();
    expect(result.uploadId).toBe(before?.header.uploadId);
    expect(result.resumedParts).toBe(before?.parts.size);
    await expectStoredEqualsFile(key);
  });
});
