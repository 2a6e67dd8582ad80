import { AppError } from '../common/errors';
import { asSdkError, retryAfterMs } from './sdk-error';

/**
 * Key Protect's error envelope, turned into sentences. sdk-core does not read `errorMsg`/`reasons`, so this
 * does: `{"metadata":{…error+json},"resources":[{"errorMsg":"…","reasons":[{"code":"…","message":"…"}]}]}`.
 */
export type KmsOperation = 'list' | 'get' | 'create' | 'import' | 'wrap' | 'unwrap' | 'rewrap' | 'rotate' | 'enable' | 'disable';

export interface KmsErrorContext {
  operation: KmsOperation;
  keyRef?: string;
  endpoint: string;
  instanceId: string;
  kind: 'key-protect' | 'hpcs';
  private: boolean;
}

export interface KmsErrorDetails {
  service: 'kms';
  operation: KmsOperation;
  endpoint: string;
  status?: number;
  reason?: string;
  errno?: string;
  retryAfterMs?: number;
  [key: string]: unknown;
}

export interface KmsErrorEnvelope {
  errorMsg: string | null;
  reasonCode: string | null;
  reasonMessage: string | null;
}

export function parseKmsErrorEnvelope(body: unknown): KmsErrorEnvelope | null {
  let value = body;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return null;
    }
  }
  const resources = (value as { resources?: unknown } | null)?.resources;
  if (!Array.isArray(resources) || resources.length === 0) return null;
  const first = resources[0] as { errorMsg?: unknown; reasons?: unknown };
  const reason = Array.isArray(first.reasons) ? (first.reasons[0] as { code?: unknown; message?: unknown } | undefined) : undefined;
  return {
    errorMsg: typeof first.errorMsg === 'string' ? first.errorMsg : null,
    reasonCode: typeof reason?.code === 'string' ? reason.code : null,
    reasonMessage: typeof reason?.message === 'string' ? reason.message : null,
  };
}

/** The least IAM service role on the Key Protect / HPCS instance each operation needs. */
const ROLE_FOR: Record<KmsOperation, string> = {
  list: 'Reader',
  get: 'Reader',
  wrap: 'Reader',
  unwrap: 'Reader',
  rewrap: 'Reader',
  create: 'Writer',
  import: 'Writer',
  rotate: 'Writer',
  enable: 'Manager',
  disable: 'Manager',
};

const DOING: Record<KmsOperation, string> = {
  list: 'list the keys',
  get: 'read the key',
  create: 'create a root key',
  import: 'import a root key',
  wrap: 'wrap the data encryption key',
  unwrap: 'unwrap the wrapped key',
  rewrap: 'rewrap the wrapped key',
  rotate: 'rotate the root key',
  enable: 'enable the root key',
  disable: 'disable the root key',
};

