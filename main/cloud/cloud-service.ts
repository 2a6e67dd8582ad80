import type { AppContext } from '../app/context';
import { AppError } from '../common/errors';
import type { Job } from '../jobs/job';
import { effectiveState } from '../jobs/state-machine';
import { targetSpec, type TargetId } from '../targets';
import { vpcNameProblem } from './cloud-names';
import { createCloudSession, type CloudSessionFactory } from './cloud-session';
import { parseProvisionOptions, type ProvisionOptions } from './provision-options';

/**
 * The import and provision operations behind the CLI and the API: the lists a person chooses from, and the
 * choices stored on a job before its import or provision step runs.
 */
export type ImportKind = 'vpc' | 'classic';

export function importKindOf(target: TargetId): ImportKind {
  return targetSpec(target).importApi === 'vpc-images' ? 'vpc' : 'classic';
}

export interface OperatingSystemChoice {
  /** what the import takes: a VPC operating system name or a classic reference code */
  name: string;
  displayName: string;
  family: string | null;
}

export async function listOperatingSystems(
  app: AppContext,
  profileName: string,
  kind: ImportKind,
  signal?: AbortSignal,
  sessions: CloudSessionFactory = createCloudSession,
): Promise<OperatingSystemChoice[]> {
  const session = await sessions(app, profileName);
  if (kind === 'vpc') {
    const systems = await session.vpc.listOperatingSystems(signal);
    return systems
      .filter((entry) => entry.allow_user_image_creation !== false)
      .map((entry) => ({
        name: entry.name,
        displayName: entry.display_name ?? entry.name,
        family: entry.family ?? null,
      }));
  }
  const systems = await session.softlayer.listImportOperatingSystems(signal);
  return systems.map((entry) => ({
    name: entry.referenceCode ?? '',
    displayName: entry.longDescription ?? `${entry.name ?? ''} ${entry.version ?? ''}`.trim(),
    family: entry.name ?? null,
  }));
}

function assertImportable(job: Job): void {
  const reached = effectiveState(job);
  if (job.state === 'cancelled')
    throw new AppError('JOB_CANCELLED', `Job ${job.id} was cancelled; start a new job for this image.`);
  if (reached !== 'uploaded' && reached !== 'imported') {
    throw new AppError('JOB_NOT_READY', `Job ${job.id} is at "${reached}"; it can be imported once it is uploaded.`, {
      hint: `Run "image-sealer jobs resume ${job.id}" to finish the earlier steps.`,
    });
  }
}

/**
 * Stores the import choices on a job (before its import step runs). Once an image exists for the job, its
 * name can no longer change: the step follows that image.
 */
export async function setImportChoices(
  app: AppContext,
  jobId: string,
  choices: { os?: string; name?: string },
): Promise<Job> {
  const job = await app.jobs.get(jobId);
  assertImportable(job);
  if (choices.name !== undefined && importKindOf(job.target) === 'vpc') {
    const problem = vpcNameProblem(choices.name);
    if (problem) {
      throw new AppError('IMAGE_NAME_INVALID', `"${choices.name}" is not a valid VPC image name: ${problem}.`, {
        hint: 'Use lower-case letters, digits and hyphens, starting with a letter, at most 63 characters.',
        details: { name: choices.name },
      });
    }
  }
  const active = job.import && job.import.status !== 'failed';
  if (active && choices.name !== undefined && choices.name !== job.import?.imageName) {
    throw new AppError(
      'IMPORT_IN_PROGRESS',
      `Job ${jobId} already has image ${job.import?.imageId} (${job.import?.status}); its name cannot change now.`,
      {
        hint: `Run "image-sealer import ${jobId}" without --name to follow it.`,
        details: { jobId, imageId: job.import?.imageId, status: job.import?.status },
      },
    );
  }
  if (choices.os === undefined && choices.name === undefined) return job;
  return app.jobs.update(jobId, (current) => ({
    options: {
      ...current.options,
      ...(choices.os !== undefined ? { operatingSystem: choices.os } : {}),
      ...(choices.name !== undefined ? { imageName: choices.name } : {}),
    },
  }));
}

/** Stores the provision choices on a job and asks for the provision step. */
export async function setProvisionChoices(app: AppContext, jobId: string, choices: ProvisionOptions): Promise<Job> {
  const job = await app.jobs.get(jobId);
  if (job.state === 'cancelled')
    throw new AppError('JOB_CANCELLED', `Job ${jobId} was cancelled; start a new job for this image.`);
  const merged = parseProvisionOptions({
    ...parseProvisionOptions(job.options.provisionOptions),
    ...stripUndefined(choices),
  });
  return app.jobs.update(jobId, (current) => ({
    options: { ...current.options, provision: true, provisionOptions: merged },
  }));
}

function stripUndefined<T extends Record<string, unknown>>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
}

export interface ProvisionChoices {
  kind: ImportKind;
  region: string;
  instanceProfiles: Array<{ name: string; label: string }>;
  zones: string[];
  vpcs: Array<{ id: string; name: string }>;
  subnets: Array<{ id: string; name: string; zone: string | null; vpcId: string | null }>;
  keys: Array<{ id: string; name: string }>;
  datacenters: string[];
  defaults: { domain: string | null; datacenter: string | null };
}

/** What a provision of this job can choose from (VPC lists from the API; classic: the profile's defaults). */
export async function listProvisionChoices(
  app: AppContext,
  jobId: string,
  signal?: AbortSignal,
  sessions: CloudSessionFactory = createCloudSession,
): Promise<ProvisionChoices> {
  const job = await app.jobs.get(jobId);
  const session = await sessions(app, job.profile);
  const kind = importKindOf(job.target);
  // The provision step falls back to these for a classic server; a form shows them as its starting values.
  const defaults = {
    domain: session.defaults.classicDomain ?? null,
    datacenter: session.defaults.classicDatacenter ?? null,
  };
  if (kind === 'classic') {
    return {
      kind,
      region: session.region,
      instanceProfiles: [],
      zones: [],
      vpcs: [],
      subnets: [],
      keys: [],
      datacenters: (await session.softlayer.listDatacenters(signal)).map((entry) => entry.name),
      defaults,
    };
  }
  const [profiles, zones, vpcs, subnets, keys] = await Promise.all([
    session.vpc.listInstanceProfiles(signal),
    session.vpc.listZones(session.region, signal),
    session.vpc.listVpcs(signal),
    session.vpc.listSubnets(signal),
    session.vpc.listKeys(signal),
  ]);
  return {
    kind,
    region: session.region,
    instanceProfiles: profiles.map((entry) => ({
      name: entry.name,
      label: `${entry.name}${entry.vcpu_count?.value ? ` (${entry.vcpu_count.value} vCPU, ${entry.memory?.value ?? '?'} GB)` : ''}`,
    })),
    zones: zones.map((entry) => entry.name),
    vpcs: vpcs.map((entry) => ({ id: entry.id, name: entry.name })),
    subnets: subnets.map((entry) => ({
      id: entry.id,
      name: entry.name,
      zone: entry.zone?.name ?? null,
      vpcId: entry.vpc?.id ?? null,
    })),
    keys: keys.map((entry) => ({ id: entry.id, name: entry.name })),
    datacenters: [],
    defaults,
  };
}
