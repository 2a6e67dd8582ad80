import { z } from 'zod';
import { AppError } from '../common/errors';
import { callWithBearer, DEFAULT_HTTP_POLICY, type CloudCall, type HttpPolicy, type TokenSource } from './cloud-http';
import { parseCosHref } from './cloud-names';
import { softLayerError, type AuthorizationNeed } from './ibm-errors';
import { DEFAULT_POLL, pollUntil, type PollOptions } from './poll';
import { STATUS_REASONS } from './status-reasons';

export const SOFTLAYER_ENDPOINT = 'https://api.softlayer.com';

const TEMPLATE_SERVICE = 'SoftLayer_Virtual_Guest_Block_Device_Template_Group';
const GUEST_SERVICE = 'SoftLayer_Virtual_Guest';
const TEMPLATE_MASK =
  'mask[id,globalIdentifier,name,note,createDate,status[keyName,name,description],children[id,transactionId,transaction[id,transactionStatus[name,friendlyName]]]]';
const GUEST_MASK =
  'mask[id,globalIdentifier,hostname,domain,fullyQualifiedDomainName,primaryIpAddress,powerState[keyName,name],status[keyName,name],activeTransaction[id,transactionStatus[name,friendlyName]],provisionDate,blockDeviceTemplateGroup[globalIdentifier]]';

const KeyName = z.object({ keyName: z.string(), name: z.string().optional(), description: z.string().nullish() });

export const TemplateSchema = z.object({
  id: z.number(),
  globalIdentifier: z.string().optional(),
  name: z.string().optional(),
  note: z.string().nullish(),
  createDate: z.string().optional(),
  status: KeyName.nullish(),
  children: z
    .array(
      z.object({
        id: z.number().optional(),
        transactionId: z.number().nullish(),
        transaction: z
          .object({ transactionStatus: z.object({ name: z.string() }).passthrough().optional() })
          .passthrough()
          .nullish(),
      }),
    )
    .optional(),
});
export type ImageTemplate = z.infer<typeof TemplateSchema>;

export const GuestSchema = z.object({
  id: z.number(),
  globalIdentifier: z.string().optional(),
  hostname: z.string().optional(),
  domain: z.string().optional(),
  fullyQualifiedDomainName: z.string().optional(),
  primaryIpAddress: z.string().nullish(),
  powerState: KeyName.nullish(),
  status: KeyName.nullish(),
  activeTransaction: z.object({ id: z.number().optional() }).passthrough().nullish(),
  provisionDate: z.string().nullish(),
  blockDeviceTemplateGroup: z.object({ globalIdentifier: z.string().optional() }).nullish(),
});
export type VirtualGuest = z.infer<typeof GuestSchema>;

export const ClassicOperatingSystemSchema = z.object({
  referenceCode: z.string().nullish(),
  name: z.string().optional(),
  version: z.string().optional(),
  longDescription: z.string().nullish(),
});
export type ClassicOperatingSystem = z.infer<typeof ClassicOperatingSystemSchema>;

/** The configuration createFromIcos takes (softlayer-go `Container_Virtual_Guest_Block_Device_Template_Configuration`). */
export interface CreateFromIcosInput {
  name: string;
  note?: string;
  operatingSystemReferenceCode: string;
  /** `cos://region/bucket/key` */
  uri: string;
  /**
   * An API key IBM uses to read the object and unwrap the WDEK. A secret sent to IBM: this module never logs,
   * returns or stores it.
   */
  ibmApiKey: string;
  crkCrn: string;
  wrappedDek: string;
  byol?: boolean;
  bootMode?: 'HVM' | 'PV';
}

export interface CreateGuestInput {
  hostname: string;
  domain: string;
  startCpus: number;
  maxMemory: number;
  datacenter: string;
  templateGlobalIdentifier: string;
  hourlyBillingFlag?: boolean;
  localDiskFlag?: boolean;
}

export interface SoftLayerClientOptions {
  endpoint?: string;
  token: TokenSource;
  http?: Partial<HttpPolicy>;
}

