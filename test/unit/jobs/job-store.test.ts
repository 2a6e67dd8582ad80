import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JobStore } from '../../../main/jobs/job-store';
import { defaultJobName } from '../../../main/jobs/job-service';
import { makeTempDir } from '../../helpers/temp-dir';

describe('job store', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let store: JobStore;

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir());
    store = new JobStore(join(dir, 'jobs'));
  });
  afterEach(async () => cleanup());

  it('creates, reads, lists and updates jobs atomically', async () => {
    const a = await store.create({ name: 'a', target: 'vpc', profile: 'sandbox' });
    const b = await store.create({ name: 'b', target: 'classic-vhd', profile: 'sandbox' });
    expect(a.id).toMatch(/^job-\d{8}-[0-9a-f]{8}$/);
    expect((await store.list()).map((job) => job.id).sort()).toEqual([a.id, b.id].sort());
    const updates = await Promise.all([1, 2, 3].map((n) => store.update(a.id, () => ({ name: `a${n}` }))));
    expect(updates.at(-1)?.name).toBe('a3');
    expect((await store.get(a.id)).name).toBe('a3');
    expect((await readdir(join(dir, 'jobs'))).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses unknown and malformed ids without touching the filesystem outside its folder', async () => {
    await expect(store.get('job-unknown00')).rejects.toMatchObject({ code: 'JOB_NOT_FOUND' });
    await expect(store.get('../../etc/passwd')).rejects.toMatchObject({ code: 'JOB_NOT_FOUND' });
  });

  it('reports a damaged record clearly', async () => {
    const job = await store.create({ name: 'a', target: 'vpc', profile: 'sandbox' });
    await writeFile(join(dir, 'jobs', `${job.id}.json`), JSON.stringify({ id: job.id, state: 'bogus' }));
    await expect(store.get(job.id)).rejects.toMatchObject({ code: 'JOB_RECORD_INVALID' });
  });

  it('derives image names that follow VPC naming rules', () => {
    expect(defaultJobName('/x/Ubuntu 22.04 Server.qcow2')).toBe('ubuntu-22-04-server');
    expect(defaultJobName('/x/1234.raw')).toBe('image-1234');
    expect(defaultJobName('/x/centos.vhd-0.vhd')).toBe('centos');
  });
});
