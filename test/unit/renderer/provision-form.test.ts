import { describe, expect, it } from 'vitest';
import { vpcNameFrom } from '../../../main/cloud/cloud-names';
import { hostnameFrom, ProvisionOptionsSchema } from '../../../main/cloud/provision-options';
import { JobOptionsSchema } from '../../../main/jobs/job';
import {
  CLASSIC_FALLBACKS,
  PROVISION_LIMITS,
  provisionDraft,
  provisionRequest,
  sshKeyNotice,
  subnetsFor,
  withVpc,
  withZone,
  type ClassicProvisionDraft,
  type ProvisionChoices,
  type ProvisionJob,
  type VpcProvisionDraft,
} from '../../../renderer/src/wizard/provision-form';

/**
 * A region where the first VPC has no subnet at all, the second has two in zone 1 and one in zone 2, and the
 * third one in zone 3 only: defaults must find a VPC and zone that fit, changes must re-fit the subnet.
 */
const VPC_OFFER: ProvisionChoices = {
  kind: 'vpc',
  region: 'eu-de',
  instanceProfiles: [
    { name: 'bx2-2x8', label: 'bx2-2x8 (2 vCPU, 8 GB)' },
    { name: 'cx2-2x4', label: 'cx2-2x4 (2 vCPU, 4 GB)' },
  ],
  zones: ['eu-de-1', 'eu-de-2', 'eu-de-3'],
  vpcs: [
    { id: 'vpc-empty', name: 'empty-vpc' },
    { id: 'vpc-prod', name: 'prod-vpc' },
    { id: 'vpc-edge', name: 'edge-vpc' },
  ],
  subnets: [
    { id: 'sn-edge-3', name: 'edge-3', zone: 'eu-de-3', vpcId: 'vpc-edge' },
    { id: 'sn-prod-1a', name: 'prod-1a', zone: 'eu-de-1', vpcId: 'vpc-prod' },
    { id: 'sn-prod-1b', name: 'prod-1b', zone: 'eu-de-1', vpcId: 'vpc-prod' },
    { id: 'sn-prod-2', name: 'prod-2', zone: 'eu-de-2', vpcId: 'vpc-prod' },
    { id: 'sn-unplaced', name: 'unplaced', zone: null, vpcId: null },
  ],
  keys: [
    { id: 'key-ops', name: 'ops' },
    { id: 'key-audit', name: 'audit' },
  ],
  datacenters: [],
  defaults: { domain: null, datacenter: null },
};

const CLASSIC_OFFER: ProvisionChoices = {
  kind: 'classic',
  region: 'us-south',
  instanceProfiles: [],
  zones: [],
  vpcs: [],
  subnets: [],
  keys: [],
  datacenters: ['dal10', 'dal12', 'fra02'],
  defaults: { domain: 'sandbox.example', datacenter: 'dal12' },
};

function jobWith(provisionOptions?: Record<string, unknown>, imageName?: string): ProvisionJob {
  return {
    id: 'job-20260101-abcdef12',
    name: 'Web Server 2.qcow2',
    options: JobOptionsSchema.parse({ provision: true, ...(provisionOptions ? { provisionOptions } : {}) }),
    ...(imageName
      ? {
          import: {
            api: 'vpc-images' as const,
            imageId: 'r010-image',
            imageName,
            status: 'available',
            statusReasons: [],
            requestedAt: '2026-01-01T00:00:00Z',
          },
        }
      : {}),
  };
}

function vpcDraft(job = jobWith(undefined, 'sealed-web'), offer = VPC_OFFER): VpcProvisionDraft {
  const draft = provisionDraft(offer, job);
  if (draft.kind !== 'vpc') throw new Error('expected a VPC draft');
  return draft;
}

function classicDraft(job = jobWith(), offer = CLASSIC_OFFER): ClassicProvisionDraft {
  const draft = provisionDraft(offer, job);
  if (draft.kind !== 'classic') throw new Error('expected a classic draft');
  return draft;
}

