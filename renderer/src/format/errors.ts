import { isStatusReasonCode, quotableDetails, type QuotableDetails } from '../../../main/api/contract';

/**
 * Turns what a call rejected with into what a person reads: a localized title chosen by the error's code
 * (one table, like balenaEtcher's), then the message and hint — main's own English text, or on a Spanish or
 * Italian page the catalog's wording of that code (`errorText.CODE.message/hint`) with main's text kept as
 * the original to quote to support; a failed import whose IBM reason the catalog knows (`statusReasons.CODE`)
 * says what that reason means and what to do. Never a stack trace.
 */

/** The specifics an error names (a path, a profile, a bucket), as the catalog's sentences can quote them. */
export type ErrorDetails = QuotableDetails;

export interface ErrorView {
  /** i18n key of the title */
  titleKey: string;
  message: string;
  hint?: string;
  code: string;
  details?: ErrorDetails;
}

/** What the notice shows: in the page's language where the catalog words the code, else main's text. */
export interface LocalizedErrorView {
  titleKey: string;
  code: string;
  message: string;
  hint?: string;
  /** main's English message and hint, present when `message` and `hint` are a translation of them */
  original?: { message: string; hint?: string };
}

/** The raw catalog text of a key in the page's language (placeholders not filled), or undefined. */
export type CatalogLookup = (key: string) => string | undefined;

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
    const record = error as { message?: unknown; code?: unknown; hint?: unknown; details?: unknown };
    const code = typeof record.code === 'string' ? record.code : 'INTERNAL';
    const message = typeof record.message === 'string' && record.message.length > 0 ? firstLine(record.message) : '';
    const view: ErrorView = { titleKey: errorTitleKey(code), message, code };
    if (typeof record.hint === 'string' && record.hint.length > 0) view.hint = record.hint;
    const details = quotableDetails(record.details);
    if (details) view.details = details;
    return view;
  }
  return { titleKey: 'errors.generic', message: typeof error === 'string' ? firstLine(error) : '', code: 'INTERNAL' };
}

/**
 * The message and hint for a page in `language`. English keeps main's own text (it names the most specifics);
 * another language takes the catalog's wording of the code with the error's details filled in, and keeps
 * main's text as the original. A code the catalog does not word, or a sentence whose details did not come
 * with this error, falls back to main's text: better English than a sentence with a hole in it.
 */
export function localizeErrorView(view: ErrorView, language: string, lookup: CatalogLookup): LocalizedErrorView {
  const untranslated: LocalizedErrorView = { titleKey: view.titleKey, code: view.code, message: view.message };
  if (view.hint) untranslated.hint = view.hint;
  if (language === 'en' || !view.message) return untranslated;
  for (const wording of wordingsOf(view, lookup)) {
    const message = firstFilled(wording.messages, wording.details);
    if (message === undefined) continue;
    const hint = wording.hint === undefined ? undefined : fill(wording.hint, wording.details);
    if (wording.hint !== undefined && hint === undefined) continue;
    const localized: LocalizedErrorView = {
      titleKey: view.titleKey,
      code: view.code,
      message,
      original: view.hint ? { message: view.message, hint: view.hint } : { message: view.message },
    };
    if (hint) localized.hint = hint;
    return localized;
  }
  return untranslated;
}

/** One way the catalog words an error: message templates tried in order, the hint's, and what fills them. */
interface Wording {
  messages: Array<string | undefined>;
  hint: string | undefined;
  details: ErrorDetails | undefined;
}

/** The most specific wording first; the code's own sentence last. */
function wordingsOf(view: ErrorView, lookup: CatalogLookup): Wording[] {
  const own: Wording = {
    messages: [lookup(`errorText.${view.code}.message`)],
    hint: lookup(`errorText.${view.code}.hint`),
    details: view.details,
  };
  const reason = view.code === 'IMPORT_FAILED' ? statusReasonWording(view, lookup) : undefined;
  return reason ? [reason, own] : [own];
}

/**
 * A failed import whose first IBM status reason the catalog words (`statusReasons.CODE`): the message says what
 * the reason means, the hint what to do. A code IBM added since (its list grows) has no such wording, and the
 * code's own sentence names it instead.
 */
function statusReasonWording(view: ErrorView, lookup: CatalogLookup): Wording | undefined {
  const reason = view.details?.reason;
  if (typeof reason !== 'string' || !isStatusReasonCode(reason)) return undefined;
  const reasonMeaning = lookup(`statusReasons.${reason}.meaning`);
  const reasonFix = lookup(`statusReasons.${reason}.fix`);
  if (!reasonMeaning || !reasonFix) return undefined;
  const templates = `errorText.${view.code}.knownReason`;
  return {
    messages: [lookup(`${templates}.messageNamed`), lookup(`${templates}.message`)],
    hint: lookup(`${templates}.hint`),
    details: { ...view.details, reasonMeaning, reasonFix },
  };
}

/** The first template whose details all came with the error, filled in. */
function firstFilled(templates: Array<string | undefined>, details: ErrorDetails | undefined): string | undefined {
  for (const template of templates) {
    const text = fill(template, details);
    if (text !== undefined) return text;
  }
  return undefined;
}

/** `{{name}}` → the detail of that name; undefined when there is no template or a detail is missing. */
function fill(template: string | undefined, details: ErrorDetails | undefined): string | undefined {
  if (typeof template !== 'string' || template.length === 0) return undefined;
  let complete = true;
  const text = template.replace(/\{\{\s*(\w+)\s*\}\}/g, (_placeholder, name: string) => {
    const value = details?.[name];
    if (value === undefined || value === '') {
      complete = false;
      return '';
    }
    return String(value);
  });
  return complete ? text : undefined;
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
