import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './cli';

/**
 * What a hardening test file tried and saw, written to `.test-artifacts/reliability/<suite>.json` so that
 * `npm run test:reliability` can total them. Counted only when the test observed it, never assumed.
 */
export interface ReliabilityCounts {
  inputsTried: number;
  faultsInjected: number;
  resumed: number;
  failedClearly: number;
  refused: number;
  secretScans: number;
  secretsFound: number;
}

export const RELIABILITY_DIR = join(REPO_ROOT, '.test-artifacts', 'reliability');

export class ReliabilityRecorder {
  readonly counts: ReliabilityCounts = {
    inputsTried: 0,
    faultsInjected: 0,
    resumed: 0,
    failedClearly: 0,
    refused: 0,
    secretScans: 0,
    secretsFound: 0,
  };
  readonly events: string[] = [];

  constructor(private readonly suite: string) {}

  add(key: keyof ReliabilityCounts, amount = 1, note?: string): void {
    this.counts[key] += amount;
    if (note) this.events.push(`${key}: ${note}`);
  }

  /** Writes the file (call in afterAll; it is rewritten whole each time). */
  flush(): void {
    mkdirSync(RELIABILITY_DIR, { recursive: true });
    writeFileSync(
      join(RELIABILITY_DIR, `${this.suite}.json`),
      `${JSON.stringify({ suite: this.suite, writtenAt: new Date().toISOString(), counts: this.counts, events: this.events }, null, 2)}\n`,
    );
  }
}
