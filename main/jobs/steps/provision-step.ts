import { vpcNameFrom } from '../../cloud/cloud-names';
import { createCloudSession, type CloudSession, type CloudSessionFactory } from '../../cloud/cloud-session';
import { SANDBOX_POLL, type PollOptions } from '../../cloud/poll';
import { hostnameFrom, parseProvisionOptions, type ProvisionOptions } from '../../cloud/provision-options';
import type { VirtualGuest } from '../../cloud/softlayer-client';
import type { Instance } from '../../cloud/vpc-client';
import { AppError } from '../../common/errors';
import { targetSpec } from '../../targets';
import type { ImportRecord, Job, ProvisionRecord } from '../job';
import type { StepContext, StepRunner } from './step';

/**
 * The optional provision step: a VPC instance or a classic virtual server from the imported image. The
 * instance id is checkpointed as soon as IBM returns it, so resume follows that server and never orders a
 * second one; a server ordered just before a crash is found again by its name.
 */
export interface ProvisionStepDeps {
  session: CloudSessionFactory;
  poll?: Partial<Omit<PollOptions, 'what' | 'signal'>>;
}

function requireImage(job: Job): ImportRecord {
  if (!job.import || job.import.status !== 'available') {
    throw new AppError('JOB_NOT_READY', `Job ${job.id} has no available image to provision from yet.`, {
      hint: `Run "image-sealer jobs resume ${job.id}" to finish the import first.`,
    });
  }
  return job.import;
}

function statusProgress(context: StepContext, status: string, instanceId: string): void {
  context.progress({
    phase: `provision: ${status}`,
    bytesDone: 0,
    bytesTotal: 0,
    rate: 0,
    eta: null,
    detail: { status, instanceId },
  });
}

function missingChoice(job: Job, what: string, option: string, choices: string[]): AppError {
  return new AppError('PROVISION_CHOICE_MISSING', `Choose the ${what} for the new server.`, {
    hint: `Run "image-sealer provision ${job.id} ${option} VALUE"${choices.length > 0 ? `; available: ${choices.slice(0, 10).join(', ')}` : ''}.`,
  });
}

export function createProvisionStep(deps: ProvisionStepDeps = { session: createCloudSession }): StepRunner {
  return async (context) => {
    const { job } = context;
    const image = requireImage(job);
    const options = parseProvisionOptions(job.options.provisionOptions);
    const session = await deps.session(context.app, job.profile);
    const record =
      targetSpec(job.target).importApi === 'vpc-images'
        ? await provisionVpc(context, session, image, options, deps)
        : await provisionClassic(context, session, image, options, deps);
    return { provision: record };
  };
}

async function provisionVpc(
  context: StepContext,
  session: CloudSession,
  image: ImportRecord,
  options: ProvisionOptions,
  deps: ProvisionStepDeps,
): Promise<ProvisionRecord> {
  const { job, signal } = context;
  const vpc = session.vpc;
  let record = job.provision;
  if (!record) {
    const name = options.name ?? vpcNameFrom(`${image.imageName ?? job.name}-vsi`);
    const lost = (await vpc.findInstancesByName(name, signal)).find((instance) => instance.image?.id === image.imageId);
    let instance: Instance;
    let details: Record<string, unknown>;
    if (lost) {
      instance = lost;
      details = { zone: lost.zone?.name, profile: lost.profile?.name, vpcId: lost.vpc?.id };
      await context.audit('instance-adopted', { instanceId: lost.id, name });
    } else {
      const pick = session.sandbox;
      const profiles = options.instanceProfile ? [] : await vpc.listInstanceProfiles(signal);
      const instanceProfile = options.instanceProfile ?? (pick ? profiles[0]?.name : undefined);
      if (!instanceProfile)
        throw missingChoice(
          job,
          'instance profile',
          '--instance-profile',
          profiles.map((entry) => entry.name),
        );
      const zones = options.zone ? [] : await vpc.listZones(session.region, signal);
      const zone = options.zone ?? (pick ? zones[0]?.name : undefined);
      if (!zone)
        throw missingChoice(
          job,
          'zone',
          '--zone',
          zones.map((entry) => entry.name),
        );
      const vpcs = options.vpcId ? [] : await vpc.listVpcs(signal);
      const vpcId = options.vpcId ?? (pick ? vpcs[0]?.id : undefined);
      if (!vpcId)
        throw missingChoice(
          job,
          'VPC',
          '--vpc',
          vpcs.map((entry) => `${entry.id} (${entry.name})`),
        );
      const subnets = options.subnetId
        ? []
        : (await vpc.listSubnets(signal)).filter((entry) => entry.zone?.name === zone && entry.vpc?.id === vpcId);
      const subnetId = options.subnetId ?? (pick ? subnets[0]?.id : undefined);
      if (!subnetId)
        throw missingChoice(
          job,
          'subnet',
          '--subnet',
          subnets.map((entry) => `${entry.id} (${entry.name})`),
        );
      const keys = options.keyIds ? [] : await vpc.listKeys(signal);
      const keyIds = options.keyIds ?? (pick && keys[0] ? [keys[0].id] : []);
      details = { zone, profile: instanceProfile, vpcId, subnetId, keyIds };
      await context.audit('request', { api: 'vpc-instances', name, imageId: image.imageId, ...details });
      instance = await vpc.createInstance(
        {
          name,
          imageId: image.imageId,
          profile: instanceProfile,
          zone,
          vpcId,
          subnetId,
          keyIds,
          resourceGroupId: session.resourceGroupId,
        },
        signal,
      );
    }
    record = {
      instanceId: instance.id,
      name: instance.name,
      status: instance.status,
      requestedAt: new Date().toISOString(),
      details,
    };
    await context.checkpoint({ provision: record });
  }
  const started: ProvisionRecord = record;
  const final = await vpc.waitForInstance(started.instanceId, {
    ...(session.sandbox ? SANDBOX_POLL : {}),
    ...deps.poll,
    signal,
    onStatus: (instance) => statusProgress(context, instance.status, instance.id),
  });
  const finished: ProvisionRecord = {
    ...started,
    status: final.status,
    finishedAt: new Date().toISOString(),
    details: { ...started.details, primaryIp: final.primary_network_interface?.primary_ip?.address ?? null },
  };
  await context.checkpoint({ provision: finished });
  await context.audit('outcome', { instanceId: final.id, status: final.status });
  if (final.status !== 'running') {
    const reason = final.status_reasons[0];
    throw new AppError(
      'PROVISION_FAILED',
      `Instance ${final.name} (${final.id}) ended "${final.status}"${reason ? `: ${reason.message || reason.code}` : ''}.`,
      {
        hint: 'Look at the instance in the IBM Cloud console; delete it and resume the job to order another.',
        details: { name: final.name, instanceId: final.id, status: final.status },
      },
    );
  }
  return finished;
}

