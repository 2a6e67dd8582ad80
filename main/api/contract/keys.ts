import { z } from 'zod';
import { JobSchema } from '../../jobs/job';
import { ProfileNameSchema, ProfileSchema } from '../../profiles/profile';
import { EmptyInput, JobIdInput, OkOutput } from './common';
import { defineCalls } from './define';

/**
 * Profiles, credentials, root keys and the wrap step. Secrets travel only INTO main (setCredential's input);
 * no output ever holds an API key, an HMAC secret or a DEK: the UI sees whether a credential is stored,
 * fingerprints and CRNs.
 */
export const ProfileListEntrySchema = ProfileSchema.extend({ builtIn: z.boolean() });

export const KmsKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  crn: z.string(),
  state: z.number().int(),
  stateName: z.string(),
  extractable: z.boolean(),
  imported: z.boolean(),
  aliases: z.array(z.string()),
  keyVersion: z.string().nullable(),
  creationDate: z.string().nullable(),
  lastRotateDate: z.string().nullable(),
});

const CredentialKindSchema = z.enum(['apikey', 'hmac']);
const ProfileInput = z.object({ profile: ProfileNameSchema }).strict();
const OptionalProfileInput = z.object({ profile: ProfileNameSchema.optional() }).strict();

export const CredentialStatusSchema = z.object({
  profile: z.string(),
  sandbox: z.boolean(),
  keychainAvailable: z.boolean(),
  /** why the keychain cannot be used, and how to fix it */
  keychainProblem: z.object({ message: z.string(), hint: z.string().optional() }).nullable(),
  apikey: z.boolean(),
  hmac: z.boolean(),
});

export const keyCalls = defineCalls({
  listProfiles: {
    summary: 'All profiles (the built-in sandbox first) and the default one',
    input: EmptyInput,
    output: z.object({ profiles: z.array(ProfileListEntrySchema), defaultProfile: z.string() }),
  },
  saveProfile: {
    summary: 'Add or replace a profile (not the built-in sandbox); optionally make it the default',
    input: z.object({ profile: ProfileSchema, makeDefault: z.boolean().optional() }).strict(),
    output: ProfileSchema,
  },
  removeProfile: {
    summary: 'Remove a profile and its credentials from the keychain',
    input: z.object({ name: ProfileNameSchema }).strict(),
    output: z.object({ removed: z.literal(true), credentialsRemoved: z.boolean() }),
  },
  setDefaultProfile: {
    summary: 'Choose the profile new jobs use',
    input: z.object({ name: ProfileNameSchema }).strict(),
    output: OkOutput,
  },
  setCredential: {
    summary: 'Store (or replace) a credential of a profile in the OS keychain; the secret never comes back',
    input: z.discriminatedUnion('kind', [
      z.object({ profile: ProfileNameSchema, kind: z.literal('apikey'), apiKey: z.string().min(1).max(1024) }).strict(),
      z
        .object({
          profile: ProfileNameSchema,
          kind: z.literal('hmac'),
          accessKeyId: z.string().min(1).max(256),
          secretAccessKey: z.string().min(1).max(256),
        })
        .strict(),
    ]),
    output: z.object({ stored: z.boolean() }),
  },
  testCredential: {
    summary: 'Sign in: exchange the profile\u2019s API key for an IAM token (the token is not returned)',
    input: ProfileInput,
    output: z.object({ ok: z.literal(true), expiresAt: z.string().nullable(), accountId: z.string().nullable(), subject: z.string().nullable() }),
  },
  deleteCredential: {
    summary: 'Delete a profile\u2019s credential(s) from the keychain',
    input: z.object({ profile: ProfileNameSchema, kind: CredentialKindSchema.optional() }).strict(),
    output: z.object({ apikey: z.boolean(), hmac: z.boolean() }),
  },
  credentialStatus: {
    summary: 'Whether the keychain works and which credentials of a profile are stored (never their values)',
    input: ProfileInput,
    output: CredentialStatusSchema,
  },
  listRootKeys: {
    summary: 'Root keys of the profile\u2019s Key Protect / HPCS instance',
    input: OptionalProfileInput,
    output: z.object({ profile: z.string(), keys: z.array(KmsKeySchema) }),
  },
  createRootKey: {
    summary: 'Create a root key in the profile\u2019s Key Protect / HPCS instance',
    input: z
      .object({
        profile: ProfileNameSchema.optional(),
        name: z.string().min(2).max(90),
        alias: z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{1,89}$/).optional(),
        description: z.string().max(240).optional(),
      })
      .strict(),
    output: KmsKeySchema,
  },
  wrapJob: {
    summary: 'Wrap a sealed job\u2019s DEK with a root key, verify the round trip, drop the DEK from the keychain',
    input: JobIdInput.extend({ rootKey: z.string().min(1).max(100).optional() }).strict(),
    output: JobSchema,
  },
});
