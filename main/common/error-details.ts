/**
 * The details of an error that a sentence can quote (strings, numbers, booleans): what a job record keeps of
 * a failure, and what the renderer fills into a translated message. Nested values (issue lists, file stats)
 * are left out.
 */
export type QuotableDetails = Record<string, string | number | boolean>;

export function quotableDetails(details: unknown): QuotableDetails | undefined {
  if (typeof details !== 'object' || details === null) return undefined;
  const quotable: QuotableDetails = {};
  for (const [name, value] of Object.entries(details)) {
    if (
      typeof value === 'string' ||
      typeof value === 'boolean' ||
      (typeof value === 'number' && Number.isFinite(value))
    )
      quotable[name] = value;
  }
  return Object.keys(quotable).length > 0 ? quotable : undefined;
}
