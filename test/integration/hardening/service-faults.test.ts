import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliRun } from '../../helpers/cli';
import { keyProtectError } from '../../helpers/hardening-http-proxy';
import { makeSourceImage, readJobRecord, startHardeningRig, type HardeningRig } from '../../helpers/hardening-rig';
import { ReliabilityRecorder } from '../../helpers/hardening-stats';

/**
 * One job through a series of cloud faults at the job level (the clients' own retry and mapping tests live in
 * test/unit/kms and test/integration/transfer): Key Protect 409 (disabled key), 422 (bad ciphertext), a 5xx that
 * does not end, 401 for a token that expired in flight, a 429/503 burst it rides out; COS 403, 404 and 503.
 * After each failure the job says which step failed, with a code, a message and a hint; nothing after the
 * failed step is recorded; the audit chain verifies; and `jobs resume` goes on from there.
 */
const stats = new ReliabilityRecorder('service-faults');

describe('cloud faults during a job', { timeout: 300_000 }, () => {
  let rig: HardeningRig;
  let source: string;
  let jobId = '';

  beforeAll(async () => {
    rig = await startHardeningRig();
    source = await makeSourceImage(rig.dir, 'source.raw', 8, 4);
  });
  afterAll(async () => {
    stats.flush();
    await rig?.close();
  });

  async function expectFailedClearly(run: CliRun, step: string, codes: string[]): Promise<Record<string, unknown>> {
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(codes).toContain(run.error?.code);
    const record = await readJobRecord(rig.dataDir, jobId);
    expect(record.state).toBe('failed');
    const error = record.error as { step: string; code: string; message: string; hint?: string };
    expect(error.step).toBe(step);
    expect(error.code).toBe(run.error?.code);
    expect(error.message.length).toBeGreaterThan(20);
    expect(error.hint ?? '', `no hint for ${error.code}: ${error.message}`).not.toBe('');
    expect((await rig.app.audit.verify()).ok).toBe(true);
    stats.add('failedClearly', 1, `${step}: ${error.code}`);
    return record;
  }

  function resume(): Promise<CliRun> {
    return rig.cli(['jobs', 'resume', jobId]);
  }

  it('Key Protect 409 on wrap (disabled key): fails in wrap with KMS_KEY_STATE; nothing after it recorded', async () => {
    rig.kmsProxy.setScript((request) =>
      request.keyAction === 'wrap'
        ? keyProtectError(409, 'KEY_ACTION_INVALID_STATE_ERR', 'Key is not in a valid state')
        : { kind: 'pass' },
    );
    const run = await rig.cli([
      'run',
      source,
      '--target',
      'vpc',
      '--name',
      'faults',
      '--iter-time',
      '20',
      '--object',
      'faults.qcow2',
    ]);
    jobId = String(
      run.lines.find((line) => typeof line.jobId === 'string')?.jobId ?? (await rig.app.jobs.list())[0]?.id,
    );
    stats.add('faultsInjected', rig.kmsProxy.injected.length);
    const record = await expectFailedClearly(run, 'wrap', ['KMS_KEY_STATE']);
    expect(record.lastGoodState).toBe('sealed');
    expect(record.wrap).toBeUndefined();
  });

  it('Key Protect 422 on the round-trip unwrap: fails with KMS_BAD_CIPHERTEXT, no wrap recorded', async () => {
    rig.kmsProxy.injected.length = 0;
    rig.kmsProxy.setScript((request) =>
      request.keyAction === 'unwrap'
        ? keyProtectError(422, 'UNPROCESSABLE_CIPHERTEXT_ERR', 'The provided ciphertext is invalid or corrupted')
        : { kind: 'pass' },
    );
    const run = await resume();
    stats.add('faultsInjected', rig.kmsProxy.injected.length);
    const record = await expectFailedClearly(run, 'wrap', ['KMS_BAD_CIPHERTEXT']);
    expect(record.wrap).toBeUndefined();
  });

  it('Key Protect 503 that does not end: retried, then KMS_UNAVAILABLE', async () => {
    rig.kmsProxy.injected.length = 0;
    rig.kmsProxy.setScript((request) =>
      request.keyAction === 'wrap'
        ? keyProtectError(503, 'SERVICE_UNAVAILABLE_ERR', 'Service unavailable')
        : { kind: 'pass' },
    );
    const run = await resume();
    // retried before giving up
    expect(rig.kmsProxy.injected.length).toBeGreaterThan(1);
    stats.add('faultsInjected', rig.kmsProxy.injected.length);
    await expectFailedClearly(run, 'wrap', ['KMS_UNAVAILABLE']);
  });

  it('Key Protect 401 for a token that expired in flight: fails clearly, no wrap recorded', async () => {
    rig.kmsProxy.injected.length = 0;
    rig.kmsProxy.setScript((request) =>
      request.keyAction === 'wrap'
        ? keyProtectError(
            401,
            'UNAUTHORIZED_ERR',
            'Unauthorized: The user does not have access to the specified resource',
          )
        : { kind: 'pass' },
    );
    const run = await resume();
    stats.add('faultsInjected', rig.kmsProxy.injected.length);
    await expectFailedClearly(run, 'wrap', ['KMS_UNAUTHORIZED']);
  });

  it('a 429, a 503 and a dropped connection are ridden out; then COS 403 fails the upload with no object stored', async () => {
    rig.kmsProxy.injected.length = 0;
    let wraps = 0;
    rig.kmsProxy.setScript((request) => {
      if (request.keyAction !== 'wrap') return { kind: 'pass' };
      wraps += 1;
      if (wraps === 1)
        return { ...keyProtectError(429, 'TOO_MANY_REQUESTS', 'Too many requests'), headers: { 'retry-after': '1' } };
      if (wraps === 2) return keyProtectError(503, 'SERVICE_UNAVAILABLE_ERR', 'Service unavailable');
      if (wraps === 3) return { kind: 'drop' };
      return { kind: 'pass' };
    });
    rig.cosProxy.stats.faults.length = 0;
    rig.cosProxy.setScript(() => ({ kind: 'status', status: 403, code: 'AccessDenied' }));
    const run = await resume();
    rig.kmsProxy.setScript(() => ({ kind: 'pass' }));
    expect(rig.kmsProxy.injected.map((fault) => fault.status)).toEqual([429, 503, undefined]);
    stats.add('faultsInjected', rig.kmsProxy.injected.length + rig.cosProxy.stats.faults.length);
    const record = await expectFailedClearly(run, 'upload', ['COS_ACCESS_DENIED', 'COS_CREDENTIALS_REJECTED']);
    expect(record.lastGoodState).toBe('wrapped');
    expect((record.wrap as { roundTripVerified: boolean }).roundTripVerified).toBe(true);
    expect(existsSync(join(rig.dataDir, 'sandbox', 'cos', rig.endpoints.bucket, 'faults.qcow2._S3rver_object'))).toBe(
      false,
    );
  });

  it('COS 404 NoSuchBucket: fails the upload clearly', async () => {
    rig.cosProxy.stats.faults.length = 0;
    rig.cosProxy.setScript((request) =>
      request.method === 'HEAD' ? { kind: 'pass' } : { kind: 'status', status: 404, code: 'NoSuchBucket' },
    );
    const run = await resume();
    stats.add('faultsInjected', rig.cosProxy.stats.faults.length);
    await expectFailedClearly(run, 'upload', ['COS_BUCKET_NOT_FOUND', 'COS_NOT_FOUND']);
  });

  // One 503 on the HEAD that looks for an identical existing object is retried like every other COS call. The
  // writes then answer NoSuchBucket, so the job fails later, at the write, and stays failed for the next test.
  it('a single COS 503 on the HEAD that looks for an existing object is retried', async () => {
    rig.cosProxy.stats.faults.length = 0;
    let heads = 0;
    rig.cosProxy.setScript((request) => {
      if (request.method === 'HEAD') return ++heads === 1 ? { kind: 'status', status: 503, code: 'SlowDown' } : { kind: 'pass' };
      return request.method === 'GET' ? { kind: 'pass' } : { kind: 'status', status: 404, code: 'NoSuchBucket' };
    });
    const run = await resume();
    rig.cosProxy.setScript(() => ({ kind: 'pass' }));
    stats.add('faultsInjected', rig.cosProxy.stats.faults.length);
    expect(heads, run.stdout + run.stderr).toBeGreaterThanOrEqual(2);
    await expectFailedClearly(run, 'upload', ['COS_BUCKET_NOT_FOUND', 'COS_NOT_FOUND']);
  });

  it('COS 503 SlowDown bursts on CreateMultipartUpload and the parts are ridden out; the job reaches imported', async () => {
    const before = await readJobRecord(rig.dataDir, jobId);
    expect(before.state).toBe('failed');
    rig.cosProxy.stats.faults.length = 0;
    let writes = 0;
    rig.cosProxy.setScript((request) =>
      request.method !== 'HEAD' && request.method !== 'GET' && ++writes <= 3
        ? { kind: 'status', status: 503, code: 'SlowDown' }
        : { kind: 'pass' },
    );
    const run = await resume();
    rig.cosProxy.setScript(() => ({ kind: 'pass' }));
    expect(run.result?.state, run.stdout + run.stderr).toBe('imported');
    expect(rig.cosProxy.stats.faults.length).toBe(3);
    stats.add('faultsInjected', rig.cosProxy.stats.faults.length);
    stats.add('resumed', 1, 'after 4 wrap failures and 3 upload failures');
    const record = await readJobRecord(rig.dataDir, jobId);
    expect(record.error).toBeUndefined();
    expect((await rig.app.audit.verify()).ok).toBe(true);
    stats.add('inputsTried');
  });
});
