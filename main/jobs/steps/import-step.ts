import { createHash } from 'node:crypto';
import { formatCosHref, vpcNameFrom, vpcNameProblem } from '../../cloud/cloud-names';
import { createCloudSession, type CloudSession, type CloudSessionFactory } from '../../cloud/cloud-session';
import { SANDBOX_POLL, type PollOptions } from '../../cloud/poll';
import { templateFailureReasons, templateStatus, type ImageTemplate } from '../../cloud/softlayer-client';
import { importFailedError } from '../../cloud/status-reasons';
import type { VpcImage } from '../../cloud/vpc-client';
import { AppError } from '../../common/errors';
import { targetSpec } from '../../targets';
import type { ImportRecord, Job, UploadRecord, WrapRecord } from '../job';
import type { StepContext, StepRunner } from './step';

/**
 * The import step: VPC custom image (target vpc) or classic image template (classic-*), from the uploaded
 * object, the WDEK and the root key CRN. The image id is checkpointed the moment IBM returns it, so a crash
 * or kill followed by resume only follows that image; nothing is created twice. An image that ends `failed`
 * fails the step with IBM's reason in plain words; resuming after fixing the cause replaces it.
 */
export interface ImportStepDeps {
  session: CloudSessionFactory;
  poll?: Partial<Omit<PollOptions, 'what' | 'signal'>>;
}

function requireInputs(job: Job): { upload: UploadRecord; wrap: WrapRecord } {
  if (!job.upload || !job.wrap) {
    throw new AppError(
      'JOB_NOT_READY',
      `Job ${job.id} has no ${job.upload ? 'wrapped key' : 'uploaded object'} to import yet.`,
      {
        hint: `Run "image-sealer jobs resume ${job.id}" to finish the earlier steps first.`,
      },
    );
  }
  return { upload: job.upload, wrap: job.wrap };
}

function statusProgress(context: StepContext, status: string, detail: Record<string, unknown>): void {
  context.progress({
    phase: `import: ${status}`,
    bytesDone: 0,
    bytesTotal: 0,
    rate: 0,
    eta: null,
    detail: { status, ...detail },
  });
}

/** The job's image name: chosen with --name, or made from the job's name. */
export function importImageName(job: Job): string {
  return job.options.imageName ?? vpcNameFrom(job.name);
}

function operatingSystemFor(job: Job, session: CloudSession, kind: 'vpc' | 'classic'): string {
  const chosen =
    job.options.operatingSystem ??
    (kind === 'vpc' ? session.defaults.vpcOperatingSystem : session.defaults.classicOperatingSystem);
  if (!chosen) {
    throw new AppError('IMPORT_OS_MISSING', 'The operating system of the image is not set.', {
      hint: `List the choices with "image-sealer os list --profile ${session.profileName}", then run "image-sealer import ${job.id} --os NAME".`,
    });
  }
  return chosen;
}

export function createImportStep(deps: ImportStepDeps = { session: createCloudSession }): StepRunner {
  return async (context) => {
    const { job } = context;
    const inputs = requireInputs(job);
    const session = await deps.session(context.app, job.profile);
    const record =
      targetSpec(job.target).importApi === 'vpc-images'
        ? await importToVpc(context, session, inputs, deps)
        : await importToClassic(context, session, inputs, deps);
    return { import: record };
  };
}

