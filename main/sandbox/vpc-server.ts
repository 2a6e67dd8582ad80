import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { parseCosHref, rootKeyFromCrn, vpcNameProblem } from '../cloud/cloud-names';
import type { StatusReason } from '../cloud/status-reasons';
import { BodyTooLargeError, listenLoopback, readBody, sendEmpty, sendJson, type ListeningServer } from './http-server';
import { sandboxImageChecker, type ImageChecker } from './image-check';
import { CheckQueue, SandboxRecords } from './import-records';
import { bearerToken, verifySandboxToken } from './sandbox-token';
import type { SandboxService } from './services';

/**
 * A stand-in for the VPC API (generation 2) on 127.0.0.1: custom images, the lists an instance order chooses
 * from, and instances. Requests are validated the way IBM does (version and generation, required fields, the
 * `cos://` form, lower-case `.qcow2`, key and CRN together, name rules), and an accepted import is really
 * checked by `ImageChecker` before it turns `available` or `failed`.
 */
export interface VpcServerOptions {
  dataDir: string;
  region: string;
  accountId?: string;
  tokenSigningKey: Buffer;
  checker: ImageChecker;
  /** time from order to `running` for an instance */
  instanceBootMs?: number;
  unref?: boolean;
  log?: (message: string) => void;
}

export interface VpcSandbox extends ListeningServer {
  /** resolves once no image check is queued or running */
  idle(): Promise<void>;
}

interface ImageRecord {
  id: string;
  crn: string;
  href: string;
  name: string;
  status: string;
  status_reasons: StatusReason[];
  encryption: 'none' | 'user_managed';
  encryption_key?: { crn: string };
  file: { href: string; size?: number; checksums?: { sha256: string } };
  operating_system: OperatingSystemEntry;
  resource_group: { id: string; name: string };
  visibility: 'private';
  owner_type: 'user';
  created_at: string;
  /** kept for the check (also after a restart); the WDEK is ciphertext, not a secret */
  check: { encryptedDataKey?: string };
}

interface InstanceRecord {
  id: string;
  crn: string;
  href: string;
  name: string;
  status: string;
  status_reasons: StatusReason[];
  image: { id: string; name: string };
  profile: { name: string };
  zone: { name: string };
  vpc: { id: string; name: string };
  primary_network_interface: {
    id: string;
    name: string;
    subnet: { id: string; name: string };
    primary_ip: { address: string };
  };
  keys: Array<{ id: string; name: string }>;
  resource_group: { id: string; name: string };
  created_at: string;
}

interface OperatingSystemEntry {
  name: string;
  display_name: string;
  family: string;
  vendor: string;
  version: string;
  architecture: string;
  allow_user_image_creation: boolean;
  dedicated_host_only: boolean;
  user_data_format: string;
}

const os = (
  name: string,
  display: string,
  family: string,
  vendor: string,
  version: string,
  userData = 'cloud_init',
): OperatingSystemEntry => ({
  name,
  display_name: display,
  family,
  vendor,
  version,
  architecture: 'amd64',
  allow_user_image_creation: true,
  dedicated_host_only: false,
  user_data_format: userData,
});

export const SANDBOX_OPERATING_SYSTEMS: OperatingSystemEntry[] = [
  os(
    'ubuntu-24-04-amd64',
    'Ubuntu Linux 24.04 LTS Noble Numbat (amd64)',
    'Ubuntu Linux',
    'Canonical',
    '24.04 LTS Noble Numbat',
  ),
  os(
    'ubuntu-22-04-amd64',
    'Ubuntu Linux 22.04 LTS Jammy Jellyfish (amd64)',
    'Ubuntu Linux',
    'Canonical',
    '22.04 LTS Jammy Jellyfish',
  ),
  os(
    'debian-12-amd64',
    'Debian GNU/Linux 12.x Bookworm/Stable - Minimal Install (amd64)',
    'Debian GNU/Linux',
    'Debian',
    '12.x Bookworm/Stable',
  ),
  os(
    'rhel-9-amd64-byol',
    'Red Hat Enterprise Linux 9.x - Minimal Install (amd64) BYOL',
    'Red Hat Enterprise Linux',
    'Red Hat',
    '9.x - Minimal Install',
  ),
  os(
    'rocky-linux-9-amd64',
    'Rocky Linux 9.x - Minimal (amd64)',
    'Rocky Linux',
    'Rocky Enterprise Software Foundation',
    '9.x - Minimal',
  ),
  os(
    'centos-stream-9-amd64',
    'CentOS Stream 9 - Minimal Install (amd64)',
    'CentOS Stream',
    'CentOS',
    '9 - Minimal Install',
  ),
  os(
    'windows-2022-amd64',
    'Windows Server 2022 Standard Edition (amd64)',
    'Windows Server',
    'Microsoft',
    '2022 Standard Edition',
    'powershell',
  ),
];

