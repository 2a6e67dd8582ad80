import { describe, expect, it } from 'vitest';
import {
  describeProgress,
  formatBytes,
  formatDateTime,
  formatDuration,
  formatPercent,
  formatRate,
  formatRelativeTime,
  partStates,
  progressFraction,
  shortDigest,
} from '../../../renderer/src/format/format';

describe('formatBytes', () => {
  it('uses binary units with the locale’s decimal separator', () => {
    expect(formatBytes(0, 'en')).toBe('0 B');
    expect(formatBytes(1023, 'en')).toBe('1,023 B');
    expect(formatBytes(1536, 'en')).toBe('1.50 KiB');
    expect(formatBytes(1536, 'es')).toBe('1,50 KiB');
    expect(formatBytes(1536, 'it')).toBe('1,50 KiB');
    expect(formatBytes(2 * 1024 ** 3, 'en')).toBe('2.00 GiB');
    expect(formatBytes(250 * 1024 ** 3, 'es')).toBe('250 GiB');
    expect(formatBytes(12.5 * 1024 ** 2, 'it')).toBe('12,5 MiB');
  });

  it('says nothing made up for impossible sizes', () => {
    expect(formatBytes(-1, 'en')).toBe('—');
    expect(formatBytes(Number.NaN, 'en')).toBe('—');
  });
});

describe('rates, percentages and durations', () => {
  it('formats rates per second and hides a zero rate', () => {
    expect(formatRate(100 * 1024 ** 2, 'en')).toBe('100 MiB/s');
    expect(formatRate(0, 'en')).toBe('—');
  });

  it('formats percentages per locale and clamps them', () => {
    expect(formatPercent(0.42, 'en')).toBe('42%');
    expect(formatPercent(0.42, 'es')).toMatch(/^42\s%$/);
    expect(formatPercent(0.42, 'it')).toBe('42%');
    expect(formatPercent(0.055, 'en')).toBe('5.5%');
    expect(formatPercent(1.5, 'en')).toBe('100%');
    expect(formatPercent(-1, 'en')).toBe('0%');
  });

  it('formats remaining time as m:ss or h:mm:ss, unknown as a dash', () => {
    expect(formatDuration(0)).toBe('0:00');
    expect(formatDuration(59.6)).toBe('1:00');
    expect(formatDuration(125)).toBe('2:05');
    expect(formatDuration(3 * 3600 + 7 * 60 + 9)).toBe('3:07:09');
    expect(formatDuration(null)).toBe('—');
    expect(formatDuration(Number.POSITIVE_INFINITY)).toBe('—');
  });
});

describe('dates', () => {
  const iso = '2026-03-05T14:07:00.000Z';
  it('formats dates in the person’s language', () => {
    expect(formatDateTime(iso, 'en')).toMatch(/Mar/);
    expect(formatDateTime(iso, 'es')).toMatch(/mar/);
    expect(formatDateTime(iso, 'it')).toMatch(/mar/);
    expect(formatDateTime(undefined, 'en')).toBe('—');
    expect(formatDateTime('not a date', 'en')).toBe('—');
  });

  it('says how long ago in words of each language', () => {
    const now = Date.parse(iso) + 3 * 60_000;
    expect(formatRelativeTime(iso, 'en', now)).toBe('3 minutes ago');
    expect(formatRelativeTime(iso, 'es', now)).toBe('hace 3 minutos');
    expect(formatRelativeTime(iso, 'it', now)).toBe('3 minuti fa');
    expect(formatRelativeTime(iso, 'en', Date.parse(iso) + 2 * 86_400_000)).toBe('2 days ago');
  });
});

describe('progress', () => {
  it('describes a progress event with every figure a bar shows', () => {
    const words = describeProgress(
      { phase: 'seal', bytesDone: 512 * 1024 ** 2, bytesTotal: 1024 ** 3, rate: 200 * 1024 ** 2, eta: 2.6 },
      'en',
    );
    expect(words).toEqual({
      percent: '50%',
      done: '512 MiB',
      total: '1.00 GiB',
      rate: '200 MiB/s',
      eta: '0:03',
      value: 50,
    });
  });

  it('never divides by zero and clamps overshoot', () => {
    expect(progressFraction({ phase: 'x', bytesDone: 5, bytesTotal: 0, rate: 0, eta: null })).toBe(0);
    expect(progressFraction({ phase: 'x', bytesDone: 15, bytesTotal: 10, rate: 0, eta: null })).toBe(1);
    expect(describeProgress({ phase: 'x', bytesDone: 10, bytesTotal: 10, rate: 0, eta: null }, 'en').eta).toBe('0:00');
  });

  it('reads an upload’s per-part states from either detail shape', () => {
    expect(partStates({ parts: ['done', { state: 'uploading' }, 'pending', { state: 'retrying' }] })).toEqual([
      'done',
      'active',
      'pending',
      'failed',
    ]);
    expect(partStates({ partCount: 4, doneParts: [1, 3], activeParts: [2] })).toEqual([
      'done',
      'active',
      'done',
      'pending',
    ]);
    expect(partStates({ parts: '##>r!..' })).toEqual(['done', 'done', 'active', 'active', 'failed', 'pending', 'pending']);
    expect(partStates(undefined)).toEqual([]);
    expect(partStates({ partCount: 1e9 })).toEqual([]);
  });

  it('shortens digests but keeps short values whole', () => {
    expect(shortDigest('a'.repeat(64))).toBe(`${'a'.repeat(12)}…aaaa`);
    expect(shortDigest('abc')).toBe('abc');
    expect(shortDigest(undefined)).toBe('—');
  });
});
