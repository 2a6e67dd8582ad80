import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog, auditToCsv, canonicalJson } from '../../../main/audit/audit-log';
import { makeTempDir } from '../../helpers/temp-dir';

describe('audit log hash chain', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let log: AuditLog;

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir());
    log = new AuditLog(join(dir, 'audit.log'));
    for (let i = 1; i <= 5; i += 1) await log.append({ type: `step${i}`, jobId: 'job-20260101-abcdef', data: { n: i } });
  });
  afterEach(async () => cleanup());

  const lines = async () => (await readFile(log.path, 'utf8')).split('\n').filter(Boolean);
  const writeLines = (value: string[]) => writeFile(log.path, `${value.join('\n')}\n`);

  it('verifies an untouched log and chains each entry to the one before', async () => {
    const result = await log.verify();
    expect(result).toMatchObject({ ok: true, entries: 5 });
    const entries = await log.entries();
    for (let i = 1; i < entries.length; i += 1) expect(entries[i].prev).toBe(entries[i - 1].hash);
  });

  it('detects an edited line and names it', async () => {
    const all = await lines();
    all[2] = all[2].replace('"n":3', '"n":4');
    await writeLines(all);
    expect(await log.verify()).toMatchObject({ ok: false, firstBadLine: 3, reason: 'content was edited' });
  });

  it('detects a deleted line', async () => {
    const all = await lines();
    all.splice(1, 1);
    await writeLines(all);
    expect(await log.verify()).toMatchObject({ ok: false, firstBadLine: 2 });
  });

  it('detects an inserted line even when it is hashed correctly', async () => {
    const all = await lines();
    const copy = JSON.parse(all[1]) as Record<string, unknown>;
    all.splice(2, 0, JSON.stringify(copy));
    await writeLines(all);
    expect(await log.verify()).toMatchObject({ ok: false, firstBadLine: 3 });
  });

  it('detects reordered lines', async () => {
    const all = await lines();
    [all[3], all[4]] = [all[4], all[3]];
    await writeLines(all);
    expect(await log.verify()).toMatchObject({ ok: false, firstBadLine: 4 });
  });

  it('detects lines cut off the end through the head record', async () => {
    const all = await lines();
    await writeLines(all.slice(0, 3));
    const result = await log.verify();
    expect(result.ok).toBe(false);
    expect(result.firstBadLine).toBe(4);
  });

  it('detects a line that is not JSON', async () => {
    const all = await lines();
    all[0] = '{not json';
    await writeLines(all);
    expect(await log.verify()).toMatchObject({ ok: false, firstBadLine: 1, reason: 'not valid JSON' });
  });

  it('keeps the chain across instances (a restarted process) and concurrent appends', async () => {
    const other = new AuditLog(log.path);
    await Promise.all([other.append({ type: 'a' }), log.append({ type: 'b' }), other.append({ type: 'c' })]);
    expect(await log.verify()).toMatchObject({ ok: true, entries: 8 });
  });

  it('exports CSV with quoted fields', async () => {
    await log.append({ type: 'note', data: { text: 'a, "quoted" value' } });
    const csv = auditToCsv(await log.entries());
    expect(csv.split('\n')[0]).toBe('seq,ts,type,jobId,data,prev,hash');
    expect(csv).toContain('"{""text"":""a, \\""quoted\\"" value""}"');
  });

  it('hashes canonical JSON independent of key order', () => {
    expect(canonicalJson({ b: 1, a: { d: 2, c: [3, { f: 1, e: 2 }] } })).toBe('{"a":{"c":[3,{"e":2,"f":1}],"d":2},"b":1}');
  });
});
