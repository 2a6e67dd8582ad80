import { AppError } from '../common/errors';
import { isStatusReasonCode, STATUS_REASONS, type StatusReasonText } from './status-reason-texts';

export {
  STATUS_REASONS,
  isStatusReasonCode,
  type StatusReasonCode,
  type StatusReasonText,
} from './status-reason-texts';

export interface StatusReason {
  code: string;
  message: string;
  more_info?: string;
}

/** Plain words for one reason; unknown codes keep IBM's own message (IBM says the list will grow). */
export function describeStatusReason(reason: Pick<StatusReason, 'code' | 'message'>): StatusReasonText {
  if (isStatusReasonCode(reason.code)) return STATUS_REASONS[reason.code];
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
