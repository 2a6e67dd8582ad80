import { z } from 'zod';
import { TARGET_IDS } from '../target-ids';

/**
 * A job is one image's journey. The record is the durable truth a restart resumes from, so it holds only
 * what may sit on disk: never a plaintext DEK, passphrase or credential (the DEK waits in the OS keychain).
 */
export const JOB_STATES = [
  'created',
  'sealed',
  'wrapped',
  'uploaded',
  'imported',
  'provisioned',
  'failed',
  'cancelled',
] as const;
export const JobStateSchema = z.enum(JOB_STATES);
export type JobState = z.infer<typeof JobStateSchema>;

/** The steps that move a job forward, in order; each step's success sets the state of the same index + 1. */
export const JOB_STEPS = ['seal', 'wrap', 'upload', 'import', 'provision'] as const;
export const JobStepSchema = z.enum(JOB_STEPS);
export type JobStep = z.infer<typeof JobStepSchema>;

export const STATE_AFTER_STEP: Record<JobStep, JobState> = {
  seal: 'sealed',
  wrap: 'wrapped',
  upload: 'uploaded',
  import: 'imported',
  provision: 'provisioned',
};

export const TargetIdSchema = z.enum(TARGET_IDS);

export const SourceRecordSchema = z.object({
  path: z.string(),
  format: z.string(),
  virtualSize: z.number().int().nonnegative(),
  fileSize: z.number().int().nonnegative(),
  mtimeMs: z.number().optional(),
});

export const SealRecordSchema = z.object({
  outputPath: z.string(),
  manifestPath: z.string().optional(),
  engine: z.enum(['native', 'qemu']),
  format: z.string(),
  cipher: z.string(),
  outputSize: z.number().int().nonnegative(),
  outputSha256: z.string(),
  /** SHA-256 of the virtual disk content (the source's, and the decrypted output's) */
  contentSha256: z.string(),
  /** first 8 hex of SHA-256(DEK): identifies the key without revealing it */
  keyFingerprint: z.string(),
  dekSize: z.number().int(),
  dekSource: z.enum(['generated', 'file']),
  verified: z.boolean(),
  durationMs: z.number().optional(),
  /** where the DEK waits until it is wrapped (a keychain entry name), never the DEK itself */
  dekCustody: z.string().optional(),
});

export const WrapRecordSchema = z.object({
  rootKeyId: z.string(),
  rootKeyCrn: z.string(),
  keyVersion: z.string().optional(),
  /** the wrapped DEK: ciphertext, safe to store and show */
  wdek: z.string(),
  wdekFingerprint: z.string(),
  roundTripVerified: z.boolean(),
  wrappedAt: z.string(),
});

export const UploadRecordSchema = z.object({
  bucket: z.string(),
  region: z.string(),
  objectKey: z.string(),
  endpoint: z.string().optional(),
  uploadId: z.string().optional(),
  partSize: z.number().int().optional(),
  partCount: z.number().int().optional(),
  size: z.number().int().nonnegative(),
  etag: z.string().optional(),
  verified: z.boolean(),
  uploadedAt: z.string().optional(),
});

export const ImportRecordSchema = z.object({
  api: z.enum(['vpc-images', 'softlayer-createFromIcos']),
  imageId: z.string(),
  imageName: z.string().optional(),
  imageCrn: z.string().optional(),
  status: z.string(),
  statusReasons: z.array(z.object({ code: z.string(), message: z.string() })).default([]),
  operatingSystem: z.string().optional(),
  requestedAt: z.string(),
  finishedAt: z.string().optional(),
});

export const ProvisionRecordSchema = z.object({
  instanceId: z.string(),
  name: z.string().optional(),
  status: z.string(),
  requestedAt: z.string(),
  finishedAt: z.string().optional(),
  details: z.record(z.string(), z.unknown()).optional(),
});

export const JobErrorSchema = z.object({
  step: JobStepSchema.optional(),
  code: z.string(),
  message: z.string(),
  hint: z.string().optional(),
  /** the specifics the message names (a path, a profile…), so that the UI can say it in another language */
  details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  at: z.string(),
});

/** Options chosen at creation that later steps need (no secrets). */
export const JobOptionsSchema = z.object({
  engine: z.enum(['native', 'qemu']).default('native'),
  keyBits: z.number().int().optional(),
  dekFile: z.string().optional(),
  outputPath: z.string().optional(),
  iterTimeMs: z.number().int().positive().optional(),
  verify: z.boolean().default(true),
  rootKey: z.string().optional(),
  bucket: z.string().optional(),
  objectKey: z.string().optional(),
  concurrency: z.number().int().positive().optional(),
  partSizeMiB: z.number().int().positive().optional(),
  limitRateMBps: z.number().positive().optional(),
  operatingSystem: z.string().optional(),
  imageName: z.string().optional(),
  provision: z.boolean().default(false),
  provisionOptions: z.record(z.string(), z.unknown()).optional(),
});

export const JobSchema = z.object({
  id: z.string(),
  name: z.string(),
  target: TargetIdSchema,
  profile: z.string(),
  state: JobStateSchema,
  /** the furthest state reached before failing or being cancelled, so resume knows where to pick up */
  lastGoodState: JobStateSchema.optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  options: JobOptionsSchema,
  source: SourceRecordSchema.optional(),
  seal: SealRecordSchema.optional(),
  wrap: WrapRecordSchema.optional(),
  upload: UploadRecordSchema.optional(),
  import: ImportRecordSchema.optional(),
  provision: ProvisionRecordSchema.optional(),
  error: JobErrorSchema.optional(),
});

export type Job = z.infer<typeof JobSchema>;
export type JobOptions = z.infer<typeof JobOptionsSchema>;
export type SealRecord = z.infer<typeof SealRecordSchema>;
export type WrapRecord = z.infer<typeof WrapRecordSchema>;
export type UploadRecord = z.infer<typeof UploadRecordSchema>;
export type ImportRecord = z.infer<typeof ImportRecordSchema>;
export type ProvisionRecord = z.infer<typeof ProvisionRecordSchema>;
