import { z } from 'zod';
import { AppError } from '../common/errors';
import { callWithBearer, DEFAULT_HTTP_POLICY, type CloudCall, type HttpPolicy, type TokenSource } from './cloud-http';
import { parseCosHref, vpcNameProblem } from './cloud-names';
import { vpcError, type AuthorizationNeed } from './ibm-errors';
import { DEFAULT_POLL, pollUntil, type PollOptions } from './poll';

/** The API version date this client was written against (VPC requires one on every call). */
export const VPC_API_VERSION = '2025-04-08';

const Reference = z.object({
  id: z.string().optional(),
  name: z.string().optional(),
  crn: z.string().optional(),
  href: z.string().optional(),
});

export const VpcImageSchema = z.object({
  id: z.string(),
  name: z.string(),
  crn: z.string().optional(),
  href: z.string().optional(),
  status: z.string(),
  status_reasons: z
    .array(z.object({ code: z.string(), message: z.string().default(''), more_info: z.string().optional() }))
    .default([]),
  encryption: z.string().optional(),
  encryption_key: z.object({ crn: z.string() }).optional(),
  file: z
    .object({
      href: z.string().optional(),
      size: z.number().optional(),
      checksums: z.object({ sha256: z.string() }).optional(),
    })
    .optional(),
  operating_system: z.object({ name: z.string() }).passthrough().optional(),
  created_at: z.string().optional(),
  resource_group: Reference.optional(),
});
export type VpcImage = z.infer<typeof VpcImageSchema>;

export const OperatingSystemSchema = z.object({
  name: z.string(),
  display_name: z.string().optional(),
  family: z.string().optional(),
  vendor: z.string().optional(),
  version: z.string().optional(),
  architecture: z.string().optional(),
  allow_user_image_creation: z.boolean().optional(),
});
export type OperatingSystem = z.infer<typeof OperatingSystemSchema>;

export const InstanceProfileSchema = z.object({
  name: z.string(),
  family: z.string().optional(),
  vcpu_count: z.object({ value: z.number().optional() }).passthrough().optional(),
  memory: z.object({ value: z.number().optional() }).passthrough().optional(),
});
export type InstanceProfile = z.infer<typeof InstanceProfileSchema>;

export const ZoneSchema = z.object({ name: z.string(), status: z.string().optional(), region: Reference.optional() });
export type Zone = z.infer<typeof ZoneSchema>;

export const VpcSchema = z.object({
  id: z.string(),
  name: z.string(),
  crn: z.string().optional(),
  status: z.string().optional(),
});
export type Vpc = z.infer<typeof VpcSchema>;

export const SubnetSchema = z.object({
  id: z.string(),
  name: z.string(),
  zone: Reference.optional(),
  vpc: Reference.optional(),
  ipv4_cidr_block: z.string().optional(),
  status: z.string().optional(),
});
export type Subnet = z.infer<typeof SubnetSchema>;

export const SshKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  type: z.string().optional(),
  fingerprint: z.string().optional(),
});
export type SshKey = z.infer<typeof SshKeySchema>;

export const InstanceSchema = z.object({
  id: z.string(),
  name: z.string(),
  crn: z.string().optional(),
  status: z.string(),
  status_reasons: z.array(z.object({ code: z.string(), message: z.string().default('') })).default([]),
  zone: Reference.optional(),
  vpc: Reference.optional(),
  profile: Reference.optional(),
  image: Reference.optional(),
  primary_network_interface: z
    .object({ id: z.string().optional(), primary_ip: z.object({ address: z.string().optional() }).optional() })
    .passthrough()
    .optional(),
  created_at: z.string().optional(),
});
export type Instance = z.infer<typeof InstanceSchema>;

export interface CreateImageInput {
  name: string;
  /** `cos://region/bucket/key` */
  fileHref: string;
  operatingSystem: string;
  /** the WDEK; with `rootKeyCrn` or not at all */
  wrappedDek?: string;
  rootKeyCrn?: string;
  resourceGroupId?: string;
}

export interface CreateInstanceInput {
  name: string;
  imageId: string;
  profile: string;
  zone: string;
  vpcId: string;
  subnetId: string;
  keyIds: string[];
  resourceGroupId?: string;
}

export interface VpcClientOptions {
  /** e.g. https://us-south.iaas.cloud.ibm.com */
  endpoint: string;
  token: TokenSource;
  version?: string;
  http?: Partial<HttpPolicy>;
}

