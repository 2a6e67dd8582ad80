import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../../main/api/dispatch';
import { createAppContext, type AppContext } from '../../../main/app/context';
import type { AppEvent } from '../../../main/common/events';
import { SANDBOX_API_KEY, SANDBOX_COS_SECRET_ACCESS_KEY } from '../../../main/sandbox/identity';
import { stopInProcessSandboxes } from '../../../main/sandbox/sandbox';
import type { TargetId } from '../../../main/targets';
import { runCli } from '../../helpers/cli';
import { makeSourceImage, runCliAndKill } from '../../helpers/hardening-rig';
import {
  dekNeedles,
  processCommandLines,
  scanText,
  scanTree,
  textNeedle,
  type SecretHit,
  type SecretNeedle,
} from '../../helpers/hardening-secrets';
import { ReliabilityRecorder } from '../../helpers/hardening-stats';
import { makeTempDir } from '../../helpers/temp-dir';

/**
 * After full sandbox runs of every target with a DEK we brought (so we know it), no form of the DEK, the LUKS
 * passphrase, the sandbox API key or the COS HMAC secret is anywhere a person or another program could read
 * it: the data directory (job records, audit log, settings, temp), new entries of the OS temp folder, the CLI's
 * output (a crashed run's too), every API answer the renderer can ask for, the event stream, and the command
 * lines of the processes the CLI spawns.
 *
 * Each run uses the CLI's own in-process sandbox, as a new user would, so nothing the test wrote is scanned.
 */
const stats = new ReliabilityRecorder('secret-hygiene');

/** API calls the renderer may make that only read (inputs filled in per job). */
function readCalls(jobId: string): Array<[string, Record<string, unknown>]> {
  return [
    ['appInfo', {}],
    ['listJobs', {}],
    ['getJob', { jobId }],
    ['jobTimeline', { jobId }],
    ['runningJobs', {}],
    ['listAudit', { limit: 5000 }],
    ['verifyAudit', {}],
    ['exportAudit', { format: 'json' }],
    ['exportAudit', { format: 'csv' }],
    ['uploadStatus', { jobId }],
    ['listProfiles', {}],
    ['credentialStatus', { profile: 'sandbox' }],
    ['listRootKeys', { profile: 'sandbox' }],
  ];
}

