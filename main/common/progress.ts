/** The one progress shape every long operation reports; pure functions turn it into words. */
export interface Progress {
  phase: string;
  bytesDone: number;
  bytesTotal: number;
  /** bytes per second, smoothed */
  rate: number;
  /** seconds remaining, or null when unknown */
  eta: number | null;
  /** optional extra detail, e.g. per-part state of an upload */
  detail?: Record<string, unknown>;
}

export type ProgressListener = (progress: Progress) => void;

/**
 * Tracks rate with an exponentially weighted moving average so a burst does not swing the ETA,
 * and throttles reports to at most one per `intervalMs` (plus the final one).
 */
export class ProgressMeter {
  private lastReportAt = 0;
  private lastSampleAt: number;
  private lastSampleBytes = 0;
  private smoothedRate = 0;
  private bytesDone = 0;

  constructor(
    private readonly phase: string,
    private readonly bytesTotal: number,
    private readonly listener: ProgressListener | undefined,
    private readonly intervalMs = 250,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.lastSampleAt = now();
  }

  add(bytes: number, detail?: Record<string, unknown>): void {
    this.set(this.bytesDone + bytes, detail);
  }

  set(bytesDone: number, detail?: Record<string, unknown>): void {
    this.bytesDone = bytesDone;
    const t = this.now();
    const dt = (t - this.lastSampleAt) / 1000;
    if (dt >= 0.2) {
      const instant = (bytesDone - this.lastSampleBytes) / dt;
      this.smoothedRate = this.smoothedRate === 0 ? instant : this.smoothedRate * 0.7 + instant * 0.3;
      this.lastSampleAt = t;
      this.lastSampleBytes = bytesDone;
    }
    if (t - this.lastReportAt >= this.intervalMs) {
      this.lastReportAt = t;
      this.emit(detail);
    }
  }

  /** Like `set`, but never moves back: for work whose pieces finish out of order. */
  advanceTo(bytesDone: number, detail?: Record<string, unknown>): void {
    if (bytesDone > this.bytesDone) this.set(bytesDone, detail);
  }

  finish(detail?: Record<string, unknown>): void {
    this.bytesDone = this.bytesTotal;
    this.emit(detail);
  }

  snapshot(detail?: Record<string, unknown>): Progress {
    const remaining = Math.max(0, this.bytesTotal - this.bytesDone);
    const eta = this.smoothedRate > 0 ? remaining / this.smoothedRate : remaining === 0 ? 0 : null;
    const progress: Progress = {
      phase: this.phase,
      bytesDone: this.bytesDone,
      bytesTotal: this.bytesTotal,
      rate: this.smoothedRate,
      eta,
    };
    if (detail) progress.detail = detail;
    return progress;
  }

  private emit(detail?: Record<string, unknown>): void {
    this.listener?.(this.snapshot(detail));
  }
}