export const IMAGE_FINAL_STATES = new Set(['available', 'failed', 'deprecated', 'obsolete', 'unusable', 'deleting']);
export const INSTANCE_FINAL_STATES = new Set(['running', 'failed', 'stopped', 'deleting']);

/** VPC REST (generation 2) for the calls the import and provision steps make. */
export class VpcClient {
  private readonly endpoint: string;
  private readonly version: string;
  private readonly policy: HttpPolicy;

  constructor(private readonly options: VpcClientOptions) {
    this.endpoint = options.endpoint.replace(/\/+$/, '');
    this.version = options.version ?? VPC_API_VERSION;
    this.policy = { ...DEFAULT_HTTP_POLICY, ...options.http };
  }

  async createImage(input: CreateImageInput, signal?: AbortSignal): Promise<VpcImage> {
    const nameProblem = vpcNameProblem(input.name);
    if (nameProblem) {
      throw new AppError('IMAGE_NAME_INVALID', `"${input.name}" is not a valid VPC image name: ${nameProblem}.`, {
        hint: 'Use lower-case letters, digits and hyphens, starting with a letter, at most 63 characters (e.g. "ubuntu-sealed-1").',
        details: { name: input.name },
      });
    }
    if (!parseCosHref(input.fileHref)) {
      throw new AppError(
        'IMAGE_FILE_INVALID',
        `The image file reference "${input.fileHref}" is not of the form cos://region/bucket/key.`,
      );
    }
    if ((input.wrappedDek === undefined) !== (input.rootKeyCrn === undefined)) {
      throw new AppError(
        'IMAGE_KEY_INCOMPLETE',
        'An encrypted image needs both the wrapped DEK and the root key CRN.',
        {
          hint: 'Wrap the job first ("image-sealer wrap JOB").',
        },
      );
    }
    const body: Record<string, unknown> = {
      name: input.name,
      file: { href: input.fileHref },
      operating_system: { name: input.operatingSystem },
    };
    if (input.wrappedDek !== undefined && input.rootKeyCrn !== undefined) {
      body.encrypted_data_key = input.wrappedDek;
      body.encryption_key = { crn: input.rootKeyCrn };
    }
    if (input.resourceGroupId) body.resource_group = { id: input.resourceGroupId };
    const response = await this.call(
      { method: 'POST', path: '/v1/images', body, signal },
      'create the image',
      'vpcImport',
    );
    return VpcImageSchema.parse(response);
  }

  async getImage(id: string, signal?: AbortSignal): Promise<VpcImage> {
    return VpcImageSchema.parse(
      await this.call(
        { method: 'GET', path: `/v1/images/${encodeURIComponent(id)}`, signal },
        `read image ${id}`,
        'vpcRead',
      ),
    );
  }

  /** Private images with exactly this name (names are unique per region and account). */
  async findImagesByName(name: string, signal?: AbortSignal): Promise<VpcImage[]> {
    const images = await this.list('/v1/images', 'images', { name, visibility: 'private' }, 'list images', signal);
    return images.map((image) => VpcImageSchema.parse(image)).filter((image) => image.name === name);
  }

  async deleteImage(id: string, signal?: AbortSignal): Promise<void> {
    await this.call(
      { method: 'DELETE', path: `/v1/images/${encodeURIComponent(id)}`, signal },
      `delete image ${id}`,
      'vpcImport',
    );
  }

  /** Follows an image until it is usable or has failed; each status read goes to `onStatus`. */
  waitForImage(
    id: string,
    options: Partial<Omit<PollOptions, 'what'>> & { onStatus?: (image: VpcImage) => void | Promise<void> } = {},
  ): Promise<VpcImage> {
    return pollUntil(
      () => this.getImage(id, options.signal),
      (image) => IMAGE_FINAL_STATES.has(image.status),
      { ...DEFAULT_POLL, ...options, what: `image ${id} to become available` },
      options.onStatus,
    );
  }

  async listOperatingSystems(signal?: AbortSignal): Promise<OperatingSystem[]> {
    const items = await this.list('/v1/operating_systems', 'operating_systems', {}, 'list operating systems', signal);
    return items.map((item) => OperatingSystemSchema.parse(item));
  }

  async listInstanceProfiles(signal?: AbortSignal): Promise<InstanceProfile[]> {
    const items = await this.list('/v1/instance/profiles', 'profiles', {}, 'list instance profiles', signal);
    return items.map((item) => InstanceProfileSchema.parse(item));
  }

