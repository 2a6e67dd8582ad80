import { AppError } from '../common/errors';

/**
 * IBM's image `status_reasons` codes in plain words, each with what to do. One table: the import step, the CLI,
 * the UI and the sandbox (which reports the same codes) all read it.
 */
export interface StatusReasonText {
  /** what happened, in a sentence */
  meaning: string;
  /** what to do about it */
  fix: string;
}

export const STATUS_REASONS: Record<string, StatusReasonText> = {
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
};

export interface StatusReason {
  code: string;
  message: string;
  more_info?: string;
}

/** Plain words for one reason; unknown codes keep IBM's own message (IBM says the list will grow). */
export function describeStatusReason(reason: Pick<StatusReason, 'code' | 'message'>): StatusReasonText {
  const known = STATUS_REASONS[reason.code];
  if (known) return known;
  return {
    meaning: reason.message || `The service reported "${reason.code}".`,
    fix: 'See the image in the IBM Cloud console for details, correct the cause and import again.',
  };
}

/** The error a person sees when an import ends `failed`. */
export function importFailedError(
  image: { id: string; name?: string; statusReasons: Array<Pick<StatusReason, 'code' | 'message'>> },
  service: 'VPC' | 'classic infrastructure',
): AppError {
  const reasons = image.statusReasons.length > 0 ? image.statusReasons : [{ code: 'unknown', message: '' }];
  const first = describeStatusReason(reasons[0]);
  const codes = reasons.map((reason) => reason.code).join(', ');
  const label = image.name ? `"${image.name}" (${image.id})` : image.id;
  return new AppError('IMPORT_FAILED', `The ${service} import of image ${label} failed (${codes}): ${first.meaning}`, {
    hint: first.fix,
    details: {
      imageId: image.id,
      ...(image.name ? { name: image.name } : {}),
      reason: reasons[0].code,
      statusReasons: reasons.map((reason) => reason.code),
    },
  });
}
