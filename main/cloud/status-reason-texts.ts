/**
 * IBM's image `status_reasons` codes in plain words, each with what to do. One table: the import step, the CLI,
 * the UI and the sandbox (which reports the same codes) all read it. The renderer reaches it through
 * main/api/contract, so this module imports nothing (status-reasons.ts builds the errors from it); the renderer's
 * Spanish and Italian catalogs word exactly these codes (renderer/src/i18n/status-reasons).
 */

// A type, not an interface: the renderer's catalogs are trees of strings, which an interface is not assignable to.
export type StatusReasonText = {
  /** what happened, in a sentence */
  meaning: string;
  /** what to do about it */
  fix: string;
};

export const STATUS_REASONS = {
  encrypted_data_key_invalid: {
    meaning: "The wrapped key (WDEK) does not unwrap to this image's secret, so the image cannot be decrypted.",
    fix: 'Re-wrap the DEK with the root key the image was sealed for (the same root key CRN you import with), upload if needed, and import again.',
  },
  encryption_key_deleted: {
    meaning: "The image's root key was deleted from the key management service.",
    fix: 'The image can no longer be decrypted by IBM Cloud. Seal and wrap the image again with an existing root key.',
  },
  encryption_key_disabled: {
    meaning: "The image's root key is disabled (suspended) in the key management service.",
    fix: 'Enable the root key again in Key Protect / HPCS, then import again.',
  },
  image_data_corrupted: {
    meaning:
      'The image data is corrupt or not in the format the import expects (it does not match what was sealed and uploaded).',
    fix: 'Upload the sealed image again (the object may have been changed or truncated), then import again.',
  },
  image_provisioned_size_unsupported: {
    meaning: 'The image needs a boot volume larger than the maximum the service supports.',
    fix: "Shrink the source disk's virtual size (at most 250 GB for VPC, 100 GB for classic), seal again and import.",
  },
  image_request_in_progress: {
    meaning: 'The import is in progress.',
    fix: 'Wait; the status is checked again automatically.',
  },
  image_request_queued: {
    meaning: 'The import request was accepted and waits to start.',
    fix: 'Wait; the status is checked again automatically.',
  },
} satisfies Record<string, StatusReasonText>;

/** A code the table words; IBM's list grows, so a reason read from IBM is a plain string until checked. */
export type StatusReasonCode = keyof typeof STATUS_REASONS;

/** Own keys only: a code such as "constructor" is not a reason this table words. */
export function isStatusReasonCode(code: string): code is StatusReasonCode {
  return Object.hasOwn(STATUS_REASONS, code);
}
