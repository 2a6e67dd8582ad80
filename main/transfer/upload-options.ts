import { z } from 'zod';

/** What the CLI and the UI may set for a job's upload (used by the upload step). Pure: the contract imports it. */
export const UploadOptionsSchema = z
  .object({
    bucket: z.string().min(3).max(63).optional(),
    objectKey: z.string().min(1).max(1024).optional(),
    concurrency: z.number().int().min(1).max(64).optional(),
    partSizeMiB: z.number().int().min(5).max(5120).optional(),
    limitRateMBps: z.number().positive().max(100_000).optional(),
  })
  .strict();
export type UploadOptions = z.infer<typeof UploadOptionsSchema>;

