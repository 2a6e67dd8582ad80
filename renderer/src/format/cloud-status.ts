import type { CatalogLookup } from './errors';

/** What a job record shows of an image or instance state IBM reports. */
export interface CloudStatusView {
  /** IBM's own word, as the API returns it (kept for support and for scripts) */
  status: string;
  /** the state in the page's language; IBM's word where the catalog has none (IBM adds states) */
  label: string;
}

export function cloudStatusView(kind: 'image' | 'instance', status: string, lookup: CatalogLookup): CloudStatusView {
  // Only plain state words are looked up: a key made of arbitrary text could reach another catalog entry.
  const label = /^[a-z_]+$/.test(status) ? lookup(`cloudStatus.${kind}.${status}`) : undefined;
  return { status, label: label ?? status };
}
