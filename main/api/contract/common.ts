import { z } from 'zod';

/** Shapes several domains share. */
export const EmptyInput = z.object({}).strict();
export const JobIdInput = z.object({ jobId: z.string().regex(/^job-[0-9a-z-]{6,60}$/, 'not a job id') }).strict();
export const OkOutput = z.object({ ok: z.literal(true) });