export const SANDBOX_INSTANCE_PROFILES = [
  { name: 'bx2-2x8', family: 'balanced', vcpu_count: { type: 'fixed', value: 2 }, memory: { type: 'fixed', value: 8 } },
  { name: 'cx2-2x4', family: 'compute', vcpu_count: { type: 'fixed', value: 2 }, memory: { type: 'fixed', value: 4 } },
  {
    name: 'bx2-4x16',
    family: 'balanced',
    vcpu_count: { type: 'fixed', value: 4 },
    memory: { type: 'fixed', value: 16 },
  },
  { name: 'mx2-2x16', family: 'memory', vcpu_count: { type: 'fixed', value: 2 }, memory: { type: 'fixed', value: 16 } },
];

/**
 * Two VPCs, so choosing one is a real choice: the first has a subnet in every zone, the second two subnets in
 * the region's first zone, one in its second and none in its third (an order there has no subnet to use).
 */
const SANDBOX_VPCS = [
  { id: 'r006-0b1d5c1e-5a4d-4f0e-9c6b-000000000001', name: 'sandbox-vpc' },
  { id: 'r006-0b1d5c1e-5a4d-4f0e-9c6b-000000000002', name: 'sandbox-staging-vpc' },
];
const SANDBOX_KEYS = [
  {
    id: 'r006-7d3f2a10-3c0e-4b5a-8e71-000000000001',
    name: 'sandbox-key',
    type: 'rsa',
    fingerprint: 'SHA256:sandboxsandboxsandboxsandboxsandboxsandbox0',
  },
  {
    id: 'r006-7d3f2a10-3c0e-4b5a-8e71-000000000002',
    name: 'sandbox-ops-key',
    type: 'ed25519',
    fingerprint: 'SHA256:sandboxopssandboxopssandboxopssandboxops00',
  },
];
const RESOURCE_GROUP = { id: 'sandbox0000000000000000000000000', name: 'Default' };

function zonesOf(region: string): string[] {
  return [1, 2, 3].map((n) => `${region}-${n}`);
}

function subnetsOf(region: string) {
  const [zone1, zone2, zone3] = zonesOf(region);
  const [main, staging] = SANDBOX_VPCS;
  const subnet = (suffix: string, name: string, zone: string, vpc: { id: string; name: string }, cidr: string) => ({
    id: `0717-5c0c0b7e-1f2a-4d3b-9a8c-0000000000${suffix}`,
    name,
    zone: { name: zone },
    vpc,
    ipv4_cidr_block: cidr,
    status: 'available',
    available_ipv4_address_count: 251,
  });
  return [
    subnet('01', 'sandbox-subnet-1', zone1, main, '10.240.0.0/24'),
    subnet('02', 'sandbox-subnet-2', zone2, main, '10.240.64.0/24'),
    subnet('03', 'sandbox-subnet-3', zone3, main, '10.240.128.0/24'),
    subnet('11', 'staging-subnet-1a', zone1, staging, '10.250.0.0/24'),
    subnet('12', 'staging-subnet-1b', zone1, staging, '10.250.1.0/24'),
    subnet('13', 'staging-subnet-2', zone2, staging, '10.250.64.0/24'),
  ];
}

class VpcRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly target?: { name: string; type: 'field' | 'query' | 'header' | 'parameter' },
  ) {
    super(message);
  }
}

function sendVpcError(response: ServerResponse, error: VpcRequestError): void {
  sendJson(response, error.status, {
    errors: [
      {
        code: error.code,
        message: error.message,
        more_info: 'https://cloud.ibm.com/docs/vpc?topic=vpc-rias-error-messages',
        ...(error.target ? { target: error.target } : {}),
      },
    ],
    trace: randomUUID(),
    status_code: error.status,
  });
}

const required = (name: string): VpcRequestError =>
  new VpcRequestError(400, 'validation_required_field_missing', `Missing required field: ${name}`, {
    name,
    type: 'field',
  });
const invalid = (name: string, message: string): VpcRequestError =>
  new VpcRequestError(400, 'validation_invalid_argument', message, { name, type: 'field' });

function checkQuery(url: URL): void {
  const version = url.searchParams.get('version');
  if (!version)
    throw new VpcRequestError(400, 'validation_required_query_missing', 'The version query parameter is required.', {
      name: 'version',
      type: 'query',
    });
  if (!/^\d{4}-\d{2}-\d{2}$/.test(version) || Number.isNaN(Date.parse(version))) {
    throw new VpcRequestError(
      400,
      'validation_invalid_argument',
      'The version must be a date of the form YYYY-MM-DD.',
      { name: 'version', type: 'query' },
    );
  }
  if (Date.parse(version) > Date.now() + 86_400_000) {
    throw new VpcRequestError(400, 'validation_invalid_argument', 'The version date must not be in the future.', {
      name: 'version',
      type: 'query',
    });
  }
  const generation = url.searchParams.get('generation');
  if (generation !== null && generation !== '2') {
    throw new VpcRequestError(400, 'validation_invalid_argument', 'Only generation 2 is supported.', {
      name: 'generation',
      type: 'query',
    });
  }
}

