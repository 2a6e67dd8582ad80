import { z } from 'zod';
import { ProvisionOptionsSchema } from '../../cloud/provision-options';
import { JobSchema } from '../../jobs/job';
import { JobIdInput } from './common';
import { defineCalls } from './define';

const ProfileName = z.string().min(1).max(64);

export const OperatingSystemChoiceSchema = z.object({
  name: z.string(),
  displayName: z.string(),
  family: z.string().nullable(),
});

export const ProvisionChoicesSchema = z.object({
  kind: z.enum(['vpc', 'classic']),
  region: z.string(),
  instanceProfiles: z.array(z.object({ name: z.string(), label: z.string() })),
  zones: z.array(z.string()),
  vpcs: z.array(z.object({ id: z.string(), name: z.string() })),
  subnets: z.array(
    z.object({ id: z.string(), name: z.string(), zone: z.string().nullable(), vpcId: z.string().nullable() }),
  ),
  keys: z.array(z.object({ id: z.string(), name: z.string() })),
  datacenters: z.array(z.string()),
  /** what main uses for a classic server when nothing is chosen (the sandbox has both; a real account neither) */
  defaults: z.object({ domain: z.string().nullable(), datacenter: z.string().nullable() }),
});

/**
 * The naming rules main applies to what a provision sends (and the names it makes when none is given), shared
 * with the renderer's provision form so both refuse and suggest the same names.
 */
export {
  isClassicDomain,
  isClassicHostname,
  VPC_NAME_MAX,
  vpcNameFrom,
  vpcNameRuleBroken,
  type VpcNameRule,
} from '../../cloud/cloud-names';
export { hostnameFrom, type ProvisionOptions } from '../../cloud/provision-options';

export const cloudCalls = defineCalls({
  listOperatingSystems: {
    summary: 'Operating systems an imported image may declare (VPC names or classic reference codes)',
    input: z.object({ profile: ProfileName.optional(), kind: z.enum(['vpc', 'classic']) }).strict(),
    output: z.array(OperatingSystemChoiceSchema),
  },
  startImport: {
    summary: 'Store the import choices on an uploaded job and run its import step in the background',
    input: JobIdInput.extend({
      os: z.string().min(1).max(100).optional(),
      name: z.string().min(1).max(100).optional(),
    }).strict(),
    output: z.object({ started: z.boolean(), job: JobSchema }),
  },
  startProvision: {
    summary: 'Store the provision choices on an imported job and order the server in the background',
    input: JobIdInput.extend({ options: ProvisionOptionsSchema.default({}) }).strict(),
    output: z.object({ started: z.boolean(), job: JobSchema }),
  },
  listProvisionChoices: {
    summary: 'What a provision of this job can choose from: instance profiles, zones, VPCs, subnets, keys',
    input: JobIdInput,
    output: ProvisionChoicesSchema,
  },
});