/** The import is over when no transaction runs on the template's (first) child any more. */
export function templateTransactionDone(template: ImageTemplate): boolean {
  const child = template.children?.[0];
  return child !== undefined && (child.transactionId === null || child.transactionId === undefined);
}

/** Reason codes a failed template names in its status description (IBM's codes, where the service gives one). */
export function templateFailureReasons(template: ImageTemplate): Array<{ code: string; message: string }> {
  const status = template.status;
  if (!status || status.keyName === 'ACTIVE') return [];
  const text = status.description ?? status.name ?? status.keyName;
  const code = Object.keys(STATUS_REASONS).find((known) => text.includes(known)) ?? status.keyName.toLowerCase();
  return [{ code, message: text }];
}

export function templateStatus(template: ImageTemplate): 'pending' | 'available' | 'failed' {
  if (!templateTransactionDone(template)) return 'pending';
  return !template.status || template.status.keyName === 'ACTIVE' ? 'available' : 'failed';
}

export function guestRunning(guest: VirtualGuest): boolean {
  return guest.powerState?.keyName === 'RUNNING' && !guest.activeTransaction;
}

/** SoftLayer REST v3.1 for classic image templates and virtual servers, with IAM bearer tokens. */
export class SoftLayerClient {
  private readonly endpoint: string;
  private readonly policy: HttpPolicy;

  constructor(private readonly options: SoftLayerClientOptions) {
    // Profiles may name the API root with or without its version path (https://api.softlayer.com/rest/v3.1).
    this.endpoint = (options.endpoint ?? SOFTLAYER_ENDPOINT).replace(/\/+$/, '').replace(/\/rest\/v3(\.1)?$/, '');
    this.policy = { ...DEFAULT_HTTP_POLICY, ...options.http };
  }

  async createFromIcos(input: CreateFromIcosInput, signal?: AbortSignal): Promise<ImageTemplate> {
    if (!parseCosHref(input.uri)) {
      throw new AppError(
        'IMAGE_FILE_INVALID',
        `The image file reference "${input.uri}" is not of the form cos://region/bucket/key.`,
      );
    }
    if (input.name.trim().length === 0) throw new AppError('IMAGE_NAME_INVALID', 'The image template needs a name.');
    const configuration = {
      name: input.name,
      note: input.note ?? '',
      operatingSystemReferenceCode: input.operatingSystemReferenceCode,
      uri: input.uri,
      ibmApiKey: input.ibmApiKey,
      crkCrn: input.crkCrn,
      wrappedDek: input.wrappedDek,
      // IBM forces cloud-init on for encrypted imports; saying so avoids a template that never boots configured.
      cloudInit: true,
      byol: input.byol ?? false,
      isEncrypted: true,
      bootMode: input.bootMode ?? 'HVM',
    };
    const body = await this.call(
      { method: 'POST', path: `/${TEMPLATE_SERVICE}/createFromIcos`, body: { parameters: [configuration] }, signal },
      'create the image template',
      'classicImport',
    );
    return TemplateSchema.parse(body);
  }

  async getTemplate(id: number, signal?: AbortSignal): Promise<ImageTemplate> {
    const body = await this.call(
      { method: 'GET', path: `/${TEMPLATE_SERVICE}/${id}/getObject`, query: { objectMask: TEMPLATE_MASK }, signal },
      `read image template ${id}`,
      'classicImport',
    );
    return TemplateSchema.parse(body);
  }

  /** The account's private templates with exactly this name (used to adopt a template created before a crash). */
  async findTemplatesByName(name: string, signal?: AbortSignal): Promise<ImageTemplate[]> {
    const filter = JSON.stringify({ blockDeviceTemplateGroups: { name: { operation: name } } });
    const body = await this.call(
      {
        method: 'GET',
        path: '/SoftLayer_Account/getBlockDeviceTemplateGroups',
        query: { objectMask: TEMPLATE_MASK, objectFilter: filter },
        signal,
      },
      'list image templates',
      'classicImport',
    );
    return z
      .array(TemplateSchema)
      .parse(body)
      .filter((template) => template.name === name);
  }

