/**
 * Turns what a call rejected with into what a person reads: a localized title chosen by the error's code
 * (one table, like balenaEtcher's), then the app's own message and hint. Never a stack trace.
 */

export interface ErrorView {
  /** i18n key of the title */
  titleKey: string;
  message: string;
  hint?: string;
  code: string;
}

/** Code prefixes and exact codes → the title's i18n key. Exact codes win over prefixes. */
export const ERROR_TITLE_KEYS: Readonly<Record<string, string>> = {
  TIMEOUT: 'errors.unreachable',
  HOST_UNREACHABLE: 'errors.unreachable',
  UPLOAD_FAILED: 'errors.transfer',
  JOB_NOT_FOUND: 'errors.notFound',
  JOB_BUSY: 'errors.busy',
  JOB_CANCELLED: 'errors.cancelled',
  JOB_PAUSED: 'errors.paused',
  INVALID_INPUT: 'errors.invalidInput',
  UNKNOWN_CALL: 'errors.unavailable',
  STEP_NOT_AVAILABLE: 'errors.unavailable',
  REFUSED: 'errors.refused',
  'IMAGE_*': 'errors.image',
  'VHD_*': 'errors.image',
  'SEAL_*': 'errors.seal',
  'XTS_*': 'errors.seal',
  'KMS_*': 'errors.keys',
  'IAM_*': 'errors.credentials',
  'KEYCHAIN_*': 'errors.keychain',
  'CREDENTIAL_*': 'errors.credentials',
  'UPLOAD_*': 'errors.transfer',
  'COS_*': 'errors.transfer',
  'CLOUD_*': 'errors.cloud',
  'IMPORT_*': 'errors.cloud',
  'PROVISION_*': 'errors.cloud',
  'SYSTEM_*': 'errors.system',
  'PROFILE_*': 'errors.profile',
};

export function errorTitleKey(code: string): string {
  const exact = ERROR_TITLE_KEYS[code];
  if (exact) return exact;
  for (const [pattern, key] of Object.entries(ERROR_TITLE_KEYS)) {
    if (pattern.endsWith('*') && code.startsWith(pattern.slice(0, -1))) return key;
  }
  return 'errors.generic';
}

/** Accepts anything a promise may reject with and keeps only what is meant for people. */
export function toErrorView(error: unknown): ErrorView {
  if (typeof error === 'object' && error !== null) {
    const record = error as { message?: unknown; code?: unknown; hint?: unknown };
    const code = typeof record.code === 'string' ? record.code : 'INTERNAL';
    const message = typeof record.message === 'string' && record.message.length > 0 ? firstLine(record.message) : '';
    const view: ErrorView = { titleKey: errorTitleKey(code), message, code };
    if (typeof record.hint === 'string' && record.hint.length > 0) view.hint = record.hint;
    return view;
  }
  return { titleKey: 'errors.generic', message: typeof error === 'string' ? firstLine(error) : '', code: 'INTERNAL' };
}

/** A message never carries a stack: cut at the first line that looks like one. */
function firstLine(message: string): string {
  const lines = message.split('\n');
  const kept: string[] = [];
  for (const line of lines) {
    if (/^\s+at\s/.test(line)) break;
    kept.push(line);
  }
  return kept.join('\n').trim();
}
