import { STATUS_REASONS, type StatusReasonCode, type StatusReasonText } from '../../../../main/api/contract';

/**
 * What IBM's image `status_reasons` codes mean and what to do, in the page's language, per code.
 *
 * English is main's own table, re-exported through the contract rather than copied here: an English page must
 * read exactly the sentences main puts in its IMPORT_FAILED error and the CLI prints, and the table is the one
 * list of codes main knows. A copy would drift from both in silence; the shared table makes a code added in main
 * a type error here until Spanish and Italian word it too (and i18n-catalogs.test.ts fails on the missing keys).
 */
export type StatusReasonCatalog = Readonly<Record<StatusReasonCode, StatusReasonText>>;

export const enStatusReasons: StatusReasonCatalog = STATUS_REASONS;
