import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isAppError } from '../../../main/common/errors';
import { CosClient } from '../../../main/transfer/cos-client';
import { UploadControl } from '../../../main/transfer/upload-control';
import { uploadFile } from '../../../main/transfer/uploader';
import { BUCKET, MIB, randomFile, sha256File, storedObjectPath, useSealedFileRig } from './helpers';

const FAST_RETRY = { baseDelayMs: 10, maxDelayMs: 100 };

describe('upload control, skip-if-present and clear errors (s3rver behind the proxy)', () => {
  const fx = useSealedFileRig();

  it('pauses, resumes and cancels', async () => {
    fx.resetProxy();
    const control = new UploadControl();
    const journalPath = join(fx.rig.dir, 'paused.journal');
    let pausedOnce = false;
    let partsWhilePaused = '';
    const running = uploadFile({
      client: fx.rig.client,
      file: fx.file,
      bucket: BUCKET,
      key: 'paused.qcow2',
      journalPath,
      control,
      limitRateMBps: 60,
      onProgress: (progress) => {
        if (!pausedOnce && progress.bytesDone > 10 * MIB) {
          pausedOnce = true;
          control.pause();
          partsWhilePaused = String(progress.detail?.parts ?? '');
          setTimeout(() => control.resume(), 300);
        }
      },
    });
    const result = await running;
    expect(pausedOnce).toBe(true);
    expect(partsWhilePaused).toHaveLength(5);
    expect(result.verified).toBe(true);
    await fx.expectStoredEqualsFile('paused.qcow2');

    const cancelControl = new UploadControl();
    const cancelJournal = join(fx.rig.dir, 'cancelled.journal');
    const cancelled = await uploadFile({
      client: fx.rig.client,
      file: fx.file,
      bucket: BUCKET,
      key: 'cancelled.qcow2',
      journalPath: cancelJournal,
      control: cancelControl,
      limitRateMBps: 60,
      onProgress: (progress) => {
        if (progress.bytesDone > 10 * MIB) cancelControl.cancel();
      },
    }).catch((error: unknown) => error);
    expect(isAppError(cancelled, 'UPLOAD_CANCELLED')).toBe(true);
    expect(existsSync(cancelJournal)).toBe(false);
    expect(existsSync(storedObjectPath(fx.rig.cos, 'cancelled.qcow2'))).toBe(false);
  });

  it('does not upload again an object that is already there, identical', async () => {
    fx.resetProxy();
    await uploadFile({
      client: fx.rig.client,
      file: fx.file,
      bucket: BUCKET,
      key: 'cut.qcow2',
      journalPath: join(fx.rig.dir, 'first.journal'),
    });
    const seen: string[] = [];
    fx.rig.proxy.setScript((request) => {
      seen.push(`${request.method} ${request.url}`);
      return { kind: 'pass' };
    });
    const result = await uploadFile({
      client: fx.rig.client,
      file: fx.file,
      bucket: BUCKET,
      key: 'cut.qcow2',
      journalPath: join(fx.rig.dir, 'again.journal'),
    });
    expect(result.skipped).toBe(true);
    expect(result.bytesSent).toBe(0);
    expect(seen.filter((line) => line.startsWith('POST') || line.startsWith('PUT'))).toEqual([]);
    // a different file of the same size under that key is uploaded
    const other = await randomFile(fx.rig.dir, 'other.qcow2', fx.fileSize);
    const replaced = await uploadFile({
      client: fx.rig.client,
      file: other,
      bucket: BUCKET,
      key: 'cut.qcow2',
      journalPath: join(fx.rig.dir, 'again.journal'),
    });
    expect(replaced.skipped).toBe(false);
    expect(await sha256File(storedObjectPath(fx.rig.cos, 'cut.qcow2'))).toBe(await sha256File(other));
  });

  it('says clearly when the credentials or the bucket are wrong', async () => {
    fx.resetProxy();
    // s3rver knows only the access key S3RVER (it does not check V4 signatures at all)
    const wrongKeyId = new CosClient({
      endpoint: fx.rig.proxy.url,
      region: 'us-south',
      auth: { kind: 'hmac', accessKeyId: 'NOBODY', secretAccessKey: 'S3RVER' },
    });
    const badKeyId = await uploadFile({
      client: wrongKeyId,
      file: fx.file,
      bucket: BUCKET,
      key: 'x.qcow2',
      journalPath: join(fx.rig.dir, 'x.journal'),
    }).catch((error: unknown) => error);
    await wrongKeyId.close();
    expect(isAppError(badKeyId, 'COS_CREDENTIALS_REJECTED')).toBe(true);
    expect((badKeyId as Error).message).toMatch(/access key ID is not known/);

    const badBucket = await uploadFile({
      client: fx.rig.client,
      file: fx.file,
      bucket: 'no-such-bucket',
      key: 'x.qcow2',
      journalPath: join(fx.rig.dir, 'y.journal'),
    }).catch((error: unknown) => error);
    expect(isAppError(badBucket, 'COS_BUCKET_NOT_FOUND')).toBe(true);
    expect((badBucket as Error).message).toMatch(/no bucket "no-such-bucket"/);
    expect((badBucket as { hint?: string }).hint).toMatch(/region/);

    // what real COS answers for a wrong secret or a missing role, injected at the proxy, HEAD included
    for (const [code, expected, text] of [
      ['SignatureDoesNotMatch', 'COS_CREDENTIALS_REJECTED', /secret access key does not match/],
      ['AccessDenied', 'COS_ACCESS_DENIED', /valid but not allowed/],
    ] as const) {
      fx.rig.proxy.setScript(() => ({ kind: 'status', status: 403, code }));
      const failure = await uploadFile({
        client: fx.rig.client,
        file: fx.file,
        bucket: BUCKET,
        key: 'x.qcow2',
        journalPath: join(fx.rig.dir, 'z.journal'),
        retry: FAST_RETRY,
      }).catch((error: unknown) => error);
      expect(isAppError(failure, expected)).toBe(true);
      expect((failure as Error).message).toMatch(text);
      expect(fx.rig.proxy.stats.requests).toBeGreaterThan(0);
    }
  });
});
