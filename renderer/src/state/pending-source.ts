/** A file dropped on the Jobs page, handed to the wizard that opens next (same tab, same session). */
export interface PendingSource {
  path: string;
  name: string;
  size?: number;
}

let pending: PendingSource | null = null;

export function setPendingSource(source: PendingSource): void {
  pending = source;
}

export function takePendingSource(): PendingSource | null {
  const source = pending;
  pending = null;
  return source;
}
