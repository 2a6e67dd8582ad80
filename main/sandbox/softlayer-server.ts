import { randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { isClassicDomain, isClassicHostname, parseCosHref, rootKeyFromCrn } from '../cloud/cloud-names';
import type { TargetId } from '../targets';
import { BodyTooLargeError, listenLoopback, readBody, sendJson, type ListeningServer } from './http-server';
import { sandboxImageChecker, type ImageChecker } from './image-check';
import { CheckQueue, SandboxRecords } from './import-records';
import { bearerToken, verifySandboxToken } from './sandbox-token';
import type { SandboxService } from './services';

/**
 * A stand-in for the SoftLayer REST API (v3.1) on 127.0.0.1: image templates from COS (`createFromIcos`) and
 * virtual servers (`createObject`). Requests are validated like IBM does (required fields, the `cos://` form,
 * `<name>.vhd-0.vhd` for VHD, `.raw` for the LUKS path, WDEK and CRN for encrypted imports, cloud-init forced
 * on), and the import is really checked by `ImageChecker`; the template's child carries a transaction until then.
 */
export interface SoftLayerServerOptions {
  dataDir: string;
  region: string;
  apiKey: string;
  tokenSigningKey: Buffer;
  checker: ImageChecker;
  accountId?: number;
  guestBootMs?: number;
  unref?: boolean;
  log?: (message: string) => void;
}

export interface SoftLayerSandbox extends ListeningServer {
  idle(): Promise<void>;
}

interface KeyName {
  keyName: string;
  name: string;
  description?: string;
}

interface TemplateRecord {
  id: number;
  globalIdentifier: string;
  name: string;
  note: string;
  accountId: number;
  createDate: string;
  status: KeyName;
  children: Array<{
    id: number;
    name: string;
    transactionId: number | null;
    transaction: { id: number; transactionStatus: { name: string; friendlyName: string } } | null;
  }>;
  datacenters: Array<{ name: string }>;
  /** what the import was asked for; the WDEK is ciphertext, the ibmApiKey is never stored */
  import: {
    target: TargetId;
    uri: string;
    operatingSystemReferenceCode: string;
    wrappedDek: string;
    crkCrn: string;
    cloudInit: boolean;
    byol: boolean;
    bootMode: string;
  };
}

interface GuestRecord {
  id: number;
  globalIdentifier: string;
  hostname: string;
  domain: string;
  fullyQualifiedDomainName: string;
  startCpus: number;
  maxMemory: number;
  hourlyBillingFlag: boolean;
  localDiskFlag: boolean;
  datacenter: { name: string };
  blockDeviceTemplateGroup: { globalIdentifier: string };
  primaryIpAddress: string;
  createDate: string;
  accountId: number;
}

export const SANDBOX_DATACENTERS = ['dal10', 'dal12', 'dal13', 'wdc06', 'wdc07', 'fra02', 'lon06', 'tok02', 'syd05'];
export const CLASSIC_OS_REFERENCE_CODES = [
  'UBUNTU_22_64',
  'UBUNTU_20_64',
  'DEBIAN_12_64',
  'DEBIAN_11_64',
  'REDHAT_9_64',
  'REDHAT_8_64',
  'CENTOS_8_64',
  'CENTOS_7_64',
  'ROCKYLINUX_9_64',
  'WIN_2022-STD_64',
  'WIN_2019-STD_64',
];

function softwareDescription(referenceCode: string, index: number) {
  const [family, version] = referenceCode.split('_');
  const name = family.charAt(0) + family.slice(1).toLowerCase();
  return { id: 1000 + index, referenceCode, name, version, longDescription: `${name} ${version} (64 bit)` };
}

/** SoftLayer answers most faults with HTTP 500 and `{error, code}`; unknown objects with 404. */
class SoftLayerFault extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const publicFault = (message: string) => new SoftLayerFault(500, 'SoftLayer_Exception_Public', message);
const notFound = (type: string, id: string) =>
  new SoftLayerFault(
    404,
    'SoftLayer_Exception_ObjectNotFound',
    `Unable to find object with id of '${id}'.${type ? ` (${type})` : ''}`,
  );

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

async function parametersOf(request: IncomingMessage): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = (await readBody(request, 256 * 1024)).toString('utf8');
  } catch (error) {
    if (error instanceof BodyTooLargeError) throw publicFault('The request body is too large.');
    throw error;
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw publicFault('Unable to parse the request body as JSON.');
  }
  const parameters = (body as { parameters?: unknown } | null)?.parameters;
  if (!Array.isArray(parameters) || typeof parameters[0] !== 'object' || parameters[0] === null) {
    throw publicFault('The request body must be {"parameters": [ {...} ]}.');
  }
  return parameters[0] as Record<string, unknown>;
}

