import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isAppError } from '../../../main/common/errors';
import { readJournal } from '../../../main/transfer/journal';
import { uploadFile } from '../../../main/transfer/uploader';
import { BUCKET, MIB, useSealedFileRig } from './helpers';

const PART = 16 * MIB;
const CONCURRENCY = 4;
const FAST_RETRY = { baseDelayMs: 10, maxDelayMs: 100 };

describe('upload through a faulty link to s3rver', () => {
  const fx = useSealedFileRig();

  it('survives connections cut in the middle of parts', async () => {
    fx.resetProxy();
    const cutOnce = new Set<number>([2, 5]);
    fx.rig.proxy.setScript((request) => {
      if (request.partNumber !== undefined && cutOnce.delete(request.partNumber)) {
        return { kind: 'cut', afterBytes: 5 * MIB };
      }
      return { kind: 'pass' };
    });
    const journalPath = join(fx.rig.dir, 'cut.journal');
    const result = await uploadFile({
      client: fx.rig.client,
      file: fx.file,
      bucket: BUCKET,
      key: 'cut.qcow2',
      journalPath,
      retry: FAST_RETRY,
    });
    expect(fx.rig.proxy.stats.faults.filter((fault) => fault.kind === 'cut')).toHaveLength(2);
    expect(result.verified).toBe(true);
    expect(result.verification).toBe('read-back');
    expect(result.partCount).toBe(5);
    await fx.expectStoredEqualsFile('cut.qcow2');
    expect(fx.rig.proxy.stats.partBytesReceived - fx.fileSize).toBeLessThanOrEqual(CONCURRENCY * PART);
    expect(fx.rig.proxy.stats.partBytesReceived - fx.fileSize).toBeGreaterThan(0);
    expect(existsSync(journalPath)).toBe(false);
  });

  it('rides out bursts of 503 SlowDown and 500 answers', async () => {
    fx.resetProxy();
    let injected = 0;
    fx.rig.proxy.setScript((request) => {
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
      client: fx.rig.client,
      file: fx.file,
      bucket: BUCKET,
      key: 'slowdown.qcow2',
      journalPath: join(fx.rig.dir, 'slow.journal'),
      retry: FAST_RETRY,
    });
    expect(injected).toBe(10);
    expect(result.verified).toBe(true);
    await fx.expectStoredEqualsFile('slowdown.qcow2');
    // refused parts were answered before reaching the server: nothing partial was stored twice
    expect(fx.rig.proxy.stats.partBytesForwarded).toBe(fx.fileSize);
  });

  it('retries dropped connections and delayed answers', async () => {
    fx.resetProxy();
    const dropped = new Set<number>();
    fx.rig.proxy.setScript((request) => {
      if (request.partNumber === 3 && !dropped.has(3)) {
        dropped.add(3);
        return { kind: 'drop' };
      }
      if (request.partNumber === 1) return { kind: 'delay', ms: 200 };
      return { kind: 'pass' };
    });
    const result = await uploadFile({
      client: fx.rig.client,
      file: fx.file,
      bucket: BUCKET,
      key: 'drop.qcow2',
      journalPath: join(fx.rig.dir, 'drop.journal'),
      retry: FAST_RETRY,
    });
    expect(result.verified).toBe(true);
    await fx.expectStoredEqualsFile('drop.qcow2');
  });

  it('gives up with a retryable error when the link stays down, keeps the journal, and resume sends only the missing parts', async () => {
    fx.resetProxy();
    fx.rig.proxy.setScript((request) =>
      request.partNumber !== undefined && request.partNumber >= 4
        ? { kind: 'status', status: 503, code: 'SlowDown' }
        : { kind: 'pass' },
    );
    const journalPath = join(fx.rig.dir, 'down.journal');
    const failure = await uploadFile({
      client: fx.rig.client,
      file: fx.file,
      bucket: BUCKET,
      key: 'down.qcow2',
      journalPath,
      concurrency: 1,
      retry: { ...FAST_RETRY, maxAttempts: 3 },
    }).catch((error: unknown) => error);
    expect(isAppError(failure, 'COS_UNAVAILABLE')).toBe(true);
    const journal = await readJournal(journalPath);
    expect([...(journal?.parts.keys() ?? [])].sort()).toEqual([1, 2, 3]);

    fx.resetProxy();
    const result = await uploadFile({
      client: fx.rig.client,
      file: fx.file,
      bucket: BUCKET,
      key: 'down.qcow2',
      journalPath,
      retry: FAST_RETRY,
    });
    expect(result.resumedParts).toBe(3);
    expect(fx.rig.proxy.stats.partBytesReceived).toBe(fx.fileSize - 3 * PART);
    await fx.expectStoredEqualsFile('down.qcow2');
  });
});