async function provisionClassic(
  context: StepContext,
  session: CloudSession,
  image: ImportRecord,
  options: ProvisionOptions,
  deps: ProvisionStepDeps,
): Promise<ProvisionRecord> {
  const { job, signal } = context;
  const softlayer = session.softlayer;
  let record = job.provision;
  if (!record) {
    const hostname = options.hostname ?? hostnameFrom(`${job.name}-${job.id.slice(-8)}`);
    const domain = options.domain ?? session.defaults.classicDomain;
    if (!domain) throw missingChoice(job, 'domain', '--domain', []);
    const datacenter = options.datacenter ?? session.defaults.classicDatacenter;
    if (!datacenter) throw missingChoice(job, 'datacenter', '--datacenter', []);
    const template = await softlayer.getTemplate(Number(image.imageId), signal);
    if (!template.globalIdentifier) {
      throw new AppError(
        'CLOUD_RESPONSE_INVALID',
        `Image template ${image.imageId} has no global identifier to order from.`,
        { details: { imageId: image.imageId } },
      );
    }
    // Only a server with our host name AND our image is one this job ordered before a crash.
    const lost = (await softlayer.findGuestsByHostname(hostname, domain, signal)).find(
      (guest) => guest.blockDeviceTemplateGroup?.globalIdentifier === template.globalIdentifier,
    );
    let guest: VirtualGuest;
    const details: Record<string, unknown> = {
      hostname,
      domain,
      datacenter,
      cpus: options.cpus ?? 1,
      memoryMiB: options.memoryMiB ?? 2048,
    };
    if (lost) {
      guest = lost;
      await context.audit('instance-adopted', { instanceId: String(lost.id), hostname, domain });
    } else {
      await context.audit('request', { api: 'softlayer-createObject', templateId: image.imageId, ...details });
      guest = await softlayer.createGuest(
        {
          hostname,
          domain,
          startCpus: options.cpus ?? 1,
          maxMemory: options.memoryMiB ?? 2048,
          datacenter,
          templateGlobalIdentifier: template.globalIdentifier,
          hourlyBillingFlag: options.hourly ?? true,
        },
        signal,
      );
    }
    record = {
      instanceId: String(guest.id),
      name: `${hostname}.${domain}`,
      status: 'provisioning',
      requestedAt: new Date().toISOString(),
      details,
    };
    await context.checkpoint({ provision: record });
  }
  const started: ProvisionRecord = record;
  const final = await softlayer.waitForGuest(Number(started.instanceId), {
    ...(session.sandbox ? SANDBOX_POLL : {}),
    ...deps.poll,
    signal,
    onStatus: (guest) =>
      statusProgress(context, guest.powerState?.keyName.toLowerCase() ?? 'provisioning', String(guest.id)),
  });
  const finished: ProvisionRecord = {
    ...started,
    status: 'running',
    finishedAt: new Date().toISOString(),
    details: { ...started.details, primaryIp: final.primaryIpAddress ?? null },
  };
  await context.checkpoint({ provision: finished });
  await context.audit('outcome', { instanceId: started.instanceId, status: 'running' });
  return finished;
}

export const provisionStep: StepRunner = createProvisionStep();
