/**
 * The naming and reference rules IBM's import services enforce, shared by the clients (to refuse early with a
 * clear message) and the sandbox services (to refuse like IBM does).
 */

/** VPC resource names: lower-case letters, digits and hyphens, starting with a letter, not ending with a hyphen. */
const VPC_NAME = /^[a-z](?:[-a-z0-9]*[a-z0-9])?$/;
export const VPC_NAME_MAX = 63;

/** Which VPC naming rule a name breaks, as a code the renderer words in the page's language. */
export type VpcNameRule = 'empty' | 'tooLong' | 'firstLetter' | 'trailingHyphen' | 'characters';

/** The first VPC naming rule `name` breaks, or null when it is a valid VPC resource name. */
export function vpcNameRuleBroken(name: string): VpcNameRule | null {
  if (name.length === 0) return 'empty';
  if (name.length > VPC_NAME_MAX) return 'tooLong';
  if (!/^[a-z]/.test(name)) return 'firstLetter';
  if (name.endsWith('-')) return 'trailingHyphen';
  if (!VPC_NAME.test(name)) return 'characters';
  return null;
}

/** Why `name` is not a valid VPC resource name, or null when it is. */
export function vpcNameProblem(name: string): string | null {
  switch (vpcNameRuleBroken(name)) {
    case null:
      return null;
    case 'empty':
      return 'the name is empty';
    case 'tooLong':
      return `the name has ${name.length} characters; at most ${VPC_NAME_MAX} are allowed`;
    case 'firstLetter':
      return 'the name must start with a lower-case letter';
    case 'trailingHyphen':
      return 'the name must not end with a hyphen';
    case 'characters':
      return 'the name may hold only lower-case letters, digits and hyphens';
  }
}

/** Classic host names: letters, digits and hyphens, at most 63, starting and ending with a letter or digit. */
const CLASSIC_HOSTNAME = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
/** Classic domains: letters, digits, hyphens and dots, with at least one dot, starting and ending with a letter or digit. */
const CLASSIC_DOMAIN = /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/;

/** Whether SoftLayer takes `hostname` as a virtual server's host name. */
export function isClassicHostname(hostname: string): boolean {
  return CLASSIC_HOSTNAME.test(hostname);
}

/** Whether SoftLayer takes `domain` as a virtual server's domain. */
export function isClassicDomain(domain: string): boolean {
  return CLASSIC_DOMAIN.test(domain) && domain.includes('.');
}

/** A valid VPC name made from free text (a job or file name), e.g. "My Image_2.qcow2" → "my-image-2". */
export function vpcNameFrom(text: string, fallback = 'sealed-image'): string {
  let name = text
    .toLowerCase()
    .replace(/\.(qcow2|vhd|raw|img)$/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .slice(0, VPC_NAME_MAX)
    .replace(/-+$/, '');
  if (name.length === 0) name = fallback;
  return name;
}

export interface CosHref {
  region: string;
  bucket: string;
  key: string;
}

/** `cos://<region>/<bucket>/<object key>`, the form both import APIs take. */
export function formatCosHref(href: CosHref): string {
  return `cos://${href.region}/${href.bucket}/${href.key}`;
}

export function parseCosHref(href: string): CosHref | null {
  const match = /^cos:\/\/([a-z0-9-]+)\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.+)$/.exec(href);
  if (!match) return null;
  return { region: match[1], bucket: match[2], key: match[3] };
}

export interface Crn {
  cloudName: string;
  cloudType: string;
  serviceName: string;
  region: string;
  /** e.g. "a/<account id>" */
  scope: string;
  serviceInstance: string;
  resourceType: string;
  resource: string;
}

/** `crn:v1:<cloud>:<type>:<service>:<region>:<scope>:<instance>:<resource type>:<resource>` */
export function parseCrn(crn: string): Crn | null {
  const parts = crn.split(':');
  if (parts.length !== 10 || parts[0] !== 'crn' || parts[1] !== 'v1') return null;
  const [, , cloudName, cloudType, serviceName, region, scope, serviceInstance, resourceType, resource] = parts;
  if (!serviceName || !serviceInstance || !resource) return null;
  return { cloudName, cloudType, serviceName, region, scope, serviceInstance, resourceType, resource };
}

/** A root key CRN names a key of Key Protect (`kms`) or Hyper Protect Crypto Services (`hs-crypto`). */
export function rootKeyFromCrn(crn: string): { instanceId: string; keyId: string; region: string } | null {
  const parsed = parseCrn(crn);
  if (!parsed || parsed.resourceType !== 'key') return null;
  if (parsed.serviceName !== 'kms' && parsed.serviceName !== 'hs-crypto') return null;
  return { instanceId: parsed.serviceInstance, keyId: parsed.resource, region: parsed.region };
}

/** Classic import wants `<name>.vhd-0.vhd` for VHD; the checks below are the ones the service applies. */
export function classicObjectProblem(key: string, encrypted: 'vhd' | 'raw'): string | null {
  if (encrypted === 'vhd') {
    if (!key.endsWith('.vhd')) return 'a VHD image must have the lower-case extension .vhd';
    if (!/\.vhd-0\.vhd$/.test(key)) return 'a VHD image must be named <name>.vhd-0.vhd';
    return null;
  }
  if (!/\.(raw|img)$/.test(key)) return 'a raw LUKS image must have the lower-case extension .raw';
  return null;
}
