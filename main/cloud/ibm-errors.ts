import { AppError } from '../common/errors';
import type { JsonResponse } from './cloud-http';

/** IBM VPC's error envelope: `{ errors: [{ code, message, more_info, target }], trace, status_code }`. */
export interface VpcErrorItem {
  code: string;
  message: string;
  more_info?: string;
  target?: { name?: string; type?: string };
}

export function vpcErrorItems(body: unknown): VpcErrorItem[] {
  const errors = (body as { errors?: unknown } | null)?.errors;
  if (!Array.isArray(errors)) return [];
  return errors
    .filter((item): item is Record<string, unknown> => typeof item === 'object' && item !== null)
    .map((item) => ({
      code: typeof item.code === 'string' ? item.code : 'unknown',
      message: typeof item.message === 'string' ? item.message : '',
      more_info: typeof item.more_info === 'string' ? item.more_info : undefined,
      target:
        typeof item.target === 'object' && item.target !== null ? (item.target as VpcErrorItem['target']) : undefined,
    }));
}

function traceOf(body: unknown): string | undefined {
  const trace = (body as { trace?: unknown } | null)?.trace;
  return typeof trace === 'string' ? trace : undefined;
}

/**
 * What each call needs when IBM answers 401/403, in the words of IBM's service authorizations. An import needs
 * the user's own rights plus two service-to-service authorizations; a person cannot tell which one is missing
 * from IBM's message alone, so name them.
 */
export const AUTHORIZATION_HINTS = {
  vpcImport:
    'Check that your API key may create VPC images (IAM role Editor on "VPC Infrastructure Services") and that these service authorizations exist: Cloud Block Storage → Key Protect/HPCS (Reader) and VPC Image Service → Cloud Object Storage (Reader).',
  vpcRead: 'Check that your API key has at least the Viewer role on "VPC Infrastructure Services" in this region.',
  vpcInstance:
    'Check that your API key may create virtual server instances (IAM role Editor on "VPC Infrastructure Services") and may use the image, subnet and keys.',
  classicImport:
    'Check that your API key belongs to a user with the classic permission "Manage image templates" and that the service authorization Cloud Block Storage → Key Protect/HPCS (Reader) exists.',
  classicInstance:
    'Check that your classic infrastructure user may order virtual servers ("Add Server" and "View virtual server details" permissions).',
} as const;

export type AuthorizationNeed = keyof typeof AUTHORIZATION_HINTS;

/** Turns a VPC error response into an AppError that says what happened and what to do. */
export function vpcError(response: JsonResponse, action: string, need: AuthorizationNeed): AppError {
  const items = vpcErrorItems(response.body);
  const first = items[0];
  const trace = traceOf(response.body);
  const details: Record<string, unknown> = { status: response.status, codes: items.map((item) => item.code) };
  if (trace) details.trace = trace;
  const said = first
    ? `${first.message || first.code}${first.target?.name ? ` (field ${first.target.name})` : ''}`
    : '';
  if (response.status === 401 || response.status === 403) {
    return new AppError(
      'CLOUD_NOT_AUTHORIZED',
      `IBM Cloud refused to ${action}: not authorized${said ? ` (${said})` : ''}.`,
      {
        hint: AUTHORIZATION_HINTS[need],
        details,
      },
    );
  }
  if (first?.target?.name?.startsWith('operating_system')) {
    return new AppError('IMPORT_OS_INVALID', `IBM Cloud refused to ${action}: ${said}.`, {
      hint: 'Choose an operating system from "image-sealer os list" and pass it with --os.',
      details,
    });
  }
  if (response.status === 404) {
    return new AppError('CLOUD_NOT_FOUND', `Could not ${action}: not found${said ? ` (${said})` : ''}.`, {
      hint: 'Check the id and the region of the profile.',
      details,
    });
  }
  if (response.status === 409) {
    return new AppError('CLOUD_CONFLICT', `Could not ${action}: ${said || 'it conflicts with an existing resource'}.`, {
      hint: 'A resource with this name may exist already: choose another name or delete the old one.',
      details,
    });
  }
  if (response.status === 400 || response.status === 422) {
    return new AppError(
      'CLOUD_REQUEST_INVALID',
      `IBM Cloud refused the request to ${action}: ${said || 'invalid request'}.`,
      {
        hint: first?.more_info
          ? `Correct the value and try again; see ${first.more_info}.`
          : 'Correct the value and try again.',
        details,
      },
    );
  }
  if (response.status === 429 || response.status >= 500) {
    return new AppError(
      'CLOUD_UNAVAILABLE',
      `IBM Cloud could not ${action} right now (HTTP ${response.status}${said ? `: ${said}` : ''}).`,
      {
        hint: 'The service is busy or failing; resume the job in a few minutes.',
        details,
      },
    );
  }
  return new AppError('CLOUD_ERROR', `Could not ${action} (HTTP ${response.status}${said ? `: ${said}` : ''}).`, {
    details,
  });
}

/** SoftLayer's error envelope: `{ "error": "…", "code": "SoftLayer_Exception_…" }`. */
export function softLayerError(response: JsonResponse, action: string, need: AuthorizationNeed): AppError {
  const body = response.body as { error?: unknown; code?: unknown } | null;
  const message = typeof body?.error === 'string' ? body.error : typeof response.body === 'string' ? response.body : '';
  const code = typeof body?.code === 'string' ? body.code : '';
  const details: Record<string, unknown> = { status: response.status, code };
  const said = message ? `: ${message}` : '';
  if (
    response.status === 401 ||
    response.status === 403 ||
    /Access_Denied|InvalidLegacyToken|NotAuthorized/i.test(code)
  ) {
    return new AppError(
      'CLOUD_NOT_AUTHORIZED',
      `IBM Cloud classic infrastructure refused to ${action}: not authorized${said}.`,
      {
        hint: AUTHORIZATION_HINTS[need],
        details,
      },
    );
  }
  if (response.status === 404 || /ObjectNotFound/.test(code)) {
    return new AppError('CLOUD_NOT_FOUND', `Could not ${action}: not found${said}.`, { details });
  }
  // SoftLayer reports refused requests as HTTP 500 with a SoftLayer_Exception_* code; only bare 5xx mean an outage.
  const refused = /^SoftLayer_Exception/.test(code) && response.status !== 503;
  if (!refused && (response.status === 429 || response.status >= 500)) {
    return new AppError(
      'CLOUD_UNAVAILABLE',
      `IBM Cloud classic infrastructure could not ${action} right now (HTTP ${response.status}${said}).`,
      {
        hint: 'The service is busy or failing; resume the job in a few minutes.',
        details,
      },
    );
  }
  return new AppError(
    'CLOUD_REQUEST_INVALID',
    `IBM Cloud classic infrastructure refused the request to ${action}${said}.`,
    {
      hint: 'Correct the value and try again.',
      details,
    },
  );
}
