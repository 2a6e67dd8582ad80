import { z } from 'zod';
import { JobSchema, JobStepSchema, TargetIdSchema } from '../../jobs/job';
import { defineCalls } from './define';
import { EmptyInput, JobIdInput, OkOutput } from './common';

export const AuditEntrySchema = z.object({
  seq: z.number(),
  ts: z.string(),
  type: z.string(),
  jobId: z.string().nullable(),
  data: z.record(z.string(), z.unknown()),
  prev: z.string(),
  hash: z.string(),
});

export const CreateJobInput = z
  .object({
    sourcePath: z.string().min(1),
    target: TargetIdSchema,
    name: z.string().min(1).max(100).optional(),
    profile: z.string().min(1).max(64).optional(),
    engine: z.enum(['native', 'qemu']).optional(),
    keyBits: z.union([z.literal(256), z.literal(512)]).optional(),
    iterTimeMs: z.number().int().min(1).max(60_000).optional(),
    verify: z.boolean().optional(),
    provision: z.boolean().optional(),
  })
  .strict();

export const jobCalls = defineCalls({
  listJobs: { summary: 'All jobs, newest first', input: EmptyInput, output: z.array(JobSchema) },
  getJob: { summary: 'One job record', input: JobIdInput, output: JobSchema },
  createJob: {
    summary: 'Create a job for a source image (probes it first)',
    input: CreateJobInput,
    output: JobSchema,
  },
  runJob: {
    summary: 'Run a job in the background up to (and including) a step, or to the end',
    input: JobIdInput.extend({ until: JobStepSchema.optional() }).strict(),
    output: z.object({ started: z.boolean() }),
  },
  pauseJob: { summary: 'Stop the running step; the job can be resumed', input: JobIdInput, output: OkOutput },
  cancelJob: { summary: 'Cancel a job for good', input: JobIdInput, output: JobSchema },
  deleteJob: {
    summary: 'Delete a job record and its sealed output (never the source image)',
    input: JobIdInput,
    output: OkOutput,
  },
  jobTimeline: { summary: 'The audit entries of one job', input: JobIdInput, output: z.array(AuditEntrySchema) },
  runningJobs: { summary: 'Ids of jobs with a step running now', input: EmptyInput, output: z.array(z.string()) },
});
