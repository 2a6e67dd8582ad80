import { randomBytes } from 'node:crypto';
import { copyFile, open } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppContext, type AppContext } from '../../../main/app/context';
import { setProvisionChoices } from '../../../main/cloud/cloud-service';
import { createCloudSession } from '../../../main/cloud/cloud-session';
import { isAppError, type AppError } from '../../../main/common/errors';
import { toolAvailable } from '../../../main/common/tools';
import { JobRunner } from '../../../main/jobs/job-runner';
import { STEPS } from '../../../main/jobs/steps';
import { createImportStep } from '../../../main/jobs/steps/import-step';
import { createProvisionStep } from '../../../main/jobs/steps/provision-step';
import type { StepRegistry } from '../../../main/jobs/steps/step';
import { stopInProcessSandboxes } from '../../../main/sandbox/sandbox';
import { TARGETS, type TargetId } from '../../../main/targets';
import { makeTempDir } from '../../helpers/temp-dir';
import { sandboxOfficer, type SandboxOfficer } from './job-fixture';
import { makeSourceDisk, sealWithTools } from './sandbox-fixture';

const hasQemu = await toolAvailable('qemu-img');
const FAST_POLL = { initialDelayMs: 50, maxDelayMs: 250, timeoutMs: 60_000 };

describe.skipIf(!hasQemu)('import and provision steps on the sandbox profile', () => {
  let work: { dir: string; cleanup: () => Promise<void> };
  let app: AppContext;
  let officer: SandboxOfficer;
  let rootKey: { id: string; crn: string };
  let steps: StepRegistry;
  const sealed = new Map<TargetId, Awaited<ReturnType<typeof sealWithTools>>>();

  beforeAll(async () => {
    work = await makeTempDir('import-step-');
    app = await createAppContext({ dataDir: work.dir, host: 'test' });
    officer = await sandboxOfficer(app);
    rootKey = await officer.createRootKey('steps-root');
    steps = {
      ...STEPS,
      import: createImportStep({ session: createCloudSession, poll: FAST_POLL }),
      provision: createProvisionStep({ session: createCloudSession, poll: FAST_POLL }),
    };
    const source = makeSourceDisk(4 * 1024 * 1024);
    sealed.set('vpc', await sealWithTools('vpc', source, work.dir));
    // The classic formats come from the project's writers here (qemu-img made ones are checked in sandbox-registry).
    for (const target of ['classic-luks', 'classic-vhd'] as const) {
      sealed.set(target, await sealWithTools(target, source, work.dir, undefined, 'native'));
    }
  });
  afterAll(async () => {
    await stopInProcessSandboxes();
    await work?.cleanup();
  });

  async function vpcImagesNamed(name: string) {
    const session = await createCloudSession(app, 'sandbox');
    return session.vpc.findImagesByName(name);
  }

  it('imports a vpc job to an available image, records it, and provisions a running instance', async () => {
    const job = await officer.uploadedJob({
      target: 'vpc',
      name: 'Steps VPC',
      sealed: sealed.get('vpc')!,
      objectKey: 'steps-vpc.qcow2',
      rootKey,
    });
    const runner = new JobRunner(app, steps);
    const imported = await runner.run(job.id);
    expect(imported.state).toBe('imported');
    expect(imported.import).toMatchObject({
      api: 'vpc-images',
      imageName: 'steps-vpc',
      status: 'available',
      operatingSystem: 'ubuntu-22-04-amd64',
    });
    expect(imported.import?.finishedAt).toBeTruthy();
    const audit = (await app.audit.entriesForJob(job.id)).map((entry) => entry.type);
    expect(audit).toEqual(
      expect.arrayContaining(['import.request', 'import.image-created', 'import.outcome', 'import.succeeded']),
    );
    const request = (await app.audit.entriesForJob(job.id)).find((entry) => entry.type === 'import.request');
    expect(JSON.stringify(request?.data)).not.toContain(imported.wrap!.wdek.slice(0, 20));

    await setProvisionChoices(app, job.id, {});
    const provisioned = await runner.run(job.id);
    expect(provisioned.state).toBe('provisioned');
    expect(provisioned.provision?.status).toBe('running');
    expect(provisioned.provision?.details).toMatchObject({ zone: 'us-south-1', profile: 'bx2-2x8' });
  });

  for (const target of ['classic-luks', 'classic-vhd'] as const) {
    it(`imports a ${target} job to an active template and provisions a running server`, async () => {
      const key = TARGETS[target].outputName(`steps-${target}`);
      const job = await officer.uploadedJob({
        target,
        name: `Steps ${target}`,
        sealed: sealed.get(target)!,
        objectKey: key,
        rootKey,
      });
      const runner = new JobRunner(app, steps);
      const imported = await runner.run(job.id);
      expect(imported.import).toMatchObject({
        api: 'softlayer-createFromIcos',
        status: 'available',
        operatingSystem: 'UBUNTU_22_64',
      });
      await setProvisionChoices(app, job.id, { cpus: 2, memoryMiB: 4096 });
      const provisioned = await runner.run(job.id);
      expect(provisioned.provision).toMatchObject({
        status: 'running',
        details: { cpus: 2, memoryMiB: 4096, datacenter: 'dal10' },
      });
    });
  }

  it('fails a job whose WDEK was made with another root key, in plain words; after re-wrapping, resume replaces the image', async () => {
    const other = await officer.createRootKey('steps-other-root');
    const job = await officer.uploadedJob({
      target: 'vpc',
      name: 'wrong root',
      sealed: sealed.get('vpc')!,
      objectKey: 'steps-wrong-root.qcow2',
      rootKey,
      wrapKey: other,
    });
    const runner = new JobRunner(app, steps);
    const error = await runner.run(job.id).catch((caught: unknown) => caught);
    expect(isAppError(error, 'IMPORT_FAILED')).toBe(true);
    const failed = await app.jobs.get(job.id);
    expect(failed.state).toBe('failed');
    expect(failed.import?.status).toBe('failed');
    expect(failed.import?.statusReasons.map((reason) => reason.code)).toEqual(['encrypted_data_key_invalid']);
    expect(failed.error?.message).toMatch(/does not unwrap to this image's secret/);
    expect(failed.error?.hint).toMatch(/Re-wrap/);
    const firstImage = failed.import!.imageId;

    // The officer re-wraps the DEK with the key the job names; resume deletes the failed image and imports again.
    const wdek = await officer.wrap(rootKey.id, TARGETS.vpc.wrapPlaintext(sealed.get('vpc')!.dek));
    await app.jobs.update(job.id, (current) => ({
      wrap: { ...current.wrap!, rootKeyId: rootKey.id, rootKeyCrn: rootKey.crn, wdek },
    }));
    const resumed = await runner.run(job.id);
    expect(resumed.state).toBe('imported');
    expect(resumed.import?.imageId).not.toBe(firstImage);
    const images = await vpcImagesNamed('wrong-root');
    expect(images.map((image) => image.id)).toEqual([resumed.import!.imageId]);
  });

  it('fails a job whose object was altered after upload with image_data_corrupted and a clear message', async () => {
    const original = sealed.get('vpc')!;
    const altered = join(work.dir, 'altered-after-upload.qcow2');
    await copyFile(original.path, altered);
    const handle = await open(altered, 'r+');
    const size = (await handle.stat()).size;
    await handle.write(randomBytes(4096), 0, 4096, size - 8192);
    await handle.close();
    const job = await officer.uploadedJob({
      target: 'vpc',
      name: 'altered object',
      sealed: { ...original, path: altered },
      objectKey: 'steps-altered.qcow2',
      rootKey,
    });
    const error = await new JobRunner(app, steps).run(job.id).catch((caught: unknown) => caught);
    expect(isAppError(error, 'IMPORT_FAILED')).toBe(true);
    const failed = await app.jobs.get(job.id);
    expect(failed.import?.statusReasons.map((reason) => reason.code)).toEqual(['image_data_corrupted']);
    expect(failed.error?.message).toMatch(/image_data_corrupted/);
    expect(failed.error?.hint).toMatch(/Upload the sealed image again/);
  });

  it('a crash after the create but before the checkpoint does not create a second image on resume', async () => {
    const job = await officer.uploadedJob({
      target: 'vpc',
      name: 'lost answer',
      sealed: sealed.get('vpc')!,
      objectKey: 'steps-lost.qcow2',
      rootKey,
    });
    const realStep = steps.import;
    const crashing: StepRegistry = {
      ...steps,
      // The process "dies" when it tries to record the image id IBM just returned.
      import: (context) =>
        realStep({
          ...context,
          checkpoint: async () => {
            throw new Error('killed before the checkpoint');
          },
        }),
    };
    await expect(new JobRunner(app, crashing).run(job.id)).rejects.toThrow(/killed/);
    expect((await app.jobs.get(job.id)).import).toBeUndefined();
    expect((await vpcImagesNamed('lost-answer')).length).toBe(1);

    const resumed = await new JobRunner(app, steps).run(job.id);
    expect(resumed.import?.status).toBe('available');
    const images = await vpcImagesNamed('lost-answer');
    expect(images.map((image) => image.id)).toEqual([resumed.import!.imageId]);
    const audit = (await app.audit.entriesForJob(job.id)).map((entry) => entry.type);
    expect(audit.filter((type) => type === 'import.request')).toHaveLength(1);
    expect(audit).toContain('import.image-adopted');
  });

  it('a classic server ordered just before a crash is adopted on resume, not ordered again', async () => {
    const key = TARGETS['classic-luks'].outputName('steps-lost-guest');
    const job = await officer.uploadedJob({
      target: 'classic-luks',
      name: 'lost guest',
      sealed: sealed.get('classic-luks')!,
      objectKey: key,
      rootKey,
    });
    await new JobRunner(app, steps).run(job.id);
    await setProvisionChoices(app, job.id, { hostname: 'lost-guest', domain: 'example.org' });
    const realStep = steps.provision;
    const crashing: StepRegistry = {
      ...steps,
      provision: (context) =>
        realStep({
          ...context,
          checkpoint: async () => {
            throw new Error('killed before the checkpoint');
          },
        }),
    };
    await expect(new JobRunner(app, crashing).run(job.id)).rejects.toThrow(/killed/);
    const resumed = await new JobRunner(app, steps).run(job.id);
    expect(resumed.provision?.status).toBe('running');
    const session = await createCloudSession(app, 'sandbox');
    const guests = await session.softlayer.findGuestsByHostname('lost-guest', 'example.org');
    expect(guests.map((guest) => String(guest.id))).toEqual([resumed.provision!.instanceId]);
    const audit = (await app.audit.entriesForJob(job.id)).map((entry) => entry.type);
    expect(audit.filter((type) => type === 'provision.request')).toHaveLength(1);
    expect(audit).toContain('provision.instance-adopted');
  });

  it('a pause while the image is checked resumes by following the same image', async () => {
    const job = await officer.uploadedJob({
      target: 'vpc',
      name: 'paused import',
      sealed: sealed.get('vpc')!,
      objectKey: 'steps-paused.qcow2',
      rootKey,
    });
    const runner = new JobRunner(app, steps);
    const controller = new AbortController();
    const stop = app.events.on((event) => {
      if (event.type === 'progress' && event.jobId === job.id && event.step === 'import')
        controller.abort(new Error('paused'));
    });
    await expect(runner.run(job.id, { signal: controller.signal })).rejects.toBeTruthy();
    stop();
    const paused = await app.jobs.get(job.id);
    expect(paused.import?.imageId).toBeTruthy();
    const resumed = await runner.run(job.id);
    expect(resumed.import?.imageId).toBe(paused.import?.imageId);
    expect(resumed.import?.status).toBe('available');
    expect((await vpcImagesNamed('paused-import')).length).toBe(1);
  });

  it('refuses an invalid image name before sending anything', async () => {
    const job = await officer.uploadedJob({
      target: 'vpc',
      name: 'bad name',
      sealed: sealed.get('vpc')!,
      objectKey: 'steps-bad.qcow2',
      rootKey,
    });
    await app.jobs.update(job.id, (current) => ({ options: { ...current.options, imageName: 'Bad_Name' } }));
    const error = await new JobRunner(app, steps).run(job.id).catch((caught: unknown) => caught);
    expect(isAppError(error, 'IMAGE_NAME_INVALID')).toBe(true);
    expect((error as AppError).details).toEqual({ name: 'Bad_Name' });
    expect((await app.audit.entriesForJob(job.id)).some((entry) => entry.type === 'import.request')).toBe(false);
  });
});
