/**
 * Pure formatting of what the app measures (sizes, rates, durations, dates, progress) for a person in their
 * language. No React, no DOM: unit-tested in test/unit/renderer.
 */

export interface ProgressLike {
  phase: string;
  bytesDone: number;
  bytesTotal: number;
  rate: number;
  eta: number | null;
}

const BINARY_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;

/** Sizes in binary units (what disks and qemu-img report), the number localized: "1,5 GiB" in Spanish. */
export function formatBytes(bytes: number, locale: string): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < BINARY_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 ? 0 : value < 10 ? 2 : value < 100 ? 1 : 0;
  const number = new Intl.NumberFormat(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(
    value,
  );
  return `${number} ${BINARY_UNITS[unit]}`;
}

export function formatRate(bytesPerSecond: number, locale: string): string {
  if (!Number.isFinite(bytesPerSecond) || bytesPerSecond <= 0) return '—';
  return `${formatBytes(bytesPerSecond, locale)}/s`;
}

/** A fraction 0..1 as a whole or one-decimal percentage in the locale's style ("42 %" in Spanish). */
export function formatPercent(fraction: number, locale: string): string {
  const clamped = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: clamped < 0.1 ? 1 : 0 }).format(
    clamped,
  );
}

/** Remaining time as h:mm:ss or m:ss; unknown or infinite becomes a dash rather than a made-up number. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '—';
  const total = Math.round(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

export function formatDateTime(iso: string | undefined, locale: string): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '—';
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'medium' }).format(date);
}

/** "3 minutes ago" / "hace 3 minutos" / "3 minuti fa", choosing the largest unit that fits. */
export function formatRelativeTime(iso: string | undefined, locale: string, now: number): string {
  if (!iso) return '—';
  const then = new Date(iso).getTime();
  if (Number.isNaN(then)) return '—';
  const seconds = Math.round((then - now) / 1000);
  const format = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  const abs = Math.abs(seconds);
  if (abs < 45) return format.format(seconds, 'second');
  if (abs < 45 * 60) return format.format(Math.round(seconds / 60), 'minute');
  if (abs < 22 * 3600) return format.format(Math.round(seconds / 3600), 'hour');
  if (abs < 26 * 86400) return format.format(Math.round(seconds / 86400), 'day');
  if (abs < 320 * 86400) return format.format(Math.round(seconds / (30 * 86400)), 'month');
  return format.format(Math.round(seconds / (365 * 86400)), 'year');
}

export function formatInteger(value: number, locale: string): string {
  return new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }).format(value);
}

export function progressFraction(progress: ProgressLike): number {
  if (progress.bytesTotal <= 0) return 0;
  return Math.min(1, Math.max(0, progress.bytesDone / progress.bytesTotal));
}

export interface ProgressWords {
  percent: string;
  done: string;
  total: string;
  rate: string;
  eta: string;
  /** 0..100 for a progress bar */
  value: number;
}

/** Everything a progress bar shows, already in the person's language. */
export function describeProgress(progress: ProgressLike, locale: string): ProgressWords {
  const fraction = progressFraction(progress);
  return {
    percent: formatPercent(fraction, locale),
    done: formatBytes(progress.bytesDone, locale),
    total: formatBytes(progress.bytesTotal, locale),
    rate: formatRate(progress.rate, locale),
    eta: fraction >= 1 ? formatDuration(0) : formatDuration(progress.eta),
    value: Math.round(fraction * 1000) / 10,
  };
}

/** A long hex digest or id shortened for a table cell: first 12 … last 4. The full value stays in a title. */
export function shortDigest(value: string | undefined, head = 12, tail = 4): string {
  if (!value) return '—';
  return value.length <= head + tail + 1 ? value : `${value.slice(0, head)}…${value.slice(-tail)}`;
}

export type PartState = 'pending' | 'active' | 'done' | 'failed';

/** The per-part strip of an upload from the progress event's `detail`, tolerant of what the engine sends. */
export function partStates(detail: Record<string, unknown> | undefined): PartState[] {
  if (!detail) return [];
  const parts = detail.parts;
  // The transfer engine's compact form: one character per part (see main/api/contract/transfer.ts).
  if (typeof parts === 'string') {
    return [...parts].map((char): PartState =>
      char === '#' ? 'done' : char === '>' || char === 'r' ? 'active' : char === '!' ? 'failed' : 'pending',
    );
  }
  if (Array.isArray(parts)) {
    return parts.map((part): PartState => {
      const state =
        typeof part === 'string'
          ? part
          : typeof part === 'object' && part !== null
            ? (part as { state?: unknown }).state
            : undefined;
      if (state === 'done' || state === 'confirmed' || state === 'uploaded' || state === 'skipped') return 'done';
      if (state === 'active' || state === 'uploading' || state === 'sending' || state === 'running') return 'active';
      if (state === 'failed' || state === 'error' || state === 'retrying') return 'failed';
      return 'pending';
    });
  }
  const count =
    typeof detail.partCount === 'number' ? detail.partCount : typeof detail.parts === 'number' ? detail.parts : 0;
  if (count <= 0 || count > 10_000) return [];
  const done = new Set(
    Array.isArray(detail.doneParts)
      ? (detail.doneParts as unknown[]).filter((n): n is number => typeof n === 'number')
      : [],
  );
  const active = new Set(
    Array.isArray(detail.activeParts)
      ? (detail.activeParts as unknown[]).filter((n): n is number => typeof n === 'number')
      : [],
  );
  const result: PartState[] = [];
  for (let part = 1; part <= count; part += 1)
    result.push(done.has(part) ? 'done' : active.has(part) ? 'active' : 'pending');
  return result;
}
