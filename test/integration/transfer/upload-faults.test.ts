import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../../../main/common/errors';
import { readJournal } from '../../../main/transfer/journal';
import { uploadFile } from '../../../main/transfer/uploader';
import {
  BUCKET,
  MIB,
  resetFaultProxy,
  sha256File,
  startRigWithSealedFile,
  storedObjectPath,
  type Rig,
} from './helpers';

const PART = 16 * MIB;
const CONCURRENCY = 4;
const FAST_RETRY = { baseDelayMs: 10, maxDelayMs: 100 };

describe('upload through a faulty link to s3rver', () => {
  let rig: Rig;
  let file: string;
  let fileSha: string;
  let fileSize: number;

  beforeAll(async () => {
    ({ rig, file, fileSha, fileSize } = await startRigWithSealedFile());
  });
  afterAll(async () => {
    await rig?.close();
  });

  const resetProxy = () => resetFaultProxy(rig);
  const expectStoredEqualsFile = async (key: string) =>
    expect(await sha256File(storedObjectPath(rig.cos, key))).toBe(fileSha);

  it('survives connections cut in the middle of parts', async () => {
    resetProxy();
    const cutOnce = new Set<number>([2, 5]);
    rig.proxy.setScript((request) => {
      if (request.partNumber !== undefined && cutOnce.delete(request.partNumber)) {
        return { kind: 'cut', afterBytes: 5 * MIB };
      }
      return { kind: 'pass' };
    });
    const journalPath = join(rig.dir, 'cut.journal');
    const result = await uploadFile({
      client: rig.client,
      file,
      bucket: BUCKET,
      key: 'cut.qcow2',
      journalPath,
      retry: FAST_RETRY,
    });
    expect(rig.proxy.stats.faults.filter((fault) => fault.kind === 'cut')).toHaveLength(2);
    expect(result.verified).toBe(true);
    expect(result.verification).toBe('read-back');
    expect(result.partCount).toBe(5);
    await expectStoredEqualsFile('cut.qcow2');
    expect(rig.proxy.stats.partBytesReceived - fileSize).toBeLessThanOrEqual(CONCURRENCY * PART);
    expect(rig.proxy.stats.partBytesReceived - fileSize).toBeGreaterThan(0);
    expect(existsSync(journalPath)).toBe(false);
  });

  it('rides out bursts of 503 SlowDown and 500 answers', async () => {
    resetProxy();
    let injected = 0;
    rig.proxy.setScript((request) => {
      if (request.partNumber !== undefined && injected < 8) {
        injected += 1;
        return injected % 4 === 0
          ? { kind: 'status', status: 500, code: 'InternalError' }
          : { kind: 'status', status: 503, code: 'SlowDown' };
      }
      if (request.method === 'POST' && request.uploadId !== undefined && injected < 10) {
        injected += 1;
        return { kind: 'status', status: 503, code: 'SlowDown' };
      }
      return { kind: 'pass' };
    });
    const result = await uploadFile({
      client: rig.client,
      file,
      bucket: BUCKET,
      key: 'slowdown.qcow2',
      journalPath: join(rig.dir, 'slow.journal'),
      retry: FAST_RETRY,
    });
    expect(injected).toBe(10);
    expect(result.verified).toBe(true);
    await expectStoredEqualsFile('slowdown.qcow2');
    // refused parts were answered before reaching the server: nothing partial was stored twice
    expect(rig.proxy.stats.partBytesForwarded).toBe(fileSize);
  });

  it('retries dropped connections and delayed answers', async () => {
    resetProxy();
    const dropped = new Set<number>();
    rig.proxy.setScript((request) => {
      if (request.partNumber === 3 && !dropped.has(3)) {
        dropped.add(3);
        return { kind: 'drop' };
      }
      if (request.partNumber === 1) return { kind: 'delay', ms: 200 };
      return { kind: 'pass' };
    });
    const result = await uploadFile({
      client: rig.client,
      file,
      bucket: BUCKET,
      key: 'drop.qcow2',
      journalPath: join(rig.dir, 'drop.journal'),
      retry: FAST_RETRY,
    });
    expect(result.verified).toBe(true);
    await expectStoredEqualsFile('drop.qcow2');
  });

  it('gives up with a retryable error when the link stays down, keeps the journal, and resume sends only the missing parts', async () => {
    resetProxy();
    rig.proxy.setScript((request) =>
      request.partNumber !== undefined && request.partNumber >= 4
        ? { kind: 'status', status: 503, code: 'SlowDown' }
        : { kind: 'pass' },
    );
    const journalPath = join(rig.dir, 'down.journal');
    const failure = await uploadFile({
      client: rig.client,
      file,
      bucket: BUCKET,
      key: 'down.qcow2',
      journalPath,
      concurrency: 1,
      retry: { ...FAST_RETRY, maxAttempts: 3 },
    }).catch((error: unknown) => error);
    expect(isAppError(failure, 'COS_UNAVAILABLE')).toBe(true);
    const journal = await readJournal(journalPath);
    expect([...(journal?.parts.keys() ?? [])].sort()).toEqual([1, 2, 3]);

    resetProxy();
    const result = await uploadFile({
      client: rig.client,
      file,
      bucket: BUCKET,
      key: 'down.qcow2',
      journalPath,
      retry: FAST_RETRY,
    });
    expect(result.resumedParts).toBe(3);
    expect(rig.proxy.stats.partBytesReceived).toBe(fileSize - 3 * PART);
    await expectStoredEqualsFile('down.qcow2');
  });
});
