/**
 * The Provision step's form apart from React: what it starts with (from the lists listProvisionChoices offers,
 * the job's stored choices and main's own fallbacks), which subnets fit the chosen VPC and zone, and the
 * ProvisionOptions it sends, or the problems that keep it from being sent. Pure; unit-tested in
 * test/unit/renderer/provision-form.test.ts.
 */
import type { CallOutput } from '../../../main/api/contract';
import {
  hostnameFrom,
  isClassicDomain,
  isClassicHostname,
  VPC_NAME_MAX,
  vpcNameFrom,
  vpcNameRuleBroken,
  type ProvisionOptions,
  type VpcNameRule,
} from '../../../main/api/contract/cloud';
import type { Job } from '../../../main/jobs/job';

export type ProvisionChoices = CallOutput<'listProvisionChoices'>;
export type OfferedSubnet = ProvisionChoices['subnets'][number];

/**
 * The bounds ProvisionOptionsSchema (main/cloud/provision-options.ts) accepts, checked here too so the officer
 * reads which field is wrong in their language instead of a schema message. A unit test keeps the two in step.
 */
export const PROVISION_LIMITS = {
  name: { max: VPC_NAME_MAX },
  hostname: { max: 63 },
  domain: { max: 190 },
  cpus: { min: 1, max: 56 },
  memoryMiB: { min: 1024 },
} as const;

/** What main's provision step orders for a classic server when nothing is chosen (provision-step.ts). */
export const CLASSIC_FALLBACKS = { cpus: 1, memoryMiB: 2048, hourly: true } as const;

export interface VpcProvisionFields {
  name: string;
  instanceProfile: string;
  zone: string;
  vpcId: string;
  /** empty when the chosen VPC has no subnet in the chosen zone */
  subnetId: string;
  keyIds: string[];
}

export interface ClassicProvisionFields {
  hostname: string;
  domain: string;
  /** as typed */
  cpus: string;
  /** as typed, in MiB */
  memoryMiB: string;
  datacenter: string;
  hourly: boolean;
}

/** The form's state: what the officer chose, and the lists it was chosen from. */
export type VpcProvisionDraft = { kind: 'vpc'; offered: ProvisionChoices } & VpcProvisionFields;
export type ClassicProvisionDraft = { kind: 'classic'; offered: ProvisionChoices } & ClassicProvisionFields;
export type ProvisionDraft = VpcProvisionDraft | ClassicProvisionDraft;

export type ProvisionField = keyof VpcProvisionFields | keyof ClassicProvisionFields;

/** A field's problem as an i18n key under `wizard.provision.problems` and its interpolation values. */
export interface ProvisionProblem {
  key:
    | 'required'
    | 'notOffered'
    | 'noProfiles'
    | 'noZones'
    | 'noVpcs'
    | 'noSubnet'
    | 'noDatacenters'
    | `vpcName.${VpcNameRule}`
    | 'hostname'
    | 'domain'
    | 'atMost'
    | 'wholeNumber'
    | 'range'
    | 'atLeast';
  values?: Record<string, string | number>;
}

export type ProvisionProblems = Partial<Record<ProvisionField, ProvisionProblem>>;

/** The job's facts the form starts from. */
export type ProvisionJob = Pick<Job, 'id' | 'name' | 'import' | 'options'>;

/** The subnets an order in `zone` and `vpcId` can use: IBM refuses a subnet of another zone or VPC. */
export function subnetsFor(offered: ProvisionChoices, zone: string, vpcId: string): OfferedSubnet[] {
  return offered.subnets.filter((subnet) => subnet.zone === zone && subnet.vpcId === vpcId);
}

/** The chosen subnet if it still fits the zone and VPC, else the first that does, else none (''). */
function fittingSubnet(offered: ProvisionChoices, zone: string, vpcId: string, current: string): string {
  const fitting = subnetsFor(offered, zone, vpcId);
  return (fitting.find((subnet) => subnet.id === current) ?? fitting[0])?.id ?? '';
}

/** Choosing a zone keeps the subnet if it is in that zone, and otherwise takes the first that fits. */
export function withZone(draft: VpcProvisionDraft, zone: string): VpcProvisionDraft {
  return { ...draft, zone, subnetId: fittingSubnet(draft.offered, zone, draft.vpcId, draft.subnetId) };
}

/** Choosing a VPC keeps the subnet if it is in that VPC, and otherwise takes the first that fits. */
export function withVpc(draft: VpcProvisionDraft, vpcId: string): VpcProvisionDraft {
  return { ...draft, vpcId, subnetId: fittingSubnet(draft.offered, draft.zone, vpcId, draft.subnetId) };
}