describe('the VPC provision form', () => {
  it('starts with a name main would make, the first profile, a VPC and zone that have a subnet, and the first key', () => {
    const draft = vpcDraft();
    expect(draft).toMatchObject({
      name: 'sealed-web-vsi',
      instanceProfile: 'bx2-2x8',
      vpcId: 'vpc-prod',
      zone: 'eu-de-1',
      subnetId: 'sn-prod-1a',
      keyIds: ['key-ops'],
    });
    expect(draft.name).toBe(vpcNameFrom('sealed-web-vsi'));
    // Without an imported image name main names the server after the job; so does the form.
    expect(vpcDraft(jobWith()).name).toBe(vpcNameFrom('Web Server 2.qcow2-vsi'));
  });

  it('lists only the subnets of the chosen VPC in the chosen zone', () => {
    expect(subnetsFor(VPC_OFFER, 'eu-de-1', 'vpc-prod').map((subnet) => subnet.id)).toEqual([
      'sn-prod-1a',
      'sn-prod-1b',
    ]);
    expect(subnetsFor(VPC_OFFER, 'eu-de-3', 'vpc-prod')).toEqual([]);
    expect(subnetsFor(VPC_OFFER, 'eu-de-3', 'vpc-edge').map((subnet) => subnet.id)).toEqual(['sn-edge-3']);
  });

  it('keeps a subnet that still fits when the zone or VPC changes, else takes the first that fits', () => {
    const second = { ...vpcDraft(), subnetId: 'sn-prod-1b' };
    expect(withVpc(second, 'vpc-prod').subnetId).toBe('sn-prod-1b');
    expect(withZone(second, 'eu-de-1').subnetId).toBe('sn-prod-1b');
    expect(withZone(second, 'eu-de-2').subnetId).toBe('sn-prod-2');
    expect(withVpc(withZone(second, 'eu-de-3'), 'vpc-edge').subnetId).toBe('sn-edge-3');
  });

  it('says plainly that no subnet fits, and sends nothing', () => {
    const none = withZone(vpcDraft(), 'eu-de-3');
    expect(none.subnetId).toBe('');
    expect(provisionRequest(none)).toEqual({
      options: null,
      problems: { subnetId: { key: 'noSubnet', values: { vpc: 'prod-vpc', zone: 'eu-de-3' } } },
    });
    expect(provisionRequest(withVpc(vpcDraft(), 'vpc-empty')).problems).toEqual({
      subnetId: { key: 'noSubnet', values: { vpc: 'empty-vpc', zone: 'eu-de-1' } },
    });
  });

  it('sends every choice, which main’s schema takes as it is', () => {
    const draft = { ...withZone(vpcDraft(), 'eu-de-2'), name: '  web-check  ', keyIds: ['key-ops', 'key-audit'] };
    const { options, problems } = provisionRequest(draft);
    expect(problems).toBeNull();
    expect(options).toEqual({
      name: 'web-check',
      instanceProfile: 'bx2-2x8',
      zone: 'eu-de-2',
      vpcId: 'vpc-prod',
      subnetId: 'sn-prod-2',
      keyIds: ['key-ops', 'key-audit'],
    });
    expect(ProvisionOptionsSchema.parse(options)).toEqual(options);
  });

  it('sends an empty key list when no key is chosen, and says what that means', () => {
    const draft = { ...vpcDraft(), keyIds: [] };
    expect(provisionRequest(draft).options?.keyIds).toEqual([]);
    expect(sshKeyNotice(draft)).toBe('noKeyChosen');
    expect(sshKeyNotice(vpcDraft())).toBeNull();
    const keyless = vpcDraft(jobWith(), { ...VPC_OFFER, keys: [] });
    expect(keyless.keyIds).toEqual([]);
    expect(sshKeyNotice(keyless)).toBe('noKeysInAccount');
    expect(provisionRequest(keyless).problems).toBeNull();
  });

  it.each([
    ['', 'required'],
    ['   ', 'required'],
    ['x'.repeat(64), 'vpcName.tooLong'],
    ['1web', 'vpcName.firstLetter'],
    ['web-', 'vpcName.trailingHyphen'],
    ['Web', 'vpcName.firstLetter'],
    ['web_1', 'vpcName.characters'],
  ])('marks the instance name %j as %s, by the rule main applies', (name, key) => {
    expect(provisionRequest({ ...vpcDraft(), name }).problems?.name?.key).toBe(key);
  });

  it('takes the job’s stored choices where the lists still offer them', () => {
    const stored = jobWith({
      name: 'from-cli',
      instanceProfile: 'cx2-2x4',
      zone: 'eu-de-2',
      vpcId: 'vpc-prod',
      subnetId: 'sn-prod-2',
      keyIds: ['key-audit', 'key-gone'],
    });
    expect(vpcDraft(stored)).toMatchObject({
      name: 'from-cli',
      instanceProfile: 'cx2-2x4',
      zone: 'eu-de-2',
      vpcId: 'vpc-prod',
      subnetId: 'sn-prod-2',
      keyIds: ['key-audit'],
    });
    const stale = jobWith({ instanceProfile: 'gone-profile', vpcId: 'vpc-gone', zone: 'eu-de-9', keyIds: 42 });
    expect(vpcDraft(stale)).toMatchObject({
      instanceProfile: 'bx2-2x8',
      vpcId: 'vpc-prod',
      zone: 'eu-de-1',
      keyIds: ['key-ops'],
    });
  });

  it('keeps what the officer chose when the lists are fetched again, dropping what is gone', () => {
    const chosen = { ...withZone(vpcDraft(), 'eu-de-2'), name: 'kept-name', keyIds: ['key-audit'] };
    const refreshed = { ...VPC_OFFER, subnets: VPC_OFFER.subnets.filter((subnet) => subnet.id !== 'sn-prod-2') };
    const again = provisionDraft(refreshed, jobWith({ name: 'stored-name' }), chosen);
    expect(again).toMatchObject({ name: 'kept-name', zone: 'eu-de-2', subnetId: '', keyIds: ['key-audit'] });
    expect(again.offered).toBe(refreshed);
  });

  it('names a list the account leaves empty, with the region', () => {
    const bare: ProvisionChoices = { ...VPC_OFFER, instanceProfiles: [], zones: [], vpcs: [], subnets: [] };
    const draft = vpcDraft(jobWith(), bare);
    expect(draft).toMatchObject({ instanceProfile: '', zone: '', vpcId: '', subnetId: '' });
    expect(provisionRequest(draft).problems).toEqual({
      instanceProfile: { key: 'noProfiles', values: { region: 'eu-de' } },
      zone: { key: 'noZones', values: { region: 'eu-de' } },
      vpcId: { key: 'noVpcs', values: { region: 'eu-de' } },
    });
  });
});

