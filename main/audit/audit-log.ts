import { createHash } from 'node:crypto';
import { mkdir, open, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { AppError } from '../common/errors';
import { writeFileAtomic } from '../common/atomic-file';
import { waitForLock } from '../common/file-lock';

/**
 * Append-only JSON lines, each carrying the SHA-256 of the previous entry: editing, deleting, inserting or
 * reordering any line breaks the chain at that line. A separate head file records the last sequence number
 * and hash, so cutting lines off the end is detected too.
 */
export interface AuditEntry {
  seq: number;
  ts: string;
  type: string;
  jobId: string | null;
  data: Record<string, unknown>;
  prev: string;
  hash: string;
}

export interface AuditInput {
  type: string;
  jobId?: string | null;
  data?: Record<string, unknown>;
}

export interface AuditVerifyResult {
  ok: boolean;
  entries: number;
  /** 1-based line number of the first bad line */
  firstBadLine?: number;
  reason?: string;
  headHash: string;
}

export const GENESIS_HASH = '0'.repeat(64);

/** Canonical JSON: keys sorted at every level, so the hash does not depend on key order. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record)
    .filter((key) => record[key] !== undefined)
    .sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`).join(',')}}`;
}

export function entryHash(entry: Omit<AuditEntry, 'hash'>): string {
  const { seq, ts, type, jobId, data, prev } = entry;
  return createHash('sha256').update(canonicalJson({ seq, ts, type, jobId, data, prev })).digest('hex');
}

interface Head {
  seq: number;
  hash: string;
}

export class AuditLog {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly headPath: string;
  private readonly lockPath: string;

  constructor(
    readonly path: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.headPath = `${path}.head`;
    this.lockPath = `${path}.lock`;
  }

  /** Appends one entry durably (fsync) and returns it. Serialized in-process and across processes. */
  append(input: AuditInput): Promise<AuditEntry> {
    const run = this.queue.then(() => this.withFileLock(() => this.appendNow(input)));
    this.queue = run.catch(() => undefined);
    return run;
  }

  async entries(): Promise<AuditEntry[]> {
    const text = await readFile(this.path, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return '';
      throw error;
    });
    return text
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => JSON.parse(line) as AuditEntry);
  }

  async entriesForJob(jobId: string): Promise<AuditEntry[]> {
    return (await this.entries()).filter((entry) => entry.jobId === jobId);
  }

  async verify(): Promise<AuditVerifyResult> {
    const text = await readFile(this.path, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return '';
      throw error;
    });
    const lines = text.split('\n');
    if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    let prev = GENESIS_HASH;
    for (let index = 0; index < lines.length; index += 1) {
      const lineNo = index + 1;
      let entry: AuditEntry;
      try {
        entry = JSON.parse(lines[index]) as AuditEntry;
      } catch {
        return { ok: false, entries: index, firstBadLine: lineNo, reason: 'not valid JSON', headHash: prev };
      }
      if (entry.seq !== lineNo) {
        return {
          ok: false,
          entries: index,
          firstBadLine: lineNo,
          reason: `sequence number ${String(entry.seq)} where ${lineNo} was expected (a line was deleted, inserted or moved)`,
          headHash: prev,
        };
      }
      if (entry.prev !== prev) {
        return {
          ok: false,
          entries: index,
          firstBadLine: lineNo,
          reason: 'does not chain to the line before it (a line was deleted, inserted or moved)',
          headHash: prev,
        };
      }
      if (entryHash(entry) !== entry.hash) {
        return { ok: false, entries: index, firstBadLine: lineNo, reason: 'content was edited', headHash: prev };
      }
      prev = entry.hash;
    }
    const head = await this.readHead();
    if (head && (head.seq !== lines.length || head.hash !== prev)) {
      return {
        ok: false,
        entries: lines.length,
        firstBadLine: Math.min(head.seq, lines.length) + 1,
        reason: `the log ends at line ${lines.length} but its head records ${head.seq} entries (lines were removed from the end)`,
        headHash: prev,
      };
    }
    return { ok: true, entries: lines.length, headHash: prev };
  }

  private async appendNow(input: AuditInput): Promise<AuditEntry> {
    const tail = await this.tail();
    const partial: Omit<AuditEntry, 'hash'> = {
      seq: tail.seq + 1,
      ts: this.now().toISOString(),
      type: input.type,
      jobId: input.jobId ?? null,
      data: input.data ?? {},
      prev: tail.hash,
    };
    const entry: AuditEntry = { ...partial, hash: entryHash(partial) };
    await mkdir(dirname(this.path), { recursive: true });
    const handle = await open(this.path, 'a', 0o600);
    try {
      await handle.write(`${JSON.stringify(entry)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await writeFileAtomic(this.headPath, JSON.stringify({ seq: entry.seq, hash: entry.hash }));
    return entry;
  }

  /** The chain's end: from the head file when it matches the log's size, else by reading the last line. */
  private async tail(): Promise<Head> {
    const entries = await this.entries();
    const last = entries[entries.length - 1];
    return last ? { seq: last.seq, hash: last.hash } : { seq: 0, hash: GENESIS_HASH };
  }

  private async readHead(): Promise<Head | null> {
    try {
      return JSON.parse(await readFile(this.headPath, 'utf8')) as Head;
    } catch {
      return null;
    }
  }

  private async withFileLock<T>(work: () => Promise<T>): Promise<T> {
    const lock = await waitForLock(this.lockPath, 10_000);
    if (!lock) {
      throw new AppError('AUDIT_LOCKED', `The audit log is locked by another process (${this.lockPath}).`, {
        hint: 'If no other Image Sealer process is running, delete the lock file.',
      });
    }
    try {
      return await work();
    } finally {
      await lock.release();
    }
  }
}

/** Flat rows for CSV export; `data` becomes one JSON column. */
export function auditToCsv(entries: AuditEntry[]): string {
  const header = ['seq', 'ts', 'type', 'jobId', 'data', 'prev', 'hash'];
  const escape = (value: string): string => (/[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
  const rows = entries.map((entry) =>
    [String(entry.seq), entry.ts, entry.type, entry.jobId ?? '', JSON.stringify(entry.data), entry.prev, entry.hash]
      .map(escape)
      .join(','),
  );
  return `${[header.join(','), ...rows].join('\n')}\n`;
}