export function keyProtectError(error: unknown, context: KmsErrorContext): AppError {
  const sdk = asSdkError(error);
  const service = context.kind === 'hpcs' ? 'Hyper Protect Crypto Services' : 'Key Protect';
  const envelope = parseKmsErrorEnvelope(sdk.result);
  const said = envelope?.reasonMessage ?? envelope?.errorMsg ?? sdk.message;
  const reasonTag = envelope?.reasonCode ? ` (${envelope.reasonCode})` : '';
  const key = context.keyRef ? ` "${context.keyRef}"` : '';
  const details: KmsErrorDetails = {
    service: 'kms',
    operation: context.operation,
    endpoint: context.endpoint,
    status: sdk.status,
    reason: envelope?.reasonCode ?? undefined,
    instanceId: context.instanceId,
    role: ROLE_FOR[context.operation],
  };
  const role = ROLE_FOR[context.operation];

  if (sdk.status === undefined) {
    details.errno = sdk.statusText;
    const privateHint = context.private
      ? ' Private endpoints are reachable only from inside IBM Cloud (or over Direct Link/VPN); turn "private" off in the profile to use the public endpoint.'
      : '';
    return new AppError('KMS_UNREACHABLE', `${service} at ${context.endpoint} could not be reached to ${DOING[context.operation]} (${sdk.statusText ?? sdk.message}).`, {
      hint: `Check the network connection and the profile's endpoint and region, then retry; nothing was lost.${privateHint}`,
      details,
    });
  }
  switch (sdk.status) {
    case 401:
      return new AppError('KMS_UNAUTHORIZED', `${service} refused to ${DOING[context.operation]}: the API key's identity has no access to instance ${context.instanceId}${reasonTag}.`, {
        hint: `Give the user or service ID of the API key an IAM access policy on this ${service} instance with at least the ${role} service role (Reader: list keys, wrap, unwrap; Writer: create, import, rotate; Manager: enable, disable). Also check the instance id and region of the profile.`,
        details,
      });
    case 403:
      return new AppError('KMS_FORBIDDEN', `${service} forbids this request to ${DOING[context.operation]}: ${said}${reasonTag}.`, {
        hint: `The identity needs at least the ${role} service role on instance ${context.instanceId}; an instance policy (allowed network: public or private only, allowed IPs) can also forbid it.`,
        details,
      });
    case 404:
      return new AppError('KMS_KEY_NOT_FOUND', `${service} has no key${key} in instance ${context.instanceId}${reasonTag}.`, {
        hint: 'List the root keys with "image-sealer keys list --profile PROFILE" and check the profile\'s instance id.',
        details,
      });
    case 409:
      if (envelope?.reasonCode === 'KEY_ACTION_INVALID_STATE_ERR' || /state/i.test(said)) {
        return new AppError('KMS_KEY_STATE', `Root key${key} is not in a state that allows it to ${DOING[context.operation]}: ${said}${reasonTag}.`, {
          hint: 'Wrapping needs an active key; unwrapping an active or deactivated one. Enable the key if it was disabled (suspended), or choose another root key.',
          details,
        });
      }
      return new AppError('KMS_CONFLICT', `${service} could not ${DOING[context.operation]}: ${said}${reasonTag}.`, { details });
    case 410:
      return new AppError('KMS_KEY_DELETED', `Root key${key} was deleted${reasonTag}.`, {
        hint: 'A deleted root key cannot wrap or unwrap again: wrap the job with another root key (the job keeps its DEK until wrap succeeds).',
        details,
      });
    case 422:
      if (envelope?.reasonCode === 'UNPROCESSABLE_CIPHERTEXT_ERR' || /ciphertext/i.test(said)) {
        return new AppError('KMS_BAD_CIPHERTEXT', `${service} could not ${DOING[context.operation]}: the wrapped key was not made by root key${key} or is damaged${reasonTag}.`, {
          hint: 'Use the root key the job was wrapped with (its CRN is in the job record).',
          details,
        });
      }
      return new AppError('KMS_UNPROCESSABLE', `${service} could not ${DOING[context.operation]}: ${said}${reasonTag}.`, { details });
    case 429:
      details.retryAfterMs = retryAfterMs(sdk);
      return new AppError('KMS_RATE_LIMITED', `${service} is limiting requests (HTTP 429): the request to ${DOING[context.operation]} did not get through after several tries.`, {
        hint: 'Wait a minute and retry.',
        details,
      });
    default:
      break;
  }
  if (sdk.status === 400 && envelope?.reasonCode === 'KEY_ROOT_REQ_ERR') {
    return new AppError('KMS_NOT_ROOT_KEY', `Key${key} is a standard key; only a root key can ${DOING[context.operation]}.`, {
      hint: 'Choose a root key, or create one with "image-sealer keys create".',
      details,
    });
  }
  if (sdk.status === 400 && envelope?.reasonCode === 'KEY_PAYLOAD_REQ_ERR') {
    return new AppError('KMS_KEY_MATERIAL_REQUIRED', `Root key${key} was imported: rotating it needs new key material${reasonTag}.`, { details });
  }
  if (sdk.status >= 500) {
    return new AppError('KMS_UNAVAILABLE', `${service} failed to ${DOING[context.operation]} (HTTP ${sdk.status}): ${said}${reasonTag}.`, {
      hint: 'The service had a problem; retry in a few minutes. Nothing was lost.',
      details,
    });
  }
  return new AppError('KMS_BAD_REQUEST', `${service} refused to ${DOING[context.operation]} (HTTP ${sdk.status}): ${said}${reasonTag}.`, {
    details,
  });
}
