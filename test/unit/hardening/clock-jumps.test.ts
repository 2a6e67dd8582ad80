import fc from 'fast-check';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { createAppContext } from '../../../main/app/context';
import { AuditLog } from '../../../main/audit/audit-log';
import { ProgressMeter, type Progress } from '../../../main/common/progress';
import { JobRunner } from '../../../main/jobs/job-runner';
import { JobStore } from '../../../main/jobs/job-store';
import type { StepRegistry } from '../../../main/jobs/steps/step';
import { ReliabilityRecorder } from '../../helpers/hardening-stats';
import { makeTempDir } from '../../helpers/temp-dir';

/**
 * Clocks jump: NTP corrections, a laptop that slept, a user changing the time zone or the date. A jump must
 * never give a negative or infinite ETA, stop progress reports, break the audit chain or strand a job.
 */
const stats = new ReliabilityRecorder('clock-jumps');
const HOUR_MS = 3600_000;

afterEach(() => {
  vi.useRealTimers();
});
afterAll(() => stats.flush());

function isSane(progress: Progress): boolean {
  return (
    Number.isFinite(progress.rate) &&
    progress.rate >= 0 &&
    (progress.eta === null || (Number.isFinite(progress.eta) && progress.eta >= 0)) &&
    progress.bytesDone <= progress.bytesTotal
  );
}

describe('progress under clock jumps', () => {
  it('never reports a negative, NaN or infinite rate or ETA, whatever the clock does (fixed seed)', () => {
    let runs = 0;
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 64 * 1024 * 1024 }), fc.integer({ min: -HOUR_MS, max: HOUR_MS })), {
          minLength: 1,
          maxLength: 60,
        }),
        (steps) => {
          runs += 1;
          const total = steps.reduce((sum, [bytes]) => sum + bytes, 0);
          let clock = 1_000_000;
          const reports: Progress[] = [];
          const meter = new ProgressMeter(
            'encrypt',
            total,
            (progress) => reports.push(progress),
            250,
            () => clock,
          );
          for (const [bytes, jump] of steps) {
            clock += jump;
            meter.add(bytes);
          }
          meter.finish();
          for (const report of reports) expect(isSane(report), JSON.stringify(report)).toBe(true);
          const last = reports.at(-1)!;
          expect(last.bytesDone).toBe(total);
          expect(last.eta).toBe(0);
        },
      ),
      { seed: 20261124, numRuns: 300 },
    );
    stats.add('faultsInjected', runs, `${runs} random clock-jump sequences through ProgressMeter`);
  });

  it('keeps reporting after the wall clock jumps back a day (its default clock is monotonic)', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-11-24T10:00:00Z'));
    const reports: Progress[] = [];
    const meter = new ProgressMeter('upload', 100, (progress) => reports.push(progress), 0);
    meter.add(10);
    vi.setSystemTime(new Date('2026-11-23T10:00:00Z'));
    meter.add(10);
    vi.setSystemTime(new Date('2026-11-25T10:00:00Z'));
    meter.add(10);
    expect(reports.length).toBe(3);
    expect(reports.every(isSane)).toBe(true);
    stats.add('faultsInjected', 2, 'wall clock -1 day, +2 days under ProgressMeter');
  });
});

describe('job records and the audit log under clock jumps', () => {
  it('a job whose clock jumps back a year and forward again still runs to the end; the audit chain verifies', async () => {
    const temp = await makeTempDir('hardening-clock-');
    try {
      const app = await createAppContext({ dataDir: temp.dir, host: 'test' });
      // Both stores read one clock that the steps move around.
      let clock = new Date('2026-11-24T10:00:00Z').getTime();
      const now = () => new Date(clock);
      const jumpingApp = { ...app, jobs: new JobStore(app.paths.jobs, now), audit: new AuditLog(app.paths.audit, now) };
      const jumps = [-365 * 24 * HOUR_MS, +2 * 365 * 24 * HOUR_MS, -7 * 24 * HOUR_MS, 0];
      let step = 0;
      const jump = () => {
        clock += jumps[step++ % jumps.length]!;
      };
      const at = () => now().toISOString();
      const steps: StepRegistry = {
        seal: async () => {
          jump();
          return {
            seal: {
              outputPath: '/tmp/x.qcow2',
              engine: 'native',
              format: 'qcow2-luks',
              cipher: 'aes-xts-plain64',
              outputSize: 1,
              outputSha256: 'a'.repeat(64),
              contentSha256: 'b'.repeat(64),
              keyFingerprint: 'deadbeef',
              dekSize: 32,
              dekSource: 'generated',
              verified: true,
            },
          };
        },
        wrap: async () => {
          jump();
          return {
            wrap: {
              rootKeyId: 'k',
              rootKeyCrn: 'crn:k',
              wdek: 'd2Rlaw==',
              wdekFingerprint: '01234567',
              roundTripVerified: true,
              wrappedAt: at(),
            },
          };
        },
        upload: async () => {
          jump();
          return { upload: { bucket: 'b', region: 'us-south', objectKey: 'x.qcow2', size: 1, verified: true } };
        },
        import: async () => {
          jump();
          return {
            import: { api: 'vpc-images', imageId: 'img-1', status: 'available', statusReasons: [], requestedAt: at() },
          };
        },
        provision: async () => ({ provision: { instanceId: 'i-1', status: 'running', requestedAt: at() } }),
      };
      const created = await jumpingApp.jobs.create({ name: 'clock', target: 'vpc', profile: 'sandbox' });
      const finished = await new JobRunner(jumpingApp, steps).run(created.id);
      expect(finished.state).toBe('imported');
      // the record is readable and listed despite updatedAt before createdAt at some point
      const listed = await new JobStore(app.paths.jobs).list();
      expect(listed.map((job) => job.id)).toEqual([created.id]);
      const verified = await app.audit.verify();
      expect(verified.ok).toBe(true);
      const entries = await app.audit.entries();
      const times = entries.map((entry) => Date.parse(entry.ts));
      // the clock really went backwards between entries
      expect(times.some((time, index) => index > 0 && time < times[index - 1]!)).toBe(true);
      stats.add('faultsInjected', jumps.length, 'clock jumps between job steps');
      stats.add('inputsTried');
    } finally {
      await temp.cleanup();
    }
  });

  it('two jobs created across a backward jump both exist, with distinct ids, newest-created first', async () => {
    const temp = await makeTempDir('hardening-clock-');
    try {
      let clock = new Date('2026-11-24T10:00:00Z').getTime();
      const store = new JobStore(temp.dir, () => new Date(clock));
      const first = await store.create({ name: 'first', target: 'vpc', profile: 'sandbox' });
      clock -= 48 * HOUR_MS;
      const second = await store.create({ name: 'second', target: 'vpc', profile: 'sandbox' });
      expect(second.id).not.toBe(first.id);
      const listed = await store.list();
      expect(listed.map((job) => job.name).sort()).toEqual(['first', 'second']);
      stats.add('faultsInjected', 1, 'clock -48 h between two job creations');
    } finally {
      await temp.cleanup();
    }
  });
});
