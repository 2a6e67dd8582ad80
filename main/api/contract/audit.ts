import { z } from 'zod';
import { defineCalls } from './define';
import { AuditEntrySchema } from './jobs';

export const AuditVerifySchema = z.object({
  ok: z.boolean(),
  entries: z.number(),
  firstBadLine: z.number().optional(),
  reason: z.string().optional(),
  headHash: z.string(),
});

export const auditCalls = defineCalls({
  listAudit: {
    summary: 'The latest audit entries',
    input: z.object({ limit: z.number().int().min(1).max(5000).default(500) }).strict(),
    output: z.array(AuditEntrySchema),
  },
  verifyAudit: { summary: 'Check the hash chain', input: z.object({}).strict(), output: AuditVerifySchema },
  exportAudit: {
    summary: 'The whole log as JSON or CSV text',
    input: z.object({ format: z.enum(['json', 'csv']) }).strict(),
    output: z.object({ format: z.enum(['json', 'csv']), content: z.string(), fileName: z.string() }),
  },
});