  async listZones(region: string, signal?: AbortSignal): Promise<Zone[]> {
    const items = await this.list(
      `/v1/regions/${encodeURIComponent(region)}/zones`,
      'zones',
      {},
      `list the zones of ${region}`,
      signal,
    );
    return items.map((item) => ZoneSchema.parse(item));
  }

  async listVpcs(signal?: AbortSignal): Promise<Vpc[]> {
    return (await this.list('/v1/vpcs', 'vpcs', {}, 'list VPCs', signal)).map((item) => VpcSchema.parse(item));
  }

  async listSubnets(signal?: AbortSignal): Promise<Subnet[]> {
    return (await this.list('/v1/subnets', 'subnets', {}, 'list subnets', signal)).map((item) =>
      SubnetSchema.parse(item),
    );
  }

  async listKeys(signal?: AbortSignal): Promise<SshKey[]> {
    return (await this.list('/v1/keys', 'keys', {}, 'list SSH keys', signal)).map((item) => SshKeySchema.parse(item));
  }

  async createInstance(input: CreateInstanceInput, signal?: AbortSignal): Promise<Instance> {
    const nameProblem = vpcNameProblem(input.name);
    if (nameProblem) {
      throw new AppError('INSTANCE_NAME_INVALID', `"${input.name}" is not a valid instance name: ${nameProblem}.`, {
        details: { name: input.name },
      });
    }
    const body: Record<string, unknown> = {
      name: input.name,
      image: { id: input.imageId },
      profile: { name: input.profile },
      zone: { name: input.zone },
      vpc: { id: input.vpcId },
      primary_network_interface: { subnet: { id: input.subnetId } },
      keys: input.keyIds.map((id) => ({ id })),
    };
    if (input.resourceGroupId) body.resource_group = { id: input.resourceGroupId };
    return InstanceSchema.parse(
      await this.call({ method: 'POST', path: '/v1/instances', body, signal }, 'create the instance', 'vpcInstance'),
    );
  }

  async getInstance(id: string, signal?: AbortSignal): Promise<Instance> {
    return InstanceSchema.parse(
      await this.call(
        { method: 'GET', path: `/v1/instances/${encodeURIComponent(id)}`, signal },
        `read instance ${id}`,
        'vpcRead',
      ),
    );
  }

  async findInstancesByName(name: string, signal?: AbortSignal): Promise<Instance[]> {
    const items = await this.list('/v1/instances', 'instances', { name }, 'list instances', signal);
    return items.map((item) => InstanceSchema.parse(item)).filter((instance) => instance.name === name);
  }

  waitForInstance(
    id: string,
    options: Partial<Omit<PollOptions, 'what'>> & { onStatus?: (instance: Instance) => void | Promise<void> } = {},
  ): Promise<Instance> {
    return pollUntil(
      () => this.getInstance(id, options.signal),
      (instance) => INSTANCE_FINAL_STATES.has(instance.status),
      { ...DEFAULT_POLL, timeoutMs: 30 * 60_000, ...options, what: `instance ${id} to start` },
      options.onStatus,
    );
  }

  /** Reads every page of a collection (VPC pages with `next.href` carrying a `start` token). */
  private async list(
    path: string,
    field: string,
    query: Record<string, string>,
    action: string,
    signal?: AbortSignal,
  ): Promise<unknown[]> {
    const items: unknown[] = [];
    let start: string | undefined;
    for (let page = 0; page < 100; page += 1) {
      const body = (await this.call(
        { method: 'GET', path, query: { limit: '100', ...query, ...(start ? { start } : {}) }, signal },
        action,
        'vpcRead',
      )) as Record<string, unknown> | null;
      const pageItems = body?.[field];
      if (!Array.isArray(pageItems)) {
        throw new AppError(
          'CLOUD_RESPONSE_INVALID',
          `The VPC service answered "${action}" without a list of ${field}.`,
        );
      }
      items.push(...pageItems);
      const next = (body?.next as { href?: unknown } | undefined)?.href;
      if (typeof next !== 'string') break;
      start = new URL(next).searchParams.get('start') ?? undefined;
      if (!start) break;
    }
    return items;
  }

  private async call(input: CloudCall, action: string, need: AuthorizationNeed): Promise<unknown> {
    const url = new URL(`${this.endpoint}${input.path}`);
    url.searchParams.set('version', this.version);
    url.searchParams.set('generation', '2');
    return callWithBearer(url, input, this.options.token, this.policy, 'the VPC service', (response) =>
      vpcError(response, action, need),
    );
  }
}
