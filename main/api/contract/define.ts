import type { z } from 'zod';

/** One call the UI can make: declared once, used by both transports, the dispatcher and the typed client. */
export interface CallSpec<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  input: I;
  output: O;
  summary: string;
}

export function defineCalls<const T extends Record<string, CallSpec>>(calls: T): T {
  return calls;
}
