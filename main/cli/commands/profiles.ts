import type { Command } from 'commander';
import { isAppError } from '../../common/errors';
import { applyProfilePatch, ibmCloudProfile, isSandboxProfile, type Profile, type ProfilePatch } from '../../profiles/profile';
import { profileStore } from '../../profiles/resolve';
import { CredentialStore } from '../../secrets/credentials';
import { formatTable } from '../output';
import type { CliRuntime } from '../runtime';
import { usageError } from '../runtime';

interface ProfileFlags {
  region?: string;
  iamEndpoint?: string;
  kmsEndpoint?: string;
  kmsInstance?: string;
  hpcs?: boolean;
  private?: boolean;
  rootKey?: string;
  bucket?: string;
  cosEndpoint?: string;
  cosRegion?: string;
  cosAuth?: string;
  cosInstance?: string;
  vpcEndpoint?: string;
  vpcRegion?: string;
  resourceGroup?: string;
  classicEndpoint?: string;
  default?: boolean;
}

function withProfileOptions(command: Command): Command {
  return command
    .option('--region <region>', 'IBM Cloud region, e.g. us-south')
    .option('--iam-endpoint <url>', 'IAM endpoint (default https://iam.cloud.ibm.com)')
    .option('--kms-endpoint <url>', 'Key Protect or HPCS endpoint (default https://REGION.kms.cloud.ibm.com)')
    .option('--kms-instance <id>', 'Key Protect / HPCS instance id (GUID)')
    .option('--hpcs', 'the instance is Hyper Protect Crypto Services')
    .option('--private', 'use the private endpoint (IBM Cloud network only)')
    .option('--no-private', 'use the public endpoint')
    .option('--root-key <id>', 'default root key (id or alias)')
    .option('--bucket <bucket>', 'COS bucket (regional, in the key management region)')
    .option('--cos-endpoint <url>', 'COS endpoint (default https://s3.REGION.cloud-object-storage.appdomain.cloud)')
    .option('--cos-region <region>', 'COS bucket region (default: the profile region)')
    .option('--cos-auth <mode>', 'COS authentication: iam or hmac')
    .option('--cos-instance <crn>', 'COS service instance id (for IAM authentication)')
    .option('--vpc-endpoint <url>', 'VPC endpoint (default https://REGION.iaas.cloud.ibm.com)')
    .option('--vpc-region <region>', 'VPC region (default: the profile region)')
    .option('--resource-group <id>', 'resource group id for imported images')
    .option('--classic-endpoint <url>', 'SoftLayer API endpoint (default https://api.softlayer.com/rest/v3.1)')
    .option('--default', 'make this the default profile');
}

function cosAuth(value: string | undefined): 'iam' | 'hmac' | undefined {
  if (value === undefined) return undefined;
  if (value === 'iam' || value === 'hmac') return value;
  throw usageError(`--cos-auth must be iam or hmac, not "${value}".`);
}

function patchFrom(flags: ProfileFlags, commandLineHasPrivate: boolean): ProfilePatch {
  const drop = <T extends Record<string, unknown>>(value: T): Partial<T> =>
    Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
  return {
    region: flags.region,
    iamEndpoint: flags.iamEndpoint,
    kms: drop({
      endpoint: flags.kmsEndpoint,
      instanceId: flags.kmsInstance,
      kind: flags.hpcs ? ('hpcs' as const) : undefined,
      private: commandLineHasPrivate ? flags.private : undefined,
      rootKey: flags.rootKey,
    }),
    cos: drop({
      endpoint: flags.cosEndpoint,
      bucket: flags.bucket,
      region: flags.cosRegion,
      authMode: cosAuth(flags.cosAuth),
      serviceInstanceId: flags.cosInstance,
    }),
    vpc: drop({ endpoint: flags.vpcEndpoint, region: flags.vpcRegion, resourceGroupId: flags.resourceGroup }),
    classic: drop({ endpoint: flags.classicEndpoint }),
  };
}

function describeProfile(profile: Profile, isDefault: boolean, credentials?: string): string {
  const lines = [
    `Profile   ${profile.name}${isDefault ? ' (default)' : ''}${isSandboxProfile(profile.name) ? ' — built-in local sandbox, endpoints chosen at start' : ''}`,
    `Region    ${profile.region}`,
    `IAM       ${profile.iamEndpoint}`,
    `KMS       ${profile.kms.kind} ${profile.kms.endpoint}${profile.kms.private ? ' (private)' : ''}  instance ${profile.kms.instanceId || '(not set)'}${profile.kms.rootKey ? `  root key ${profile.kms.rootKey}` : ''}`,
    `COS       ${profile.cos.endpoint}  bucket ${profile.cos.bucket || '(not set)'}  region ${profile.cos.region}  auth ${profile.cos.authMode}`,
    `VPC       ${profile.vpc.endpoint}  region ${profile.vpc.region}${profile.vpc.resourceGroupId ? `  resource group ${profile.vpc.resourceGroupId}` : ''}`,
    `Classic   ${profile.classic.endpoint}`,
  ];
  if (credentials) lines.push(`Keychain  ${credentials}`);
  return lines.join('\n');
}

