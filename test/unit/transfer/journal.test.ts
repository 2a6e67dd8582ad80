import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isAppError } from '../../../main/common/errors';
import { JournalWriter, readJournal, readJournalHeader } from '../../../main/transfer/journal';

const header = {
  uploadId: 'upload-1',
  bucket: 'b',
  key: 'k.qcow2',
  endpoint: 'http://127.0.0.1:1',
  sourcePath: '/x/k.qcow2',
  sourceSize: 100,
  sourceMtimeMs: 1234.5,
  partSize: 16,
  createdAt: '2026-01-01T00:00:00.000Z',
};
const md5 = (n: number) => n.toString(16).padStart(32, '0');

describe('upload journal', () => {
  let dir: string;
  let path: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'journal-'));
    path = join(dir, 'uploads', 'job.journal');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('is absent until created, then holds the header and every confirmed part', async () => {
    expect(await readJournal(path)).toBeUndefined();
    const writer = await JournalWriter.create(path, header);
    await Promise.all([1, 2, 3].map((n) => writer.appendPart({ partNumber: n, size: 16, md5: md5(n), etag: md5(n) })));
    await writer.close();
    const state = await readJournal(path);
    expect(state?.header).toMatchObject(header);
    expect([...(state?.parts.keys() ?? [])].sort()).toEqual([1, 2, 3]);
    expect(state?.completed).toBeUndefined();
    // one JSON object per line
    const lines = (await readFile(path, 'utf8')).trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
  });

  it('drops a torn last line (kill -9 mid-append) and appends cleanly after it', async () => {
    const writer = await JournalWriter.create(path, header);
    await writer.appendPart({ partNumber: 1, size: 16, md5: md5(1), etag: md5(1) });
    await writer.close();
    await appendFile(path, '{"type":"part","partNumber":2,"si');
    const torn = await readJournal(path);
    expect([...(torn?.parts.keys() ?? [])]).toEqual([1]);

    const reopened = await JournalWriter.reopen(path);
    await reopened.appendPart({ partNumber: 2, size: 16, md5: md5(2), etag: md5(2) });
    await reopened.appendCompleted('etag-2');
    await reopened.close();
    const state = await readJournal(path);
    expect([...(state?.parts.keys() ?? [])]).toEqual([1, 2]);
    expect(state?.completed?.etag).toBe('etag-2');
  });

  it('treats a file holding only a torn header as no journal', async () => {
    await writeFile(path.replace('uploads/', ''), '{"type":"header","vers');
    expect(await readJournal(path.replace('uploads/', ''))).toBeUndefined();
  });

  it('refuses a journal damaged before its last line', async () => {
    const writer = await JournalWriter.create(path, header);
    await writer.close();
    await appendFile(path, 'garbage\n{"type":"part","partNumber":1,"size":16,"md5":"' + md5(1) + '","etag":"e"}\n');
    const error = await readJournal(path).catch((caught: unknown) => caught);
    expect(isAppError(error, 'UPLOAD_JOURNAL_CORRUPT')).toBe(true);
    expect((error as Error).message).toMatch(/line 2/);
    // what the upload was (and which multipart upload to abort) can still be read from its header
    expect(await readJournalHeader(path)).toMatchObject(header);
  });

  it('records a file upload’s profile, and reads older headers without one', async () => {
    const writer = await JournalWriter.create(path, { ...header, profile: 'sandbox' });
    await writer.close();
    expect((await readJournal(path))?.header.profile).toBe('sandbox');
    await writeFile(path, `${JSON.stringify({ type: 'header', version: 1, ...header })}\n`);
    expect((await readJournal(path))?.header.profile).toBeUndefined();
    expect(await readJournalHeader(join(dir, 'none.journal'))).toBeUndefined();
  });
});