  waitForTemplate(
    id: number,
    options: Partial<Omit<PollOptions, 'what'>> & { onStatus?: (template: ImageTemplate) => void | Promise<void> } = {},
  ): Promise<ImageTemplate> {
    return pollUntil(
      () => this.getTemplate(id, options.signal),
      templateTransactionDone,
      { ...DEFAULT_POLL, ...options, what: `image template ${id} to finish importing` },
      options.onStatus,
    );
  }

  /** The operating systems a VHD import may name (`referenceCode` is what createFromIcos takes). */
  async listImportOperatingSystems(signal?: AbortSignal): Promise<ClassicOperatingSystem[]> {
    const body = await this.call(
      { method: 'GET', path: `/${TEMPLATE_SERVICE}/getVhdImportSoftwareDescriptions`, signal },
      'list the operating systems for image import',
      'classicImport',
    );
    return z
      .array(ClassicOperatingSystemSchema)
      .parse(body)
      .filter((entry) => entry.referenceCode);
  }

  /** Datacenters a virtual server may be ordered in (short names such as dal10). */
  async listDatacenters(signal?: AbortSignal): Promise<Array<{ name: string; longName?: string }>> {
    const body = await this.call(
      {
        method: 'GET',
        path: '/SoftLayer_Location_Datacenter/getDatacenters',
        query: { objectMask: 'mask[id,name,longName]' },
        signal,
      },
      'list datacenters',
      'classicInstance',
    );
    return z.array(z.object({ name: z.string(), longName: z.string().optional() })).parse(body);
  }

  async createGuest(input: CreateGuestInput, signal?: AbortSignal): Promise<VirtualGuest> {
    const template = {
      hostname: input.hostname,
      domain: input.domain,
      startCpus: input.startCpus,
      maxMemory: input.maxMemory,
      datacenter: { name: input.datacenter },
      hourlyBillingFlag: input.hourlyBillingFlag ?? true,
      localDiskFlag: input.localDiskFlag ?? false,
      blockDeviceTemplateGroup: { globalIdentifier: input.templateGlobalIdentifier },
    };
    const body = await this.call(
      { method: 'POST', path: `/${GUEST_SERVICE}/createObject`, body: { parameters: [template] }, signal },
      'order the virtual server',
      'classicInstance',
    );
    return GuestSchema.parse(body);
  }

  async getGuest(id: number, signal?: AbortSignal): Promise<VirtualGuest> {
    const body = await this.call(
      { method: 'GET', path: `/${GUEST_SERVICE}/${id}/getObject`, query: { objectMask: GUEST_MASK }, signal },
      `read virtual server ${id}`,
      'classicInstance',
    );
    return GuestSchema.parse(body);
  }

  async findGuestsByHostname(hostname: string, domain: string, signal?: AbortSignal): Promise<VirtualGuest[]> {
    const filter = JSON.stringify({
      virtualGuests: { hostname: { operation: hostname }, domain: { operation: domain } },
    });
    const body = await this.call(
      {
        method: 'GET',
        path: '/SoftLayer_Account/getVirtualGuests',
        query: { objectMask: GUEST_MASK, objectFilter: filter },
        signal,
      },
      'list virtual servers',
      'classicInstance',
    );
    return z
      .array(GuestSchema)
      .parse(body)
      .filter((guest) => guest.hostname === hostname && guest.domain === domain);
  }

  waitForGuest(
    id: number,
    options: Partial<Omit<PollOptions, 'what'>> & { onStatus?: (guest: VirtualGuest) => void | Promise<void> } = {},
  ): Promise<VirtualGuest> {
    return pollUntil(
      () => this.getGuest(id, options.signal),
      guestRunning,
      { ...DEFAULT_POLL, timeoutMs: 2 * 60 * 60_000, ...options, what: `virtual server ${id} to power on` },
      options.onStatus,
    );
  }

  private async call(input: CloudCall, action: string, need: AuthorizationNeed): Promise<unknown> {
    const url = new URL(`${this.endpoint}/rest/v3.1${input.path}`);
    return callWithBearer(url, input, this.options.token, this.policy, 'the classic infrastructure (SoftLayer) API', (response) =>
      softLayerError(response, action, need),
    );
  }
}