/** Values a job already holds (set by the CLI or an earlier attempt), read without trusting their types. */
function storedOptions(job: ProvisionJob): Partial<ProvisionOptions> {
  const stored = job.options.provisionOptions ?? {};
  const text = (key: string) => (typeof stored[key] === 'string' ? (stored[key] as string) : undefined);
  const whole = (key: string) => (Number.isInteger(stored[key]) ? (stored[key] as number) : undefined);
  const keyIds = stored.keyIds;
  return {
    name: text('name'),
    instanceProfile: text('instanceProfile'),
    zone: text('zone'),
    vpcId: text('vpcId'),
    subnetId: text('subnetId'),
    keyIds: Array.isArray(keyIds) ? keyIds.filter((id): id is string => typeof id === 'string') : undefined,
    hostname: text('hostname'),
    domain: text('domain'),
    cpus: whole('cpus'),
    memoryMiB: whole('memoryMiB'),
    datacenter: text('datacenter'),
    hourly: typeof stored.hourly === 'boolean' ? stored.hourly : undefined,
  };
}

/** The first of the candidates that the list offers. */
function offeredOne(list: readonly string[], ...candidates: (string | null | undefined)[]): string | undefined {
  return candidates.find((candidate): candidate is string => candidate != null && list.includes(candidate));
}

/**
 * The form a provision starts with. Each field keeps, in order: what `previous` (the form before the lists were
 * fetched again) holds, what the job stored, and else a default chosen from the lists — the instance name main
 * would make, the first instance profile, a VPC and zone that have a subnet, that subnet, the first SSH key
 * (a server without a key can only be reached if the image has its own way in); for classic main's domain and
 * datacenter fallbacks and its 1 CPU, 2048 MiB, hourly.
 */
export function provisionDraft(
  offered: ProvisionChoices,
  job: ProvisionJob,
  previous: ProvisionDraft | null = null,
): ProvisionDraft {
  const stored = storedOptions(job);
  if (offered.kind === 'classic') {
    const before = previous?.kind === 'classic' ? previous : null;
    return {
      kind: 'classic',
      offered,
      hostname: before?.hostname ?? stored.hostname ?? hostnameFrom(`${job.name}-${job.id.slice(-8)}`),
      domain: before?.domain ?? stored.domain ?? offered.defaults.domain ?? '',
      cpus: before?.cpus ?? String(stored.cpus ?? CLASSIC_FALLBACKS.cpus),
      memoryMiB: before?.memoryMiB ?? String(stored.memoryMiB ?? CLASSIC_FALLBACKS.memoryMiB),
      datacenter:
        offeredOne(offered.datacenters, before?.datacenter, stored.datacenter, offered.defaults.datacenter) ??
        offered.datacenters[0] ??
        '',
      hourly: before?.hourly ?? stored.hourly ?? CLASSIC_FALLBACKS.hourly,
    };
  }
  const before = previous?.kind === 'vpc' ? previous : null;
  const vpcIds = offered.vpcs.map((vpc) => vpc.id);
  const hasSubnet = (vpcId: string) => (zone: string) => subnetsFor(offered, zone, vpcId).length > 0;
  const vpcId =
    offeredOne(vpcIds, before?.vpcId, stored.vpcId) ??
    vpcIds.find((id) => offered.zones.some(hasSubnet(id))) ??
    vpcIds[0] ??
    '';
  const zone =
    offeredOne(offered.zones, before?.zone, stored.zone) ??
    offered.zones.find(hasSubnet(vpcId)) ??
    offered.zones[0] ??
    '';
  const keyIds = offered.keys.map((key) => key.id);
  const chosenKeys = before?.keyIds ?? stored.keyIds;
  return {
    kind: 'vpc',
    offered,
    name: before?.name ?? stored.name ?? vpcNameFrom(`${job.import?.imageName ?? job.name}-vsi`),
    instanceProfile:
      offeredOne(
        offered.instanceProfiles.map((profile) => profile.name),
        before?.instanceProfile,
        stored.instanceProfile,
      ) ??
      offered.instanceProfiles[0]?.name ??
      '',
    zone,
    vpcId,
    subnetId: fittingSubnet(offered, zone, vpcId, before?.subnetId ?? stored.subnetId ?? ''),
    keyIds: chosenKeys ? chosenKeys.filter((id) => keyIds.includes(id)) : keyIds.slice(0, 1),
  };
}

/** What the SSH key field should say besides its problems: the account has none, or none is chosen. */
export function sshKeyNotice(draft: ProvisionDraft): 'noKeysInAccount' | 'noKeyChosen' | null {
  if (draft.kind !== 'vpc') return null;
  if (draft.offered.keys.length === 0) return 'noKeysInAccount';
  return draft.keyIds.length === 0 ? 'noKeyChosen' : null;
}

function chosenFrom(
  value: string,
  list: readonly string[],
  none: ProvisionProblem['key'],
  region: string,
): ProvisionProblem | null {
  if (list.length === 0) return { key: none, values: { region } };
  if (!value) return { key: 'required' };
  return list.includes(value) ? null : { key: 'notOffered' };
}

function wholeNumber(text: string, min: number, max?: number): number | ProvisionProblem {
  const trimmed = text.trim();
  if (!trimmed) return { key: 'required' };
  if (!/^\d+$/.test(trimmed) || !Number.isSafeInteger(Number(trimmed))) return { key: 'wholeNumber' };
  const value = Number(trimmed);
  if (max !== undefined && (value < min || value > max)) return { key: 'range', values: { min, max } };
  if (value < min) return { key: 'atLeast', values: { min } };
  return value;
}

