import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliRun } from '../../helpers/cli';
import {
  makeSourceImage,
  MIB,
  readJobRecord,
  runCliAndKill,
  sandboxImageRecords,
  startHardeningRig,
  type HardeningRig,
  type KilledRun,
} from '../../helpers/hardening-rig';
import { ReliabilityRecorder } from '../../helpers/hardening-stats';

/**
 * kill -9 of the CLI in every step of a job (seal's encryption and its verification, wrap, upload, import),
 * then `jobs resume`: the job reaches `imported`, the audit chain verifies, and nothing half-done is presented
 * as done (no sealed file under its final name, no object in COS, no second image).
 */
const stats = new ReliabilityRecorder('kill-resume');
const PART_MIB = 5;
const CONCURRENCY = 2;

describe('kill -9 in each step, then jobs resume', { timeout: 300_000 }, () => {
  let rig: HardeningRig;
  let source: string;

  beforeAll(async () => {
    rig = await startHardeningRig();
    source = await makeSourceImage(rig.dir, 'source.raw', 16, 12);
  });
  afterAll(async () => {
    stats.flush();
    await rig?.close();
  });

  function runArgs(name: string, target: string, extra: string[] = []): string[] {
    return [
      'run',
      source,
      '--target',
      target,
      '--name',
      name,
      '--iter-time',
      '20',
      '--data-dir',
      rig.dataDir,
      ...extra,
    ];
  }

  async function jobIdByName(name: string): Promise<string> {
    const job = (await rig.app.jobs.list()).find((entry) => entry.name === name);
    if (!job) throw new Error(`no job named ${name}`);
    return job.id;
  }

  async function resumeToImported(jobId: string): Promise<CliRun> {
    const resumed = await rig.cli(['jobs', 'resume', jobId]);
    expect(resumed.error, resumed.stdout + resumed.stderr).toBeUndefined();
    expect(resumed.code).toBe(0);
    expect(resumed.result?.state).toBe('imported');
    stats.add('resumed', 1, jobId);
    stats.add('inputsTried');
    return resumed;
  }

  async function expectAuditIntact(): Promise<void> {
    const verified = await rig.app.audit.verify();
    expect(verified, JSON.stringify(verified)).toMatchObject({ ok: true });
  }

  /** The sealed output exists, with its manifest, and no temporary file next to it. */
  async function expectOnlyFinishedOutput(jobId: string, sealedPath: string): Promise<void> {
    const folder = join(rig.dataDir, 'images', jobId);
    const names = (await readdir(folder)).sort();
    const base = sealedPath.split('/').pop()!;
    expect(names).toEqual([base, `${base}.manifest.json`].sort());
  }

  function expectKilled(run: KilledRun): void {
    expect(run.killed, `the process finished before the kill point: ${run.stdout}`).toBe(true);
    expect(run.signal).toBe('SIGKILL');
    stats.add('faultsInjected', 1, 'kill -9');
  }

  async function sealKill(name: string, target: string, phase: string): Promise<void> {
    const killed = await runCliAndKill(
      runArgs(name, target),
      (line) => line.event === 'progress' && line.step === 'seal' && line.phase === phase,
    );
    expectKilled(killed);
    const jobId = await jobIdByName(name);
    const record = await readJobRecord(rig.dataDir, jobId);
    expect(record.state).toBe('created');
    expect(record.seal).toBeUndefined();
    // nothing under the final name before verification finished
    const folder = join(rig.dataDir, 'images', jobId);
    const leftovers = existsSync(folder) ? await readdir(folder) : [];
    for (const entry of leftovers)
      expect(
        entry.endsWith('.raw') ||
          entry.endsWith('.qcow2') ||
          entry.endsWith('.vhd') ||
          entry.endsWith('.manifest.json'),
      ).toBe(false);

    const resumed = await resumeToImported(jobId);
    await expectOnlyFinishedOutput(jobId, String(resumed.result?.sealedPath));
    await expectAuditIntact();
  }

  it('during seal (encryption): no output under the final name; resume seals again and completes', async () => {
    await sealKill('kill-encrypt', 'vpc', 'encrypt');
  });

  it('during seal (verification): the unverified output is not presented; resume completes', async () => {
    await sealKill('kill-verify', 'classic-luks', 'verify');
  });

  it('during wrap: resume wraps (once more) and completes', async () => {
    // Key Protect answers wraps slowly, so the kill lands while the wrap request is in flight.
    rig.kmsProxy.setScript((request) =>
      request.keyAction === 'wrap' ? { kind: 'delay', ms: 2000 } : { kind: 'pass' },
    );
    const name = 'kill-wrap';
    const killed = await runCliAndKill(
      runArgs(name, 'classic-vhd'),
      (line) => line.event === 'progress' && line.step === 'wrap',
    );
    rig.kmsProxy.setScript(() => ({ kind: 'pass' }));
    expectKilled(killed);
    const jobId = await jobIdByName(name);
    const record = await readJobRecord(rig.dataDir, jobId);
    expect(record.state).toBe('sealed');
    expect(record.wrap).toBeUndefined();
    const resumed = await resumeToImported(jobId);
    expect(String(resumed.result?.wdek)).not.toBe('');
    await expectAuditIntact();
  });

  it(`during upload: no object in COS; resume re-sends at most ${CONCURRENCY} × ${PART_MIB} MiB`, async () => {
    const name = 'kill-upload';
    rig.cosProxy.stats.partBytesReceived = 0;
    const extra = [
      '--concurrency',
      String(CONCURRENCY),
      '--part-size',
      String(PART_MIB),
      '--limit-rate',
      '4',
      '--object',
      'kill-upload.qcow2',
    ];
    const killed = await runCliAndKill(
      runArgs(name, 'vpc', extra),
      (line) => line.event === 'progress' && line.step === 'upload' && Number(line.bytesDone) >= PART_MIB * MIB,
    );
    expectKilled(killed);
    const jobId = await jobIdByName(name);
    const record = await readJobRecord(rig.dataDir, jobId);
    expect(record.state).toBe('wrapped');
    // an unfinished multipart upload is not an object
    expect(
      existsSync(join(rig.dataDir, 'sandbox', 'cos', rig.endpoints.bucket, 'kill-upload.qcow2._S3rver_object')),
    ).toBe(false);

    const resumed = await resumeToImported(jobId);
    const size = (await stat(String(resumed.result?.sealedPath))).size;
    const resent = rig.cosProxy.stats.partBytesReceived - size;
    expect(resent).toBeGreaterThanOrEqual(0);
    expect(resent).toBeLessThanOrEqual(CONCURRENCY * PART_MIB * MIB);
    await expectAuditIntact();
  });

  it('during import: resume follows the image already created, never a second one', async () => {
    const name = 'kill-import';
    const before = await sandboxImageRecords(rig.dataDir);
    const killed = await runCliAndKill(
      runArgs(name, 'vpc', ['--object', 'kill-import.qcow2']),
      (line) => line.event === 'progress' && line.step === 'import',
    );
    expectKilled(killed);
    const jobId = await jobIdByName(name);
    const record = await readJobRecord(rig.dataDir, jobId);
    expect(record.state).toBe('uploaded');
    const resumed = await resumeToImported(jobId);
    const after = await sandboxImageRecords(rig.dataDir);
    const created = after.filter((path) => !before.includes(path));
    expect(created).toHaveLength(1);
    expect(created[0]).toContain(String(resumed.result?.imageId));
    await expectAuditIntact();
  });
});