async function importToVpc(
  context: StepContext,
  session: CloudSession,
  { upload, wrap }: { upload: UploadRecord; wrap: WrapRecord },
  deps: ImportStepDeps,
): Promise<ImportRecord> {
  const { job, signal } = context;
  const vpc = session.vpc;
  const fileHref = formatCosHref({ region: upload.region, bucket: upload.bucket, key: upload.objectKey });
  let record = job.import?.api === 'vpc-images' ? job.import : undefined;

  if (record && record.status === 'failed') {
    // Resumed after a failed import (the cause fixed, e.g. re-wrapped): the failed image only blocks the name.
    await vpc.deleteImage(record.imageId, signal).catch((error: unknown) => {
      if (!(error instanceof AppError && error.code === 'CLOUD_NOT_FOUND')) throw error;
    });
    await context.audit('image-deleted', { imageId: record.imageId, reason: 'replacing a failed import' });
    record = undefined;
  }

  if (!record) {
    const name = importImageName(job);
    const problem = vpcNameProblem(name);
    if (problem) {
      throw new AppError('IMAGE_NAME_INVALID', `"${name}" is not a valid VPC image name: ${problem}.`, {
        hint: `Choose another with "image-sealer import ${job.id} --name NAME" (lower-case letters, digits, hyphens; starts with a letter).`,
        details: { name },
      });
    }
    const operatingSystem = operatingSystemFor(job, session, 'vpc');
    // A create whose answer was lost (crash between IBM's reply and the checkpoint) left an image with our
    // name, object and key: adopt it instead of creating a second one.
    const existing = await vpc.findImagesByName(name, signal);
    // IBM's image representation does not repeat the file href; the name (the job's) and the key CRN identify it.
    const ours = existing.find(
      (image) => image.encryption_key?.crn === wrap.rootKeyCrn && (!image.file?.href || image.file.href === fileHref),
    );
    let image: VpcImage;
    if (ours) {
      image = ours;
      await context.audit('image-adopted', { imageId: image.id, name });
    } else {
      if (existing.length > 0) {
        throw new AppError('IMAGE_NAME_TAKEN', `An image named "${name}" exists already in ${session.region}.`, {
          hint: `Choose another name with "image-sealer import ${job.id} --name NAME", or delete the old image.`,
          details: { name, region: session.region, imageId: existing[0].id },
        });
      }
      await context.audit('request', {
        api: 'vpc-images',
        name,
        fileHref,
        operatingSystem,
        rootKeyCrn: wrap.rootKeyCrn,
        wdekFingerprint: wrap.wdekFingerprint,
        resourceGroupId: session.resourceGroupId ?? null,
      });
      image = await vpc.createImage(
        {
          name,
          fileHref,
          operatingSystem,
          wrappedDek: wrap.wdek,
          rootKeyCrn: wrap.rootKeyCrn,
          resourceGroupId: session.resourceGroupId,
        },
        signal,
      );
    }
    record = {
      api: 'vpc-images',
      imageId: image.id,
      imageName: image.name,
      imageCrn: image.crn,
      status: image.status,
      statusReasons: image.status_reasons.map(({ code, message }) => ({ code, message })),
      operatingSystem,
      requestedAt: new Date().toISOString(),
    };
    await context.checkpoint({ import: record });
    await context.audit('image-created', { imageId: image.id, name: image.name, status: image.status });
  }

  const started: ImportRecord = record;
  let lastStatus = '';
  const final = await vpc.waitForImage(started.imageId, {
    ...(session.sandbox ? SANDBOX_POLL : {}),
    ...deps.poll,
    signal,
    onStatus: async (image) => {
      const reasons = image.status_reasons.map(({ code }) => code).join(',');
      statusProgress(context, image.status, { imageId: image.id, reasons });
      if (`${image.status}/${reasons}` === lastStatus) return;
      lastStatus = `${image.status}/${reasons}`;
      await context.checkpoint({
        import: {
          ...started,
          status: image.status,
          statusReasons: image.status_reasons.map(({ code, message }) => ({ code, message })),
        },
      });
    },
  });
  const finished: ImportRecord = {
    ...started,
    status: final.status,
    statusReasons: final.status_reasons.map(({ code, message }) => ({ code, message })),
    finishedAt: new Date().toISOString(),
  };
  await context.checkpoint({ import: finished });
  await context.audit('outcome', {
    imageId: final.id,
    status: final.status,
    statusReasons: finished.statusReasons.map((entry) => entry.code),
  });
  if (final.status !== 'available') {
    throw importFailedError({ id: final.id, name: final.name, statusReasons: finished.statusReasons }, 'VPC');
  }
  return finished;
}