function vpcProblems(draft: VpcProvisionDraft): ProvisionProblems {
  const { offered } = draft;
  const problems: ProvisionProblems = {};
  const rule = vpcNameRuleBroken(draft.name.trim());
  if (rule === 'empty') problems.name = { key: 'required' };
  else if (rule) problems.name = { key: `vpcName.${rule}`, values: { max: PROVISION_LIMITS.name.max } };
  const found = {
    instanceProfile: chosenFrom(
      draft.instanceProfile,
      offered.instanceProfiles.map((profile) => profile.name),
      'noProfiles',
      offered.region,
    ),
    zone: chosenFrom(draft.zone, offered.zones, 'noZones', offered.region),
    vpcId: chosenFrom(
      draft.vpcId,
      offered.vpcs.map((vpc) => vpc.id),
      'noVpcs',
      offered.region,
    ),
  };
  for (const [field, problem] of Object.entries(found) as [keyof typeof found, ProvisionProblem | null][])
    if (problem) problems[field] = problem;
  // A subnet is only worth asking for once the zone and VPC it must fit are sound.
  if (!found.zone && !found.vpcId) {
    const fitting = subnetsFor(offered, draft.zone, draft.vpcId);
    if (fitting.length === 0) {
      const vpc = offered.vpcs.find((entry) => entry.id === draft.vpcId);
      problems.subnetId = { key: 'noSubnet', values: { vpc: vpc?.name ?? draft.vpcId, zone: draft.zone } };
    } else if (!draft.subnetId) problems.subnetId = { key: 'required' };
    else if (!fitting.some((subnet) => subnet.id === draft.subnetId)) problems.subnetId = { key: 'notOffered' };
  }
  const keyIds = offered.keys.map((key) => key.id);
  if (draft.keyIds.some((id) => !keyIds.includes(id))) problems.keyIds = { key: 'notOffered' };
  return problems;
}

function classicProblems(draft: ClassicProvisionDraft): {
  problems: ProvisionProblems;
  cpus: number | null;
  memoryMiB: number | null;
} {
  const problems: ProvisionProblems = {};
  const hostname = draft.hostname.trim();
  if (!hostname) problems.hostname = { key: 'required' };
  else if (hostname.length > PROVISION_LIMITS.hostname.max)
    problems.hostname = { key: 'atMost', values: { max: PROVISION_LIMITS.hostname.max } };
  else if (!isClassicHostname(hostname)) problems.hostname = { key: 'hostname' };
  const domain = draft.domain.trim();
  if (!domain) problems.domain = { key: 'required' };
  else if (domain.length > PROVISION_LIMITS.domain.max)
    problems.domain = { key: 'atMost', values: { max: PROVISION_LIMITS.domain.max } };
  else if (!isClassicDomain(domain)) problems.domain = { key: 'domain' };
  const cpus = wholeNumber(draft.cpus, PROVISION_LIMITS.cpus.min, PROVISION_LIMITS.cpus.max);
  if (typeof cpus === 'object') problems.cpus = cpus;
  const memoryMiB = wholeNumber(draft.memoryMiB, PROVISION_LIMITS.memoryMiB.min);
  if (typeof memoryMiB === 'object') problems.memoryMiB = memoryMiB;
  const datacenter = chosenFrom(draft.datacenter, draft.offered.datacenters, 'noDatacenters', draft.offered.region);
  if (datacenter) problems.datacenter = datacenter;
  return {
    problems,
    cpus: typeof cpus === 'number' ? cpus : null,
    memoryMiB: typeof memoryMiB === 'number' ? memoryMiB : null,
  };
}

/**
 * The startProvision options for the form — every field the server needs, so main guesses nothing — or the
 * problems that keep it from being sent. An empty key list is sent as such: the officer chose no key.
 */
export function provisionRequest(
  draft: ProvisionDraft,
): { options: ProvisionOptions; problems: null } | { options: null; problems: ProvisionProblems } {
  if (draft.kind === 'vpc') {
    const problems = vpcProblems(draft);
    if (Object.keys(problems).length > 0) return { options: null, problems };
    return {
      options: {
        name: draft.name.trim(),
        instanceProfile: draft.instanceProfile,
        zone: draft.zone,
        vpcId: draft.vpcId,
        subnetId: draft.subnetId,
        keyIds: [...draft.keyIds],
      },
      problems: null,
    };
  }
  const { problems, cpus, memoryMiB } = classicProblems(draft);
  if (Object.keys(problems).length > 0 || cpus === null || memoryMiB === null) return { options: null, problems };
  return {
    options: {
      hostname: draft.hostname.trim(),
      domain: draft.domain.trim(),
      cpus,
      memoryMiB,
      datacenter: draft.datacenter,
      hourly: draft.hourly,
    },
    problems: null,
  };
}