async function jsonBody(request: IncomingMessage): Promise<Record<string, unknown>> {
  const contentType = (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (contentType !== 'application/json') {
    throw new VpcRequestError(415, 'unsupported_media_type', 'The request body must be application/json.');
  }
  let text: string;
  try {
    text = (await readBody(request, 256 * 1024)).toString('utf8');
  } catch (error) {
    if (error instanceof BodyTooLargeError)
      throw new VpcRequestError(413, 'request_too_large', 'The request body is too large.');
    throw error;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new VpcRequestError(400, 'bad_request', 'The request body is not valid JSON.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new VpcRequestError(400, 'bad_request', 'The request body must be a JSON object.');
  }
  return value as Record<string, unknown>;
}

function objectField(body: Record<string, unknown>, name: string): Record<string, unknown> | undefined {
  const value = body[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw invalid(name, `${name} must be an object.`);
  return value as Record<string, unknown>;
}

function stringField(body: Record<string, unknown> | undefined, name: string, path = name): string | undefined {
  const value = body?.[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalid(path, `${path} must be a string.`);
  return value;
}

function generatedName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

export async function startVpcServer(options: VpcServerOptions): Promise<VpcSandbox> {
  const region = options.region;
  const account = options.accountId ?? 'sandbox';
  const dir = join(options.dataDir, 'sandbox', 'vpc');
  const images = await SandboxRecords.open<ImageRecord>(join(dir, 'images'));
  const instances = await SandboxRecords.open<InstanceRecord>(join(dir, 'instances'));
  const bootMs = options.instanceBootMs ?? 1500;
  const queue = new CheckQueue();
  const stopping = new AbortController();
  let baseUrl = '';

  const imageView = (image: ImageRecord) => {
    const { check: _check, file, ...visible } = image;
    // IBM returns only the file's size and checksums, not the href it was imported from. The port changes
    // across restarts, so hrefs always name the running server.
    const { href: _href, ...fileView } = file;
    return { ...visible, file: fileView, href: `${baseUrl}/v1/images/${image.id}` };
  };

  const instanceView = (instance: InstanceRecord): InstanceRecord => {
    const href = `${baseUrl}/v1/instances/${instance.id}`;
    if (instance.status !== 'pending' && instance.status !== 'starting') return { ...instance, href };
    // Boot progress follows the clock, so it carries on across sandbox restarts without any timer.
    const age = Date.now() - Date.parse(instance.created_at);
    const status = age >= bootMs ? 'running' : age >= bootMs / 2 ? 'starting' : 'pending';
    return { ...instance, href, status };
  };

  const runCheck = (id: string): void => {
    void queue
      .run(async () => {
        const image = images.get(id);
        if (!image || image.status !== 'pending') return;
        await images.put({
          ...image,
          status_reasons: [
            { code: 'image_request_in_progress', message: 'The import from Cloud Object Storage is in progress.' },
          ],
        });
        let outcome;
        try {
          outcome = await options.checker(
            {
              target: 'vpc',
              fileHref: image.file.href,
              wrappedDek: image.check.encryptedDataKey,
              rootKeyCrn: image.encryption_key?.crn,
            },
            stopping.signal,
          );
        } catch (error) {
          if (stopping.signal.aborted) return; // checked again on the next start
          options.log?.(
            `vpc sandbox: image check of ${id} failed: ${error instanceof Error ? error.message : String(error)}`,
          );
          outcome = {
            status: 'failed' as const,
            reasons: [
              {
                code: 'internal_error',
                message: 'The sandbox could not check the image (see the sandbox log); delete it and import again.',
              },
            ],
          };
        }
        await images.update(id, (current) => ({
          ...current,
          status: outcome.status,
          status_reasons: outcome.reasons,
          file: {
            ...current.file,
            ...(outcome.fileSize !== undefined ? { size: Math.max(1, Math.ceil(outcome.fileSize / 1e9)) } : {}),
            ...(outcome.fileSha256 ? { checksums: { sha256: outcome.fileSha256 } } : {}),
          },
        }));
      })
      .catch((error: unknown) =>
        options.log?.(`vpc sandbox: ${error instanceof Error ? error.message : String(error)}`),
      );
  };

  async function createImage(request: IncomingMessage): Promise<ImageRecord> {
    const body = await jsonBody(request);
    const name = stringField(body, 'name') ?? generatedName('image');
    const nameProblem = vpcNameProblem(name);
    if (nameProblem) throw invalid('name', `The image name is invalid: ${nameProblem}.`);
    if (images.all().some((image) => image.name === name)) {
      throw new VpcRequestError(
        409,
        'validation_unique_failed',
        `An image named ${name} already exists in this region.`,
        { name: 'name', type: 'field' },
      );
    }
    const file = objectField(body, 'file');
    const href = stringField(file, 'href', 'file.href');
    if (!href) throw required('file.href');
    const cos = parseCosHref(href);
    if (!cos) throw invalid('file.href', 'The file href must be of the form cos://<region>/<bucket>/<object>.');
    if (cos.region !== region) throw invalid('file.href', `The bucket must be in the region ${region}.`);
    const extension = /\.([A-Za-z0-9]+)$/.exec(cos.key)?.[1] ?? '';
    if (extension.toLowerCase() !== extension)
      throw invalid('file.href', 'The image file extension must be lower case (e.g. .qcow2).');
    if (extension !== 'qcow2' && extension !== 'vhd')
      throw invalid('file.href', 'The image file must be a .qcow2 or .vhd file.');

    const osName = stringField(objectField(body, 'operating_system'), 'name', 'operating_system.name');
    if (!osName) throw required('operating_system.name');
    const operatingSystem = SANDBOX_OPERATING_SYSTEMS.find((entry) => entry.name === osName);
    if (!operatingSystem)
      throw new VpcRequestError(404, 'operating_system_not_found', `Operating system ${osName} not found.`, {
        name: 'operating_system.name',
        type: 'field',
      });

    const wdek = stringField(body, 'encrypted_data_key');
    const keyCrn = stringField(objectField(body, 'encryption_key'), 'crn', 'encryption_key.crn');
    if ((wdek === undefined) !== (keyCrn === undefined)) {
      throw invalid(
        wdek === undefined ? 'encrypted_data_key' : 'encryption_key.crn',
        'encrypted_data_key and encryption_key must be given together.',
      );
    }
    if (wdek !== undefined && (wdek.length === 0 || !/^[A-Za-z0-9+/=_-]+$/.test(wdek)))
      throw invalid('encrypted_data_key', 'encrypted_data_key is not a wrapped key.');
    if (keyCrn !== undefined && !rootKeyFromCrn(keyCrn))
      throw invalid('encryption_key.crn', 'encryption_key.crn must be the CRN of a Key Protect or HPCS root key.');
    if (wdek !== undefined && extension !== 'qcow2')
      throw invalid('file.href', 'An encrypted image must be a qcow2 file.');
    const groupId = stringField(objectField(body, 'resource_group'), 'id', 'resource_group.id');

    const id = `r006-${randomUUID()}`;
    const image: ImageRecord = {
      id,
      crn: `crn:v1:bluemix:public:is:${region}:a/${account}::image:${id}`,
      href: `${baseUrl}/v1/images/${id}`,
      name,
      status: 'pending',
      status_reasons: [
        { code: 'image_request_queued', message: 'The import request was accepted and waits to start.' },
      ],
      encryption: wdek ? 'user_managed' : 'none',
      ...(keyCrn ? { encryption_key: { crn: keyCrn } } : {}),
      file: { href },
      operating_system: operatingSystem,
      resource_group: groupId ? { id: groupId, name: groupId } : RESOURCE_GROUP,
      visibility: 'private',
      owner_type: 'user',
      created_at: new Date().toISOString(),
      check: wdek ? { encryptedDataKey: wdek } : {},
    };
    await images.put(image);
    runCheck(id);
    return image;
  }

  async function createInstance(request: IncomingMessage): Promise<InstanceRecord> {
    const body = await jsonBody(request);
    const name = stringField(body, 'name') ?? generatedName('instance');
    const nameProblem = vpcNameProblem(name);
    if (nameProblem) throw invalid('name', `The instance name is invalid: ${nameProblem}.`);
    if (instances.all().some((instance) => instance.name === name)) {
      throw new VpcRequestError(409, 'validation_unique_failed', `An instance named ${name} already exists.`, {
        name: 'name',
        type: 'field',
      });
    }
    const imageId = stringField(objectField(body, 'image'), 'id', 'image.id');
    if (!imageId) throw required('image.id');
    const image = images.get(imageId);
    if (!image)
      throw new VpcRequestError(404, 'image_not_found', `Image ${imageId} not found.`, {
        name: 'image.id',
        type: 'field',
      });
    if (image.status !== 'available') throw invalid('image.id', `Image ${imageId} is ${image.status}, not available.`);
    const profileName = stringField(objectField(body, 'profile'), 'name', 'profile.name');
    if (!profileName) throw required('profile.name');
    if (!SANDBOX_INSTANCE_PROFILES.some((profile) => profile.name === profileName))
      throw invalid('profile.name', `Profile ${profileName} not found.`);
    const zoneName = stringField(objectField(body, 'zone'), 'name', 'zone.name');
    if (!zoneName) throw required('zone.name');
    if (!zonesOf(region).includes(zoneName)) throw invalid('zone.name', `Zone ${zoneName} is not in region ${region}.`);
    const vpcId = stringField(objectField(body, 'vpc'), 'id', 'vpc.id');
    if (!vpcId) throw required('vpc.id');
    const vpc = SANDBOX_VPCS.find((entry) => entry.id === vpcId);
    if (!vpc)
      throw new VpcRequestError(404, 'vpc_not_found', `VPC ${vpcId} not found.`, { name: 'vpc.id', type: 'field' });
    const nic = objectField(body, 'primary_network_interface');
    if (!nic) throw required('primary_network_interface');
    const subnetId = stringField(
      nic.subnet as Record<string, unknown> | undefined,
      'id',
      'primary_network_interface.subnet.id',
    );
    if (!subnetId) throw required('primary_network_interface.subnet.id');
    const subnet = subnetsOf(region).find((entry) => entry.id === subnetId);
    if (!subnet)
      throw new VpcRequestError(404, 'subnet_not_found', `Subnet ${subnetId} not found.`, {
        name: 'primary_network_interface.subnet.id',
        type: 'field',
      });
    if (subnet.zone.name !== zoneName)
      throw invalid(
        'primary_network_interface.subnet.id',
        `Subnet ${subnet.name} is in zone ${subnet.zone.name}, not ${zoneName}.`,
      );
    // IBM: a VPC named in the order must be the VPC of its subnet.
    if (subnet.vpc.id !== vpc.id)
      throw invalid(
        'primary_network_interface.subnet.id',
        `Subnet ${subnet.name} is in VPC ${subnet.vpc.name}, not ${vpc.name}.`,
      );
    const keysValue = body.keys ?? [];
    if (!Array.isArray(keysValue)) throw invalid('keys', 'keys must be a list.');
    const keys = keysValue.map((entry, index) => {
      const keyId = (entry as { id?: unknown } | null)?.id;
      if (typeof keyId !== 'string') throw invalid(`keys[${index}].id`, 'Each key needs an id.');
      const key = SANDBOX_KEYS.find((candidate) => candidate.id === keyId);
      if (!key)
        throw new VpcRequestError(404, 'key_not_found', `Key ${keyId} not found.`, {
          name: `keys[${index}].id`,
          type: 'field',
        });
      return { id: key.id, name: key.name };
    });
    const id = `0717_${randomUUID()}`;
    const instance: InstanceRecord = {
      id,
      crn: `crn:v1:bluemix:public:is:${zoneName}:a/${account}::instance:${id}`,
      href: `${baseUrl}/v1/instances/${id}`,
      name,
      status: 'pending',
      status_reasons: [],
      image: { id: image.id, name: image.name },
      profile: { name: profileName },
      zone: { name: zoneName },
      vpc,
      primary_network_interface: {
        id: `0717-${randomUUID()}`,
        name: 'eth0',
        subnet: { id: subnet.id, name: subnet.name },
        primary_ip: { address: subnet.ipv4_cidr_block.replace(/0\/24$/, String(4 + instances.all().length)) },
      },
      keys,
      resource_group: RESOURCE_GROUP,
      created_at: new Date().toISOString(),
    };
    await instances.put(instance);
    return instance;
  }

  const collection = (field: string, items: unknown[], url: URL) => ({
    [field]: items,
    limit: Number(url.searchParams.get('limit') ?? 50),
    first: { href: `${baseUrl}${url.pathname}?limit=${url.searchParams.get('limit') ?? 50}` },
    total_count: items.length,
  });

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname.replace(/\/+$/, '');
    const method = request.method ?? 'GET';
    const token = bearerToken(request.headers.authorization);
    if (!token || !verifySandboxToken(token, options.tokenSigningKey)) {
      throw new VpcRequestError(
        401,
        'not_authorized',
        'The request is not authorized: the IAM access token is missing, invalid or expired.',
      );
    }
    checkQuery(url);
    const nameFilter = url.searchParams.get('name');

    if (path === '/v1/images') {
      if (method === 'POST') return sendJson(response, 201, imageView(await createImage(request)));
      if (method === 'GET') {
        const list = images
          .all()
          .filter((image) => !nameFilter || image.name === nameFilter)
          .filter(
            (image) => !url.searchParams.get('visibility') || image.visibility === url.searchParams.get('visibility'),
          )
          .sort((a, b) => b.created_at.localeCompare(a.created_at))
          .map(imageView);
        return sendJson(response, 200, collection('images', list, url));
      }
    }
    const imageMatch = /^\/v1\/images\/([^/]+)$/.exec(path);
    if (imageMatch) {
      const image = images.get(decodeURIComponent(imageMatch[1]));
      if (!image) throw new VpcRequestError(404, 'not_found', `Image ${imageMatch[1]} not found.`);
      if (method === 'GET') return sendJson(response, 200, imageView(image));
      if (method === 'DELETE') {
        await images.remove(image.id);
        return sendEmpty(response, 202);
      }
    }
    if (path === '/v1/operating_systems' && method === 'GET') {
      const list = SANDBOX_OPERATING_SYSTEMS.map((entry) => ({
        ...entry,
        href: `${baseUrl}/v1/operating_systems/${entry.name}`,
      }));
      return sendJson(response, 200, collection('operating_systems', list, url));
    }
    if (path === '/v1/instance/profiles' && method === 'GET') {
      const list = SANDBOX_INSTANCE_PROFILES.map((profile) => ({
        ...profile,
        href: `${baseUrl}/v1/instance/profiles/${profile.name}`,
      }));
      return sendJson(response, 200, { profiles: list });
    }
    const zonesMatch = /^\/v1\/regions\/([^/]+)\/zones$/.exec(path);
    if (zonesMatch && method === 'GET') {
      if (zonesMatch[1] !== region) throw new VpcRequestError(404, 'not_found', `Region ${zonesMatch[1]} not found.`);
      const list = zonesOf(region).map((zone) => ({
        name: zone,
        status: 'available',
        region: { name: region },
        href: `${baseUrl}/v1/regions/${region}/zones/${zone}`,
      }));
      return sendJson(response, 200, { zones: list });
    }
    if (path === '/v1/vpcs' && method === 'GET') {
      return sendJson(
        response,
        200,
        collection(
          'vpcs',
          SANDBOX_VPCS.map((vpc) => ({
            ...vpc,
            crn: `crn:v1:bluemix:public:is:${region}:a/${account}::vpc:${vpc.id}`,
            status: 'available',
            created_at: '2026-01-01T00:00:00Z',
          })),
          url,
        ),
      );
    }
    if (path === '/v1/subnets' && method === 'GET')
      return sendJson(response, 200, collection('subnets', subnetsOf(region), url));
    if (path === '/v1/keys' && method === 'GET') return sendJson(response, 200, collection('keys', SANDBOX_KEYS, url));
    if (path === '/v1/instances') {
      if (method === 'POST') return sendJson(response, 201, instanceView(await createInstance(request)));
      if (method === 'GET') {
        const list = instances
          .all()
          .filter((instance) => !nameFilter || instance.name === nameFilter)
          .map(instanceView);
        return sendJson(response, 200, collection('instances', list, url));
      }
    }
    const instanceMatch = /^\/v1\/instances\/([^/]+)$/.exec(path);
    if (instanceMatch && method === 'GET') {
      const instance = instances.get(decodeURIComponent(instanceMatch[1]));
      if (!instance) throw new VpcRequestError(404, 'not_found', `Instance ${instanceMatch[1]} not found.`);
      return sendJson(response, 200, instanceView(instance));
    }
    throw new VpcRequestError(404, 'not_found', `No route for ${method} ${path}.`);
  }

  const listening = await listenLoopback(
    async (request, response) => {
      try {
        await route(request, response);
      } catch (error) {
        if (error instanceof VpcRequestError) sendVpcError(response, error);
        else throw error;
      }
    },
    { unref: options.unref, onError: (error) => options.log?.(`vpc sandbox: ${String(error)}`) },
  );
  baseUrl = listening.url;
  // Imports that were pending when the sandbox stopped are checked again, as IBM's would carry on.
  for (const image of images.all()) if (image.status === 'pending') runCheck(image.id);

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
export const vpcSandboxService: SandboxService = {
  name: 'vpc',
  start: (context) =>
    startVpcServer({
      dataDir: context.dataDir,
      region: context.identity.region,
      tokenSigningKey: context.identity.tokenSigningKey,
      checker: sandboxImageChecker(context, (message) => process.stderr.write(`${message}\n`)),
      unref: context.inProcess,
    }),
};