/** A note that ties a classic template to its job, so a lost create can be recognised and adopted. */
function classicNote(job: Job): string {
  return `image-sealer job ${job.id}`;
}

function classicTemplateName(job: Job): string {
  return job.options.imageName ?? job.name;
}

async function importToClassic(
  context: StepContext,
  session: CloudSession,
  { upload, wrap }: { upload: UploadRecord; wrap: WrapRecord },
  deps: ImportStepDeps,
): Promise<ImportRecord> {
  const { job, signal } = context;
  const softlayer = session.softlayer;
  const uri = formatCosHref({ region: upload.region, bucket: upload.bucket, key: upload.objectKey });
  let record = job.import?.api === 'softlayer-createFromIcos' ? job.import : undefined;
  // A failed template stays in the account for the officer to inspect; a resume after the fix makes a new one.
  if (record && record.status === 'failed') record = undefined;

  if (!record) {
    const name = classicTemplateName(job);
    const operatingSystem = operatingSystemFor(job, session, 'classic');
    const note = classicNote(job);
    const attempt = createHash('sha256').update(wrap.wdek).digest('hex').slice(0, 8);
    const adoptable = (await softlayer.findTemplatesByName(name, signal)).find(
      (template) => template.note === `${note} ${attempt}` && templateStatus(template) !== 'failed',
    );
    let template: ImageTemplate;
    if (adoptable) {
      template = adoptable;
      await context.audit('image-adopted', { imageId: String(template.id), name });
    } else {
      await context.audit('request', {
        api: 'softlayer-createFromIcos',
        name,
        uri,
        operatingSystemReferenceCode: operatingSystem,
        crkCrn: wrap.rootKeyCrn,
        wdekFingerprint: wrap.wdekFingerprint,
        cloudInit: true,
        isEncrypted: true,
        // ibmApiKey is sent to IBM but never recorded
      });
      template = await softlayer.createFromIcos(
        {
          name,
          note: `${note} ${attempt}`,
          operatingSystemReferenceCode: operatingSystem,
          uri,
          ibmApiKey: await session.ibmApiKey(),
          crkCrn: wrap.rootKeyCrn,
          wrappedDek: wrap.wdek,
          byol: /^REDHAT/i.test(operatingSystem),
          bootMode: 'HVM',
        },
        signal,
      );
    }
    record = {
      api: 'softlayer-createFromIcos',
      imageId: String(template.id),
      imageName: template.name ?? name,
      status: 'pending',
      statusReasons: [],
      operatingSystem,
      requestedAt: new Date().toISOString(),
    };
    await context.checkpoint({ import: record });
    await context.audit('image-created', {
      imageId: record.imageId,
      globalIdentifier: template.globalIdentifier ?? null,
    });
  }

  const started: ImportRecord = record;
  const templateId = Number(started.imageId);
  let lastStatus = '';
  const final = await softlayer.waitForTemplate(templateId, {
    ...(session.sandbox ? SANDBOX_POLL : {}),
    ...deps.poll,
    signal,
    onStatus: async (template) => {
      const status = templateStatus(template);
      statusProgress(context, status, { imageId: started.imageId });
      if (status === lastStatus) return;
      lastStatus = status;
      await context.checkpoint({ import: { ...started, status } });
    },
  });
  const status = templateStatus(final);
  const finished: ImportRecord = {
    ...started,
    status,
    statusReasons: templateFailureReasons(final),
    finishedAt: new Date().toISOString(),
  };
  await context.checkpoint({ import: finished });
  await context.audit('outcome', {
    imageId: started.imageId,
    status,
    statusReasons: finished.statusReasons.map((entry) => entry.code),
  });
  if (status !== 'available') {
    throw importFailedError(
      { id: started.imageId, name: started.imageName, statusReasons: finished.statusReasons },
      'classic infrastructure',
    );
  }
  return finished;
}

export const importStep: StepRunner = createImportStep();
