import { z } from 'zod';
import { TargetIdSchema } from '../../jobs/job';
import { defineCalls } from './define';
import { JobIdInput, OkOutput } from './common';

export const ProbeProblemSchema = z.object({
  code: z.string(),
  severity: z.enum(['error', 'warning']),
  message: z.string(),
});

export const ProbeResultSchema = z.object({
  path: z.string(),
  format: z.enum(['raw', 'qcow2', 'vhd-fixed', 'vhd-dynamic', 'other']),
  description: z.string(),
  virtualSize: z.number().int().nonnegative(),
  fileSize: z.number().int().nonnegative(),
  allocatedSize: z.number().int().nonnegative(),
  mtimeMs: z.number(),
  problems: z.array(ProbeProblemSchema),
});

export const ProbeImageInput = z
  .object({
    path: z.string().min(1),
    target: TargetIdSchema.optional(),
  })
  .strict();

export const VerifySealOutput = z.object({
  verified: z.literal(true),
  contentSha256: z.string(),
  outputSha256: z.string(),
  checks: z.object({ nativeDecrypt: z.boolean(), qemuCompare: z.boolean() }),
});

export const sealCalls = defineCalls({
  probeImage: {
    summary: "Detect a source image's format and virtual size, and what the target will object to",
    input: ProbeImageInput,
    output: ProbeResultSchema,
  },
  startSeal: {
    summary: 'Seal a created job in the background; progress arrives as events (step "seal")',
    input: JobIdInput,
    output: z.object({ started: z.boolean() }),
  },
  cancelSeal: {
    summary: 'Stop a running seal; nothing half-written is kept and the job can be sealed again',
    input: JobIdInput,
    output: OkOutput,
  },
  verifySeal: {
    summary: "Check a sealed job's image again with the DEK in custody (own decryption + qemu-img compare)",
    input: JobIdInput,
    output: VerifySealOutput,
  },
});
