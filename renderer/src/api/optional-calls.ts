import type { SealerApi } from '../../../main/api/contract';

/**
 * Calls that other parts of the app declare in the contract as they are finished (keys, profiles,
 * credentials, operating systems, probe). The renderer looks them up by name and narrows what comes back,
 * so a build without one shows "not available" instead of failing to start.
 */
export type LooseCall = (input: Record<string, unknown>) => Promise<unknown>;

export function optionalCall(api: SealerApi, ...names: string[]): LooseCall | null {
  const table = api as unknown as Record<string, unknown>;
  for (const name of names) {
    const candidate = table[name];
    if (typeof candidate === 'function') return candidate as LooseCall;
  }
  return null;
}

export type Loose = Record<string, unknown>;

export function asRecord(value: unknown): Loose {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Loose) : {};
}

/** An array from a result that is either the array or an object holding it under one of the given keys. */
export function asList(value: unknown, ...keys: string[]): Loose[] {
  if (Array.isArray(value)) return value.map(asRecord);
  const record = asRecord(value);
  for (const key of keys) if (Array.isArray(record[key])) return (record[key] as unknown[]).map(asRecord);
  return [];
}

export function str(record: Loose, ...keys: string[]): string | undefined {
  for (const key of keys) {
    const value = record[key];
    if (typeof value === 'string') return value;
    if (typeof value === 'number') return String(value);
  }
  return undefined;
}

export function num(record: Loose, ...keys: string[]): number | undefined {
  for (const key of keys) {
    const value = record[key];
    if (typeof value === 'number' && Number.isFinite(value)) return value;
  }
  return undefined;
}

export function bool(record: Loose, ...keys: string[]): boolean | undefined {
  for (const key of keys) {
    const value = record[key];
    if (typeof value === 'boolean') return value;
  }
  return undefined;
}