export function registerProfileCommands(program: Command, cli: CliRuntime): void {
  const profiles = program.command('profiles').description('account profiles: region, Key Protect, COS, VPC and classic settings (no secrets)');

  profiles
    .command('list')
    .description('all profiles; * marks the default')
    .action(
      cli.action(async ({ runtime, output }) => {
        const store = profileStore(await runtime.app());
        const all = await store.list();
        const defaultProfile = await store.defaultName();
        output.result(
          { profiles: all, defaultProfile },
          formatTable(
            ['', 'NAME', 'REGION', 'KMS INSTANCE', 'BUCKET'],
            all.map((profile) => [
              profile.name === defaultProfile ? '*' : '',
              profile.name,
              profile.region,
              profile.kms.instanceId || '-',
              profile.cos.bucket || '-',
            ]),
          ),
        );
      }),
    );

  profiles
    .command('show')
    .argument('<name>', 'profile name')
    .description('one profile, and whether credentials for it are in the keychain')
    .action(
      cli.action(async ({ runtime, output }, name: string) => {
        const store = profileStore(await runtime.app());
        const profile = await store.get(name);
        const isDefault = (await store.defaultName()) === name;
        let credentials: { apikey: boolean; hmac: boolean } | null = null;
        let credentialText = 'not needed (sandbox)';
        if (!isSandboxProfile(name)) {
          try {
            credentials = await new CredentialStore().status(name);
            credentialText = `API key ${credentials.apikey ? 'stored' : 'not stored'}, COS HMAC keys ${credentials.hmac ? 'stored' : 'not stored'}`;
          } catch (error) {
            if (!isAppError(error, 'KEYCHAIN_UNAVAILABLE')) throw error;
            credentialText = 'unknown: the OS keychain is not available';
          }
        }
        output.result({ profile, isDefault, credentials }, describeProfile(profile, isDefault, credentialText));
      }),
    );

  withProfileOptions(profiles.command('add').argument('<name>', 'new profile name'))
    .description('add a profile for an IBM Cloud account (starts from the region\u2019s public endpoints)')
    .action(
      cli.action(async ({ runtime, output }, name: string, flags: ProfileFlags, command: Command) => {
        if (!flags.region) throw usageError('--region is required to add a profile, e.g. --region us-south.');
        const store = profileStore(await runtime.app());
        const base = ibmCloudProfile(name, flags.region);
        const patch = patchFrom(flags, command.getOptionValueSource('private') === 'cli');
        const profile = await store.add(
          applyProfilePatch(base, {
            ...patch,
            cos: { region: flags.region, ...patch.cos },
            vpc: { region: flags.region, ...patch.vpc },
          }),
        );
        if (flags.default) await store.setDefault(name);
        output.result(
          { profile, isDefault: Boolean(flags.default) },
          `${describeProfile(profile, Boolean(flags.default))}\nStore its API key with "image-sealer credentials set --profile ${name}".`,
        );
      }),
    );

  withProfileOptions(profiles.command('set').argument('<name>', 'profile name'))
    .description('change fields of a profile (only the options given)')
    .action(
      cli.action(async ({ runtime, output }, name: string, flags: ProfileFlags, command: Command) => {
        const store = profileStore(await runtime.app());
        const patch = patchFrom(flags, command.getOptionValueSource('private') === 'cli');
        const changesFields = Object.values(patch).some(
          (value) => value !== undefined && (typeof value !== 'object' || Object.keys(value).length > 0),
        );
        let profile = await store.get(name);
        if (changesFields) profile = await store.update(name, patch);
        if (flags.default) await store.setDefault(name);
        const isDefault = (await store.defaultName()) === name;
        output.result({ profile, isDefault }, describeProfile(profile, isDefault));
      }),
    );

  profiles
    .command('remove')
    .argument('<name>', 'profile name')
    .option('--keep-credentials', 'leave the profile\u2019s keys in the keychain')
    .description('remove a profile (and its credentials from the keychain)')
    .action(
      cli.action(async ({ runtime, output }, name: string, flags: { keepCredentials?: boolean }) => {
        const store = profileStore(await runtime.app());
        await store.remove(name);
        let credentialsRemoved = false;
        if (!flags.keepCredentials) {
          try {
            const removed = await new CredentialStore().delete(name);
            credentialsRemoved = removed.apikey || removed.hmac;
          } catch (error) {
            if (!isAppError(error, 'KEYCHAIN_UNAVAILABLE')) throw error;
            output.warn(`The keychain is not available, so credentials of "${name}" (if any) are still in it.`);
          }
        }
        output.result({ removed: name, credentialsRemoved }, `Profile "${name}" removed${credentialsRemoved ? ' with its credentials' : ''}.`);
      }),
    );
}
