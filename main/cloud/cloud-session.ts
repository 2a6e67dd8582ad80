import type { AppContext } from '../app/context';
import { AppError } from '../common/errors';
import { resolveProfile, type ResolvedProfile } from '../profiles/resolve';
import type { TokenSource } from './cloud-http';
import { SoftLayerClient } from './softlayer-client';
import { VpcClient } from './vpc-client';

/**
 * Everything the import and provision steps need from a profile: the VPC and classic clients with IAM tokens,
 * the region and resource group, the API key classic import hands to IBM, and the profile's defaults.
 */
export interface CloudSession {
  profileName: string;
  sandbox: boolean;
  /** VPC region, e.g. us-south */
  region: string;
  resourceGroupId?: string;
  vpc: VpcClient;
  softlayer: SoftLayerClient;
  /**
   * The API key createFromIcos sends as `ibmApiKey` (IBM uses it to read the object and unwrap the WDEK).
   * A secret: pass it straight into the request, never into a log, record or error.
   */
  ibmApiKey(): Promise<string>;
  defaults: CloudDefaults;
}

export interface CloudDefaults {
  vpcOperatingSystem?: string;
  classicOperatingSystem?: string;
  classicDatacenter?: string;
  classicDomain?: string;
}

export type CloudSessionFactory = (app: AppContext, profileName: string) => Promise<CloudSession>;

/** What a sandbox import needs nothing else for: the choices `run IMAGE` makes on its own. */
export const SANDBOX_DEFAULTS: CloudDefaults = {
  vpcOperatingSystem: 'ubuntu-22-04-amd64',
  classicOperatingSystem: 'UBUNTU_22_64',
  classicDatacenter: 'dal10',
  classicDomain: 'sandbox.example',
};

/** A session over a resolved profile (the sandbox's or a real account's). */
export async function cloudSessionFor(resolved: ResolvedProfile): Promise<CloudSession> {
  const { profile, sandbox } = resolved;
  if (sandbox && (!sandbox.vpc || !sandbox.softlayer)) {
    throw new AppError('SANDBOX_SERVICE_MISSING', 'The running sandbox has no VPC or classic import service.', {
      hint: 'Stop "image-sealer sandbox" and start it again with this version of Image Sealer.',
    });
  }
  const token: TokenSource = async () => (await resolved.iam()).token();
  return {
    profileName: profile.name,
    sandbox: sandbox !== null,
    region: profile.vpc.region,
    resourceGroupId: profile.vpc.resourceGroupId,
    vpc: new VpcClient({ endpoint: profile.vpc.endpoint, token }),
    softlayer: new SoftLayerClient({ endpoint: profile.classic.endpoint, token }),
    ibmApiKey: () => resolved.apiKey(),
    defaults: sandbox ? SANDBOX_DEFAULTS : {},
  };
}

export const createCloudSession: CloudSessionFactory = async (app, profileName) =>
  cloudSessionFor(await resolveProfile(app, profileName));
