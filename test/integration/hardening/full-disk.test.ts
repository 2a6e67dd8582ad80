import { spawnSync } from 'node:child_process';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppContext } from '../../../main/app/context';
import { runCli } from '../../helpers/cli';
import { makeSourceImage, startHardeningRig, type HardeningRig } from '../../helpers/hardening-rig';
import { ReliabilityRecorder } from '../../helpers/hardening-stats';

/**
 * A disk that fills up while sealing: a 12 MiB tmpfs as the `--out` folder, or as the whole data directory,
 * against a 16 MiB incompressible image. The seal fails with SYSTEM_ENOSPC in plain words, leaves no partial
 * file behind, keeps the job resumable, and once the tmpfs is made larger `jobs resume` completes the job.
 * Needs mount(2) (root in CI); skipped with the reason otherwise.
 */
const stats = new ReliabilityRecorder('full-disk');

function tryMount(dir: string, sizeMiB: number): string | null {
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMiB}m,mode=0700`, 'tmpfs', dir], {
    encoding: 'utf8',
  });
  return mounted.status === 0
    ? null
    : (mounted.stderr || mounted.error?.message || `mount exited ${mounted.status}`).trim();
}

function remount(dir: string, sizeMiB: number): void {
  const result = spawnSync('mount', ['-o', `remount,size=${sizeMiB}m`, dir], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`remount failed: ${result.stderr}`);
}

describe('full disk during seal', { timeout: 300_000 }, () => {
  let rig: HardeningRig;
  let source: string;
  const mounts: string[] = [];

  beforeAll(async () => {
    rig = await startHardeningRig();
    source = await makeSourceImage(rig.dir, 'source.raw', 16, 16);
  });
  afterAll(async () => {
    stats.flush();
    for (const dir of mounts) spawnSync('umount', ['-l', dir]);
    await rig?.close();
  });

  /** A 12 MiB tmpfs, or why there cannot be one here. */
  async function smallDisk(name: string): Promise<{ dir: string } | { refusal: string }> {
    const dir = join(rig.dir, name);
    await mkdir(dir, { recursive: true });
    const refusal = tryMount(dir, 12);
    if (refusal !== null) return { refusal };
    mounts.push(dir);
    return { dir };
  }

  it('--out on a full disk: SYSTEM_ENOSPC, nothing left on that disk; resumable once there is room', async (context) => {
    const mounted = await smallDisk('out-disk');
    if ('refusal' in mounted) {
      context.skip(`cannot mount a tmpfs here (${mounted.refusal}): needs root or CAP_SYS_ADMIN`);
      return;
    }
    const disk = mounted.dir;
    const out = join(disk, 'sealed.qcow2');
    const run = await rig.cli([
      'run',
      source,
      '--target',
      'vpc',
      '--name',
      'full-out',
      '--out',
      out,
      '--iter-time',
      '20',
    ]);
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.error?.code).toBe('SYSTEM_ENOSPC');
    expect(String(run.error?.message)).toMatch(/disk is full/i);
    stats.add('faultsInjected', 1, 'ENOSPC on --out');
    expect(await readdir(disk)).toEqual([]);
    const job = (await rig.app.jobs.list()).find((entry) => entry.name === 'full-out')!;
    expect(job.state).toBe('failed');
    expect(job.error?.step).toBe('seal');
    expect(job.seal).toBeUndefined();
    stats.add('failedClearly', 1, 'seal: SYSTEM_ENOSPC (--out)');

    remount(disk, 64);
    const resumed = await rig.cli(['jobs', 'resume', job.id]);
    expect(resumed.result?.state, resumed.stdout + resumed.stderr).toBe('imported');
    expect((await readdir(disk)).sort()).toEqual(['sealed.qcow2', 'sealed.qcow2.manifest.json']);
    expect((await rig.app.audit.verify()).ok).toBe(true);
    stats.add('inputsTried');
    stats.add('resumed', 1, 'after ENOSPC on --out');
  });

  it('the data directory on a full disk: the job record and the audit log survive; resumable once there is room', async (context) => {
    const mounted = await smallDisk('data-disk');
    if ('refusal' in mounted) {
      context.skip(`cannot mount a tmpfs here (${mounted.refusal}): needs root or CAP_SYS_ADMIN`);
      return;
    }
    const disk = mounted.dir;
    // The cloud stays on the rig's data directory; the app's data directory is the small disk.
    const dataDir = join(disk, 'data');
    await mkdir(join(dataDir, 'sandbox'), { recursive: true });
    spawnSync('cp', [join(rig.dataDir, 'sandbox', 'endpoints.json'), join(dataDir, 'sandbox', 'endpoints.json')]);
    const cli = (args: string[]) => runCli([...args, '--data-dir', dataDir, '--json'], { timeoutMs: 240_000 });
    const run = await cli(['run', source, '--target', 'classic-luks', '--name', 'full-data', '--iter-time', '20']);
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.error?.code).toBe('SYSTEM_ENOSPC');
    stats.add('faultsInjected', 1, 'ENOSPC in the data directory');
    const app = await createAppContext({ dataDir, host: 'test' });
    const [job] = await app.jobs.list();
    expect(job?.state).toBe('failed');
    expect(job?.error?.code).toBe('SYSTEM_ENOSPC');
    // no partial sealed file in the job's folder
    const folder = join(dataDir, 'images', job!.id);
    const left = await readdir(folder).catch(() => []);
    expect(left).toEqual([]);
    expect((await app.audit.verify()).ok).toBe(true);
    stats.add('failedClearly', 1, 'seal: SYSTEM_ENOSPC (data directory)');

    remount(disk, 64);
    const resumed = await cli(['jobs', 'resume', job!.id]);
    expect(resumed.result?.state, resumed.stdout + resumed.stderr).toBe('imported');
    expect((await app.audit.verify()).ok).toBe(true);
    stats.add('inputsTried');
    stats.add('resumed', 1, 'after ENOSPC in the data directory');
  });
});