function requiredString(config: Record<string, unknown>, name: string): string {
  const value = config[name];
  if (typeof value !== 'string' || value.trim().length === 0) throw publicFault(`Property '${name}' is required.`);
  return value;
}

function optionalBoolean(config: Record<string, unknown>, name: string): boolean | undefined {
  const value = config[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw publicFault(`Property '${name}' must be a boolean.`);
  return value;
}

/** `objectFilter={"x":{"name":{"operation":"value"}}}` → the value (only exact matches are supported here). */
function filterValue(url: URL, collection: string, property: string): string | undefined {
  const text = url.searchParams.get('objectFilter');
  if (!text) return undefined;
  try {
    const filter = JSON.parse(text) as Record<string, Record<string, { operation?: unknown }>>;
    const operation = filter[collection]?.[property]?.operation;
    return typeof operation === 'string' ? operation : undefined;
  } catch {
    throw publicFault('objectFilter is not valid JSON.');
  }
}

export async function startSoftLayerServer(options: SoftLayerServerOptions): Promise<SoftLayerSandbox> {
  const dir = join(options.dataDir, 'sandbox', 'softlayer');
  const templates = await SandboxRecords.open<TemplateRecord>(join(dir, 'templates'));
  const guests = await SandboxRecords.open<GuestRecord>(join(dir, 'guests'));
  const accountId = options.accountId ?? 1234567;
  const bootMs = options.guestBootMs ?? 1500;
  const queue = new CheckQueue();
  const stopping = new AbortController();
  const nextId = (records: Array<{ id: number }>, base: number) =>
    Math.max(base, ...records.map((record) => record.id)) + 1;

  const authorize = (request: IncomingMessage): void => {
    const header = request.headers.authorization ?? '';
    const token = bearerToken(header);
    if (token) {
      if (verifySandboxToken(token, options.tokenSigningKey)) return;
      throw new SoftLayerFault(
        401,
        'SoftLayer_Exception_Public',
        'Access Denied: the IAM token is invalid or expired.',
      );
    }
    const basic = /^Basic\s+(\S+)$/i.exec(header.trim());
    if (basic) {
      const [user, ...rest] = Buffer.from(basic[1], 'base64').toString('utf8').split(':');
      if (user === 'apikey' && sameText(rest.join(':'), options.apiKey)) return;
      throw new SoftLayerFault(401, 'SoftLayer_Exception_InvalidLegacyToken', 'Invalid API token.');
    }
    throw new SoftLayerFault(401, 'SoftLayer_Exception_Public', 'Access Denied: no credentials were given.');
  };

  const runCheck = (id: number): void => {
    void queue
      .run(async () => {
        const template = templates.get(id);
        if (!template || template.children[0]?.transactionId === null) return;
        let outcome;
        try {
          outcome = await options.checker(
            {
              target: template.import.target,
              fileHref: template.import.uri,
              wrappedDek: template.import.wrappedDek,
              rootKeyCrn: template.import.crkCrn,
            },
            stopping.signal,
          );
        } catch (error) {
          if (stopping.signal.aborted) return;
          options.log?.(
            `softlayer sandbox: image check of ${id} failed: ${error instanceof Error ? error.message : String(error)}`,
          );
          outcome = {
            status: 'failed' as const,
            reasons: [
              { code: 'internal_error', message: 'The sandbox could not check the image (see the sandbox log).' },
            ],
          };
        }
        const status: KeyName =
          outcome.status === 'available'
            ? { keyName: 'ACTIVE', name: 'Active' }
            : {
                keyName: 'IMPORT_FAILED',
                name: 'Import failed',
                description: outcome.reasons.map((entry) => `${entry.code}: ${entry.message}`).join('; '),
              };
        await templates.update(id, (current) => ({
          ...current,
          status,
          children: current.children.map((child) => ({ ...child, transactionId: null, transaction: null })),
        }));
      })
      .catch((error: unknown) =>
        options.log?.(`softlayer sandbox: ${error instanceof Error ? error.message : String(error)}`),
      );
  };

  async function createFromIcos(request: IncomingMessage): Promise<TemplateRecord> {
    const config = await parametersOf(request);
    const name = requiredString(config, 'name');
    if (name.length > 100) throw publicFault('The name may have at most 100 characters.');
    const uri = requiredString(config, 'uri');
    const cos = parseCosHref(uri);
    if (!cos) throw publicFault('The uri must be of the form cos://<region>/<bucket>/<object>.');
    if (cos.region !== options.region) throw publicFault(`The bucket must be in the region ${options.region}.`);
    const operatingSystemReferenceCode = requiredString(config, 'operatingSystemReferenceCode');
    if (!CLASSIC_OS_REFERENCE_CODES.includes(operatingSystemReferenceCode)) {
      throw publicFault(`Unknown operatingSystemReferenceCode '${operatingSystemReferenceCode}'.`);
    }
    const extension = /\.([A-Za-z0-9]+)$/.exec(cos.key)?.[1] ?? '';
    if (extension !== extension.toLowerCase()) throw publicFault('The image file extension must be lower case.');
    let target: TargetId;
    if (extension === 'vhd') {
      if (!/\.vhd-0\.vhd$/.test(cos.key)) throw publicFault('A VHD image must be named <name>.vhd-0.vhd.');
      target = 'classic-vhd';
    } else if (extension === 'raw') {
      target = 'classic-luks';
    } else {
      throw publicFault(
        'The image must be a VHD (<name>.vhd-0.vhd) or, for an encrypted LUKS image, a RAW (.raw) file.',
      );
    }
    const isEncrypted = optionalBoolean(config, 'isEncrypted') ?? false;
    if (!isEncrypted) throw publicFault('This sandbox imports encrypted images only: set isEncrypted to true.');
    const wrappedDek = requiredString(config, 'wrappedDek');
    const crkCrn = requiredString(config, 'crkCrn');
    if (!rootKeyFromCrn(crkCrn)) throw publicFault('crkCrn must be the CRN of a Key Protect or HPCS root key.');
    const ibmApiKey = requiredString(config, 'ibmApiKey');
    // IBM uses this key to read the object and unwrap; in the sandbox only the sandbox's own key does that.
    if (!sameText(ibmApiKey, options.apiKey)) throw publicFault('The ibmApiKey is not valid for this account.');
    const bootMode = config.bootMode === undefined ? 'HVM' : config.bootMode;
    if (bootMode !== 'HVM' && bootMode !== 'PV') throw publicFault("bootMode must be 'HVM' or 'PV'.");
    const id = nextId(templates.all(), 4_000_000);
    const template: TemplateRecord = {
      id,
      globalIdentifier: randomUUID(),
      name,
      note: typeof config.note === 'string' ? config.note : '',
      accountId,
      createDate: new Date().toISOString(),
      status: { keyName: 'CREATE_PENDING', name: 'Create pending' },
      children: [
        {
          id: id + 1,
          name,
          transactionId: randomInt(100_000_000, 999_999_999),
          transaction: null,
        },
      ],
      datacenters: [],
      import: {
        target,
        uri,
        operatingSystemReferenceCode,
        wrappedDek,
        crkCrn,
        // Encrypted imports always get cloud-init, whatever was asked.
        cloudInit: true,
        byol: optionalBoolean(config, 'byol') ?? false,
        bootMode,
      },
    };
    const child = template.children[0];
    child.transaction = {
      id: child.transactionId ?? 0,
      transactionStatus: { name: 'CLOUD_IMPORT', friendlyName: 'Importing image from Cloud Object Storage' },
    };
    await templates.put(template);
    runCheck(id);
    return template;
  }

  async function createGuest(request: IncomingMessage): Promise<GuestRecord> {
    const config = await parametersOf(request);
    const hostname = requiredString(config, 'hostname');
    if (!isClassicHostname(hostname)) throw publicFault('The hostname is not valid.');
    const domain = requiredString(config, 'domain');
    if (!isClassicDomain(domain)) throw publicFault('The domain is not valid.');
    const startCpus = config.startCpus;
    if (typeof startCpus !== 'number' || !Number.isInteger(startCpus) || startCpus < 1 || startCpus > 56) {
      throw publicFault('startCpus must be a whole number from 1 to 56.');
    }
    const maxMemory = config.maxMemory;
    if (typeof maxMemory !== 'number' || !Number.isInteger(maxMemory) || maxMemory < 1024) {
      throw publicFault('maxMemory must be a whole number of MB, at least 1024.');
    }
    const datacenter = (config.datacenter as { name?: unknown } | undefined)?.name;
    if (typeof datacenter !== 'string') throw publicFault("Property 'datacenter.name' is required.");
    if (!SANDBOX_DATACENTERS.includes(datacenter)) throw publicFault(`Unknown datacenter '${datacenter}'.`);
    const templateId = (config.blockDeviceTemplateGroup as { globalIdentifier?: unknown } | undefined)
      ?.globalIdentifier;
    if (typeof templateId !== 'string')
      throw publicFault("Property 'blockDeviceTemplateGroup.globalIdentifier' is required.");
    const template = templates.all().find((entry) => entry.globalIdentifier === templateId);
    if (!template) throw publicFault(`Image template ${templateId} was not found.`);
    if (template.status.keyName !== 'ACTIVE')
      throw publicFault(`Image template ${template.name} is not ready (${template.status.name}).`);
    if (guests.all().some((guest) => guest.hostname === hostname && guest.domain === domain)) {
      throw publicFault(`A virtual server named ${hostname}.${domain} exists already.`);
    }
    const id = nextId(guests.all(), 90_000_000);
    const guest: GuestRecord = {
      id,
      globalIdentifier: randomUUID(),
      hostname,
      domain,
      fullyQualifiedDomainName: `${hostname}.${domain}`,
      startCpus,
      maxMemory,
      hourlyBillingFlag: optionalBoolean(config, 'hourlyBillingFlag') ?? true,
      localDiskFlag: optionalBoolean(config, 'localDiskFlag') ?? false,
      datacenter: { name: datacenter },
      blockDeviceTemplateGroup: { globalIdentifier: templateId },
      primaryIpAddress: `10.${randomInt(1, 254)}.${randomInt(1, 254)}.${randomInt(2, 254)}`,
      createDate: new Date().toISOString(),
      accountId,
    };
    await guests.put(guest);
    return guest;
  }

  const templateView = (template: TemplateRecord) => {
    const { import: request, ...visible } = template;
    return {
      ...visible,
      flexImageFlag: false,
      note: visible.note,
      operatingSystemReferenceCode: request.operatingSystemReferenceCode,
    };
  };

  /** Provisioning follows the clock, so it carries on across sandbox restarts without timers. */
  const guestView = (guest: GuestRecord) => {
    const booted = Date.now() - Date.parse(guest.createDate) >= bootMs;
    return {
      ...guest,
      powerState: booted ? { keyName: 'RUNNING', name: 'Running' } : { keyName: 'HALTED', name: 'Halted' },
      status: { keyName: 'ACTIVE', name: 'Active' },
      activeTransaction: booted
        ? null
        : { id: guest.id + 7, transactionStatus: { name: 'PROVISION', friendlyName: 'Provisioning the server' } },
      provisionDate: booted ? new Date(Date.parse(guest.createDate) + bootMs).toISOString() : null,
    };
  };

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const match = /^\/rest\/v3(?:\.1)?\/([A-Za-z_]+)(?:\/(\d+))?(?:\/([A-Za-z]+))?(?:\.json)?\/?$/.exec(url.pathname);
    if (!match) throw new SoftLayerFault(404, 'SoftLayer_Exception_Public', `Unknown path ${url.pathname}.`);
    authorize(request);
    const [, service, id, methodName = 'getObject'] = match;
    const method = request.method ?? 'GET';

    if (service === 'SoftLayer_Virtual_Guest_Block_Device_Template_Group') {
      if (!id && methodName === 'createFromIcos' && method === 'POST')
        return sendJson(response, 201, templateView(await createFromIcos(request)));
      if (!id && methodName === 'getVhdImportSoftwareDescriptions' && method === 'GET') {
        return sendJson(response, 200, CLASSIC_OS_REFERENCE_CODES.map(softwareDescription));
      }
      if (id && methodName === 'getObject' && method === 'GET') {
        const template = templates.get(Number(id));
        if (!template) throw notFound('SoftLayer_Virtual_Guest_Block_Device_Template_Group', id);
        return sendJson(response, 200, templateView(template));
      }
    }
    if (service === 'SoftLayer_Virtual_Guest') {
      if (!id && methodName === 'createObject' && method === 'POST')
        return sendJson(response, 201, guestView(await createGuest(request)));
      if (id && methodName === 'getObject' && method === 'GET') {
        const guest = guests.get(Number(id));
        if (!guest) throw notFound('SoftLayer_Virtual_Guest', id);
        return sendJson(response, 200, guestView(guest));
      }
    }
    if (service === 'SoftLayer_Location_Datacenter' && methodName === 'getDatacenters' && method === 'GET') {
      return sendJson(
        response,
        200,
        SANDBOX_DATACENTERS.map((name, index) => ({ id: 100 + index, name, longName: `Sandbox ${name}` })),
      );
    }
    if (service === 'SoftLayer_Account' && method === 'GET') {
      if (methodName === 'getBlockDeviceTemplateGroups') {
        const name = filterValue(url, 'blockDeviceTemplateGroups', 'name');
        return sendJson(
          response,
          200,
          templates
            .all()
            .filter((entry) => !name || entry.name === name)
            .map(templateView),
        );
      }
      if (methodName === 'getVirtualGuests') {
        const hostname = filterValue(url, 'virtualGuests', 'hostname');
        const domain = filterValue(url, 'virtualGuests', 'domain');
        const list = guests
          .all()
          .filter((guest) => (!hostname || guest.hostname === hostname) && (!domain || guest.domain === domain))
          .map(guestView);
        return sendJson(response, 200, list);
      }
    }
    throw new SoftLayerFault(
      404,
      'SoftLayer_Exception_Public',
      `Function ("${methodName}") is not a valid method for this service.`,
    );
  }

  const listening = await listenLoopback(
    async (request, response) => {
      try {
        await route(request, response);
      } catch (error) {
        if (error instanceof SoftLayerFault)
          sendJson(response, error.status, { error: error.message, code: error.code });
        else throw error;
      }
    },
    { unref: options.unref, onError: (error) => options.log?.(`softlayer sandbox: ${String(error)}`) },
  );
  for (const template of templates.all()) if (template.children[0]?.transactionId !== null) runCheck(template.id);

  return {
    ...listening,
    idle: () => queue.idle(),
    stop: async () => {
      stopping.abort(new Error('sandbox stopping'));
      await listening.stop();
      await queue.idle().catch(() => undefined);
    },
  };
}

/** The sandbox registry's entry (main/sandbox/services.ts): needs IAM, Key Protect and COS started before it. */
export const softLayerSandboxService: SandboxService = {
  name: 'softlayer',
  start: (context) =>
    startSoftLayerServer({
      dataDir: context.dataDir,
      region: context.identity.region,
      apiKey: context.identity.apiKey,
      tokenSigningKey: context.identity.tokenSigningKey,
      checker: sandboxImageChecker(context, (message) => process.stderr.write(`${message}\n`)),
      unref: context.inProcess,
    }),
};