describe('the classic provision form', () => {
  it('starts with main’s host name, domain and datacenter fallbacks, 1 CPU, 2048 MiB, hourly', () => {
    const job = jobWith();
    expect(classicDraft(job)).toMatchObject({
      hostname: hostnameFrom(`${job.name}-${job.id.slice(-8)}`),
      domain: 'sandbox.example',
      datacenter: 'dal12',
      cpus: String(CLASSIC_FALLBACKS.cpus),
      memoryMiB: String(CLASSIC_FALLBACKS.memoryMiB),
      hourly: true,
    });
    expect(classicDraft(job).hostname).toBe('web-server-2-qcow2-abcdef12');
  });

  it('on a real account (no fallbacks) takes the first datacenter and asks for the domain', () => {
    const draft = classicDraft(jobWith(), { ...CLASSIC_OFFER, defaults: { domain: null, datacenter: null } });
    expect(draft).toMatchObject({ domain: '', datacenter: 'dal10' });
    expect(provisionRequest(draft).problems).toEqual({ domain: { key: 'required' } });
  });

  it('sends every choice, which main’s schema takes as it is', () => {
    const draft = { ...classicDraft(), hostname: ' web-1 ', domain: 'example.com', cpus: '4', memoryMiB: '8192' };
    const { options } = provisionRequest({ ...draft, hourly: false, datacenter: 'fra02' });
    expect(options).toEqual({
      hostname: 'web-1',
      domain: 'example.com',
      cpus: 4,
      memoryMiB: 8192,
      datacenter: 'fra02',
      hourly: false,
    });
    expect(ProvisionOptionsSchema.parse(options)).toEqual(options);
  });

  it('marks each field that SoftLayer or main’s schema would refuse', () => {
    const draft: ClassicProvisionDraft = {
      ...classicDraft(),
      hostname: 'web_1',
      domain: 'localhost',
      cpus: '57',
      memoryMiB: '1023',
      datacenter: 'ams01',
    };
    expect(provisionRequest(draft).problems).toEqual({
      hostname: { key: 'hostname' },
      domain: { key: 'domain' },
      cpus: { key: 'range', values: { min: 1, max: 56 } },
      memoryMiB: { key: 'atLeast', values: { min: 1024 } },
      datacenter: { key: 'notOffered' },
    });
    const typed = provisionRequest({
      ...draft,
      hostname: 'h'.repeat(64),
      domain: `${'d'.repeat(190)}.com`,
      cpus: '2.5',
      memoryMiB: '',
    });
    expect(typed.problems).toMatchObject({
      hostname: { key: 'atMost', values: { max: 63 } },
      domain: { key: 'atMost', values: { max: 190 } },
      cpus: { key: 'wholeNumber' },
      memoryMiB: { key: 'required' },
    });
  });

  it('keeps PROVISION_LIMITS in step with ProvisionOptionsSchema', () => {
    const accepts = (options: Record<string, unknown>) => ProvisionOptionsSchema.safeParse(options).success;
    const { name, hostname, domain, cpus, memoryMiB } = PROVISION_LIMITS;
    expect(accepts({ cpus: cpus.min })).toBe(true);
    expect(accepts({ cpus: cpus.min - 1 })).toBe(false);
    expect(accepts({ cpus: cpus.max })).toBe(true);
    expect(accepts({ cpus: cpus.max + 1 })).toBe(false);
    expect(accepts({ memoryMiB: memoryMiB.min })).toBe(true);
    expect(accepts({ memoryMiB: memoryMiB.min - 1 })).toBe(false);
    for (const [field, limit] of [
      ['name', name.max],
      ['hostname', hostname.max],
      ['domain', domain.max],
    ] as const) {
      expect(accepts({ [field]: 'a'.repeat(limit) }), `${field} at its limit`).toBe(true);
      expect(accepts({ [field]: 'a'.repeat(limit + 1) }), `${field} beyond its limit`).toBe(false);
    }
  });
});