describe('secret hygiene after full sandbox runs', { timeout: 300_000 }, () => {
  let work: { dir: string; cleanup: () => Promise<void> };
  let source: string;
  const tempBefore = new Set<string>();
  const hits: SecretHit[] = [];
  const dataDirs: string[] = [];
  let needles: SecretNeedle[] = [];
  const outputs: Array<{ where: string; text: string }> = [];
  const commandLines = new Map<string, string[]>();

  beforeAll(async () => {
    for (const name of readdirSync(tmpdir())) tempBefore.add(name);
    work = await makeTempDir('hardening-secrets-');
    source = await makeSourceImage(work.dir, 'source.raw', 8, 4);
    needles = [
      textNeedle('sandbox API key', SANDBOX_API_KEY),
      textNeedle('COS HMAC secret', SANDBOX_COS_SECRET_ACCESS_KEY),
    ];
  });
  afterAll(async () => {
    stats.flush();
    await stopInProcessSandboxes();
    await work?.cleanup();
  });

  /** Polls /proc while `during` runs, keeping every command line seen (spawned tools live for milliseconds). */
  async function watchProcesses<T>(during: Promise<T>): Promise<T> {
    let done = false;
    const settled = new Map<string, string>();
    const poller = (async () => {
      while (!done) {
        for (const process of await processCommandLines(settled))
          commandLines.set(`${process.pid}:${process.cmdline.join(' ')}`, process.cmdline);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    try {
      return await during;
    } finally {
      done = true;
      await poller;
    }
  }

  async function newDek(target: TargetId, size: number): Promise<string> {
    const dek = randomBytes(size);
    const file = join(work.dir, `${target}.dek`);
    await writeFile(file, dek, { mode: 0o600 });
    needles.push(...dekNeedles(dek, `${target} DEK`));
    return file;
  }

  async function apiAnswers(app: AppContext, jobId: string): Promise<void> {
    for (const [name, input] of readCalls(jobId)) {
      const answer = await dispatch(app, name, input);
      expect(answer.ok, `${name}: ${JSON.stringify(answer)}`).toBe(true);
      outputs.push({ where: `API ${name}`, text: JSON.stringify(answer) });
    }
  }

  // where each run is killed: vpc while wrapping (its qemu-img seal is not repeated), classic-vhd while verifying
  for (const [target, dekSize, engine, crashAt] of [
    ['vpc', 32, 'qemu', (line: Record<string, unknown>) => line.step === 'wrap'],
    ['classic-vhd', 64, 'native', (line: Record<string, unknown>) => line.step === 'seal' && line.phase === 'verify'],
  ] as const) {
    it(`${target} (${engine} engine) through the CLI, with a crash in the middle`, async () => {
      const dataDir = join(work.dir, `data-${target}`);
      dataDirs.push(dataDir);
      const dekFile = await newDek(target, dekSize);
      const args = [
        'run',
        source,
        '--target',
        target,
        '--engine',
        engine,
        '--dek-file',
        dekFile,
        '--iter-time',
        '20',
        '--data-dir',
        dataDir,
      ];
      // a crash while the DEK is in use: whatever the dying process printed is scanned too
      const crashed = await watchProcesses(runCliAndKill(args, (line) => line.event === 'progress' && crashAt(line)));
      expect(crashed.killed).toBe(true);
      outputs.push(
        { where: `${target} crashed run stdout`, text: crashed.stdout },
        { where: `${target} crashed run stderr`, text: crashed.stderr },
      );
      const app = await createAppContext({ dataDir, host: 'test' });
      const [job] = await app.jobs.list();
      expect(job).toBeDefined();
      const resumed = await watchProcesses(
        runCli(['jobs', 'resume', job!.id, '--data-dir', dataDir, '--json'], { timeoutMs: 240_000 }),
      );
      expect(resumed.result?.state, resumed.stdout + resumed.stderr).toBe('imported');
      outputs.push(
        { where: `${target} stdout`, text: resumed.stdout },
        { where: `${target} stderr`, text: resumed.stderr },
      );
      await apiAnswers(app, job!.id);
      stats.add('inputsTried');
    });
  }

  it('classic-luks through the API (what the renderer does), with every event it would receive', async () => {
    const dataDir = join(work.dir, 'data-classic-luks');
    dataDirs.push(dataDir);
    const dekFile = await newDek('classic-luks', 32);
    const app = await createAppContext({ dataDir, host: 'test' });
    const events: AppEvent[] = [];
    app.events.on((event) => events.push(event));
    const created = await dispatch(app, 'createJob', { sourcePath: source, target: 'classic-luks', iterTimeMs: 20 });
    expect(created.ok, JSON.stringify(created)).toBe(true);
    const jobId = (created as { value: { id: string } }).value.id;
    // the API has no --dek-file; the job record's option is how the CLI passes it
    await app.jobs.update(jobId, (job) => ({ options: { ...job.options, dekFile } }));
    const finished = new Promise<string>((resolve) => {
      app.events.on((event) => {
        if (
          event.type === 'job-updated' &&
          event.jobId === jobId &&
          (event.state === 'imported' || event.state === 'failed')
        )
          resolve(event.state);
      });
    });
    const started = await dispatch(app, 'runJob', { jobId });
    expect(started).toEqual({ ok: true, value: { started: true } });
    expect(await watchProcesses(finished)).toBe('imported');
    outputs.push({ where: 'events', text: JSON.stringify(events) });
    await apiAnswers(app, jobId);
    stats.add('inputsTried');
  });

  it('finds none of the secrets anywhere', async () => {
    expect(dataDirs).toHaveLength(3);
    expect(needles.length).toBeGreaterThan(20);
    // control: the scan does find the DEKs where they are meant to be (the files we brought them in)
    const control = await scanTree([work.dir], needles, (path) => path.includes('/data-'));
    expect(control.hits.filter((hit) => hit.label.endsWith('(raw)')).length).toBe(3);
    // the data directories: job records, audit log, settings, sealed output, the sandbox's own state
    const inData = await scanTree(dataDirs, needles);
    expect(inData.filesScanned).toBeGreaterThan(10);
    hits.push(...inData.hits);
    // New entries of the OS temp folder (not this test's own folder, which holds the DEK files). Only the DEKs
    // are looked for there: they exist only at run time, whereas the sandbox's fixed API key and HMAC secret are
    // constants in the source, so every transpiler cache (vite, tsx) other processes write there holds them.
    const dekOnly = needles.filter((needle) => needle.label.includes('DEK'));
    const newTemp = readdirSync(tmpdir())
      .filter((name) => !tempBefore.has(name))
      .map((name) => join(tmpdir(), name))
      .filter((path) => path !== work.dir);
    const inTemp = await scanTree(newTemp, dekOnly);
    hits.push(...inTemp.hits);
    for (const output of outputs) hits.push(...scanText(output.text, output.where, needles));
    // process arguments of everything that ran meanwhile (qemu-img included)
    const qemu = [...commandLines.values()].filter((cmdline) => cmdline.some((part) => part.includes('qemu-img')));
    expect(qemu.length, 'no qemu-img process was seen: the argument check proved nothing').toBeGreaterThan(0);
    for (const [key, cmdline] of commandLines)
      hits.push(...scanText(cmdline.join('\0'), `cmdline of ${key.split(':')[0]}`, needles));

    stats.add('secretScans', inData.filesScanned + inTemp.filesScanned + outputs.length + commandLines.size);
    stats.add('secretsFound', hits.length, hits.map((hit) => `${hit.label} in ${hit.where}`).join('; ') || undefined);
    expect(hits).toEqual([]);
  });
});
