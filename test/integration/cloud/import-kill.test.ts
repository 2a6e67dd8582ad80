import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppContext, type AppContext } from '../../../main/app/context';
import { createCloudSession } from '../../../main/cloud/cloud-session';
import type { Job } from '../../../main/jobs/job';
import { makeTempDir } from '../../helpers/temp-dir';
import { sandboxOfficer } from './job-fixture';
import { makeSourceDisk, sealWithTools } from './sandbox-fixture';

const run = promisify(execFile);
const CLI = ['bin/image-sealer.js'];

/**
 * kill -9 of `image-sealer import` (and `provision`) right after the image (server) was created and
 * checkpointed; `jobs resume` in a new process finishes the job, and IBM (the sandbox, in its own process) saw
 * exactly one create.
 */
describe('kill -9 during import and provision, then jobs resume', () => {
  let work: { dir: string; cleanup: () => Promise<void> };
  let sandbox: ChildProcess;
  let app: AppContext;
  let job: Job;

  beforeAll(async () => {
    work = await makeTempDir('import-kill-');
    sandbox = spawn(process.execPath, [...CLI, 'sandbox', '--json', '--data-dir', work.dir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await new Promise<string>((resolve, reject) => {
      createInterface({ input: sandbox.stdout! }).once('line', resolve);
      sandbox.once('exit', () => reject(new Error('the sandbox exited before printing its endpoints')));
    });
    app = await createAppContext({ dataDir: work.dir, host: 'test' });
    const officer = await sandboxOfficer(app);
    const rootKey = await officer.createRootKey('kill-root');
    const sealed = await sealWithTools('vpc', makeSourceDisk(4 * 1024 * 1024), work.dir, undefined, 'native');
    job = await officer.uploadedJob({
      target: 'vpc',
      name: 'killed import',
      sealed,
      objectKey: 'killed.qcow2',
      rootKey,
    });
  });
  afterAll(async () => {
    if (sandbox && sandbox.exitCode === null) {
      const exited = new Promise((resolve) => sandbox.once('exit', resolve));
      sandbox.kill('SIGTERM');
      await exited;
    }
    await work?.cleanup();
  });

  async function readJob(): Promise<Job> {
    return JSON.parse(await readFile(join(work.dir, 'jobs', `${job.id}.json`), 'utf8')) as Job;
  }

  /** Starts a CLI command and SIGKILLs it as soon as the job record satisfies `ready`. */
  async function killWhen(args: string[], ready: (job: Job) => boolean): Promise<Job> {
    const child = spawn(process.execPath, [...CLI, ...args, '--data-dir', work.dir, '--json'], { stdio: 'ignore' });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      for (let i = 0; i < 600; i += 1) {
        const current = await readJob().catch(() => null);
        if (current && ready(current)) {
          child.kill('SIGKILL');
          await exited;
          return current;
        }
        if (child.exitCode !== null) throw new Error(`${args[0]} finished before it could be killed`);
        await sleep(20);
      }
      throw new Error('the job never reached the state to kill at');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }

  async function resume(): Promise<Record<string, unknown>> {
    const { stdout } = await run(
      process.execPath,
      [...CLI, 'jobs', 'resume', job.id, '--data-dir', work.dir, '--json'],
      { timeout: 120_000 },
    );
    const lines = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    return lines.find((line) => line.event === 'result')!;
  }

  it('resumes an import, then a provision, each killed right after its create, without creating anything twice', async () => {
    await app.jobs.update(job.id, (current) => ({ options: { ...current.options, provision: true } }));
    const afterImport = await killWhen(['import', job.id], (current) => Boolean(current.import?.imageId));
    expect(afterImport.state).toBe('uploaded');
    const imageId = afterImport.import!.imageId;

    // The resume follows the same image to the end, orders the server, and is killed once that is recorded.
    const afterProvision = await killWhen(['jobs', 'resume', job.id], (current) =>
      Boolean(current.provision?.instanceId),
    );
    expect(afterProvision.import?.imageId).toBe(imageId);
    const instanceId = afterProvision.provision!.instanceId;

    const result = await resume();
    expect(result).toMatchObject({
      jobId: job.id,
      state: 'provisioned',
      imageId,
      imageStatus: 'available',
      instanceId,
      instanceStatus: 'running',
    });
    const session = await createCloudSession(app, 'sandbox');
    expect((await session.vpc.findImagesByName('killed-import')).map((image) => image.id)).toEqual([imageId]);
    expect(
      (await session.vpc.findInstancesByName(afterProvision.provision!.name!)).map((instance) => instance.id),
    ).toEqual([instanceId]);
    const audit = (await app.audit.entriesForJob(job.id)).map((entry) => entry.type);
    expect(audit.filter((type) => type === 'import.request')).toHaveLength(1);
    expect(audit.filter((type) => type === 'provision.request')).toHaveLength(1);
  });
});
