import { isStatusReasonCode } from '../../../main/api/contract';
import type { CatalogLookup } from './errors';

/** One of IBM's `status_reasons` as a job's import record keeps it. */
export interface RecordedStatusReason {
  code: string;
  message: string;
}

/** What the job page shows of one reason. */
export interface StatusReasonView {
  code: string;
  /** what the code means, in the page's language; absent for a code the catalog does not word */
  meaning?: string;
  /** IBM's own message (English), kept beside the meaning or, without one, shown in its place */
  message: string;
}

/**
 * A code the catalog words (`statusReasons.CODE.meaning`) gets its meaning in the page's language; a code IBM
 * added since (its list grows) has only IBM's message, as before.
 */
export function statusReasonViews(reasons: RecordedStatusReason[], lookup: CatalogLookup): StatusReasonView[] {
  return reasons.map(({ code, message }) => {
    const meaning = isStatusReasonCode(code) ? lookup(`statusReasons.${code}.meaning`) : undefined;
    return meaning ? { code, meaning, message } : { code, message };
  });
}
