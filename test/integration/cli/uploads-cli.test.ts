import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transferIdFor } from '../../../main/transfer/file-uploads';
import { CLI, REPO_ROOT, parseJsonLines, runCli } from '../../helpers/cli';
import { BUCKET, MIB, randomFile, sha256File } from '../transfer/helpers';

/**
 * `image-sealer uploads …` as a script runs it, each command its own process on one data folder, against the
 * sandbox COS (s3rver over HTTP): a send stopped by Ctrl-C or kill -9 is listed by the next process, resumed to
 * the same bytes, or discarded with its parts.
 */
describe('image-sealer uploads (sandbox COS, separate processes)', () => {
  let dir: string;
  let dataDir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'uploads-cli-'));
    dataDir = join(dir, 'home');
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  const cli = (...args: string[]) => runCli(['--json', '--data-dir', dataDir, 'uploads', ...args]);
  const journalOf = (transferId: string) => join(dataDir, 'uploads', `${transferId}.journal`);
  const cosBucketDir = () => join(dataDir, 'sandbox', 'cos', BUCKET);

  async function confirmedParts(journal: string): Promise<number> {
    const text = await readFile(journal, 'utf8').catch(() => '');
    return text.split('\n').filter((line) => line.startsWith('{"type":"part"')).length;
  }

  /** Starts a throttled send and stops it with `signal` once its journal confirmed `parts` parts. */
  async function sendStoppedAfter(file: string, parts: number, signal: NodeJS.Signals) {
    const child = spawn(
      process.execPath,
      [
        CLI,
        '--json',
        '--data-dir',
        dataDir,
        'uploads',
        'send',
        file,
        '--limit-rate',
        '2',
        '--part-size',
        '5',
        '--concurrency',
        '1',
      ],
      { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('exit', (code, killedBy) => resolve({ code, signal: killedBy })),
    );
    const transferId = transferIdFor(file, 'sandbox', BUCKET, file.split('/').at(-1)!);
    const deadline = Date.now() + 60_000;
    while ((await confirmedParts(journalOf(transferId))) < parts) {
      if (Date.now() > deadline) throw new Error(`no ${parts} parts confirmed within a minute: ${stdout}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    child.kill(signal);
    const exit = await exited;
    return { transferId, exit, lines: parseJsonLines(stdout) };
  }

  it('Ctrl-C keeps the confirmed parts; the next process lists the upload and resumes it to the same bytes', async () => {
    const file = await randomFile(dir, 'sealed-a.qcow2', 16 * MIB + 7);
    const stopped = await sendStoppedAfter(file, 2, 'SIGINT');
    expect(stopped.exit.code).toBe(1);
    const error = stopped.lines.find((line) => line.event === 'error');
    expect(error).toMatchObject({ code: 'INTERRUPTED' });
    expect(String(error?.hint)).toContain(`image-sealer uploads resume ${stopped.transferId}`);

    const listed = await cli('list');
    expect(listed.code).toBe(0);
    const upload = (listed.result?.uploads as Array<Record<string, unknown>>).find(
      (entry) => entry.transferId === stopped.transferId,
    );
    expect(upload).toMatchObject({
      state: 'interrupted',
      path: file,
      profile: 'sandbox',
      objectKey: 'sealed-a.qcow2',
      bytesTotal: 16 * MIB + 7,
    });
    expect(Number(upload?.bytesConfirmed)).toBeGreaterThanOrEqual(10 * MIB);

    const resumed = await cli('resume', stopped.transferId, '--concurrency', '2', '--limit-rate', '50');
    expect(resumed.code).toBe(0);
    expect(resumed.result).toMatchObject({ transferId: stopped.transferId, verified: true, size: 16 * MIB + 7 });
    expect(Number(resumed.result?.resumedParts)).toBeGreaterThanOrEqual(2);
    expect(await sha256File(join(cosBucketDir(), 'sealed-a.qcow2._S3rver_object'))).toBe(await sha256File(file));
    expect(existsSync(journalOf(stopped.transferId))).toBe(false);
    expect((await cli('list')).result?.uploads).toEqual([]);
  });

  it('after kill -9, discard aborts the multipart upload in COS and forgets the upload', async () => {
    const file = await randomFile(dir, 'sealed-b.qcow2', 16 * MIB);
    const stopped = await sendStoppedAfter(file, 1, 'SIGKILL');
    expect(stopped.exit.signal).toBe('SIGKILL');
    const uploadId = (
      JSON.parse((await readFile(journalOf(stopped.transferId), 'utf8')).split('\n')[0]!) as { uploadId: string }
    ).uploadId;
    expect(await readdir(join(cosBucketDir(), '._S3rver_uploads'))).toContain(uploadId);

    const discarded = await cli('discard', stopped.transferId);
    expect(discarded.code).toBe(0);
    expect(discarded.result).toEqual({ event: 'result', transferId: stopped.transferId, multipart: 'aborted' });
    expect(await readdir(join(cosBucketDir(), '._S3rver_uploads'))).not.toContain(uploadId);
    expect(existsSync(journalOf(stopped.transferId))).toBe(false);

    const again = await cli('resume', stopped.transferId);
    expect(again.code).toBe(1);
    expect(again.error).toMatchObject({ code: 'UPLOAD_NOT_FOUND' });
  });

  it('names what is wrong: not a transfer id, a file that is not there', async () => {
    const tooMany = await cli('resume', 'upl-0123456789abcdef', '--concurrency', '65');
    expect(tooMany.code).toBe(2);
    expect(tooMany.error).toMatchObject({ code: 'USAGE' });
    const notAnId = await cli('discard', 'upl-zz');
    expect(notAnId.code).toBe(2);
    expect(notAnId.error).toMatchObject({ code: 'USAGE' });
    const missing = await cli('send', join(dir, 'no-such.qcow2'));
    expect(missing.code).toBe(1);
    expect(missing.error).toMatchObject({ code: 'UPLOAD_SOURCE_MISSING' });
  });
});
