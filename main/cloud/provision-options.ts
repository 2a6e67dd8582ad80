import { z } from 'zod';

/**
 * What the officer may choose for the optional provision step, stored in `job.options.provisionOptions`.
 * Unset fields fall back to the profile's defaults (in the sandbox: the first entry of each list).
 */
export const ProvisionOptionsSchema = z
  .object({
    /** VPC: instance name */
    name: z.string().min(1).max(63).optional(),
    /** VPC: instance profile, e.g. bx2-2x8 */
    instanceProfile: z.string().min(1).optional(),
    zone: z.string().min(1).optional(),
    vpcId: z.string().min(1).optional(),
    subnetId: z.string().min(1).optional(),
    keyIds: z.array(z.string().min(1)).optional(),
    /** classic */
    hostname: z.string().min(1).max(63).optional(),
    domain: z.string().min(1).max(190).optional(),
    cpus: z.number().int().min(1).max(56).optional(),
    memoryMiB: z.number().int().min(1024).optional(),
    datacenter: z.string().min(1).optional(),
    hourly: z.boolean().optional(),
  })
  .strict();
export type ProvisionOptions = z.infer<typeof ProvisionOptionsSchema>;

export function parseProvisionOptions(value: unknown): ProvisionOptions {
  return ProvisionOptionsSchema.parse(value ?? {});
}

/** A host name from free text: letters, digits and hyphens, at most 63 characters. */
export function hostnameFrom(text: string, fallback = 'sealed-server'): string {
  const name = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+/, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return name.length > 0 ? name : fallback;
}
