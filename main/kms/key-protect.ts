import IbmKeyProtectApiV2 from '@ibm-cloud/ibm-key-protect/ibm-key-protect-api/v2';
import type { AuthenticatorInterface } from 'ibm-cloud-sdk-core';
import { AppError } from '../common/errors';
import { keyProtectError, type KmsErrorDetails, type KmsOperation } from './kms-errors';
import { DEFAULT_RETRY_POLICY, withRetry, type RetryPolicy } from './retry';
import { TRANSIENT_NETWORK_CODES } from './sdk-error';
import { abortable } from '../common/abortable';

/**
 * Key Protect (and Hyper Protect Crypto Services, which speaks the same key API) over the official SDK:
 * root keys and the wrap/unwrap/rewrap actions. Every request has a timeout; 429, 5xx and dropped
 * connections are retried with backoff; the service's error envelope becomes an AppError that says which key,
 * which state or which IAM role is the problem.
 */
export interface KeyProtectConfig {
  /** `https://<region>.kms.cloud.ibm.com`, an HPCS `https://api.<region>.hs-crypto.cloud.ibm.com:<port>`, or the sandbox's */
  endpoint: string;
  instanceId: string;
  /** use the private (IBM Cloud network only) variant of a public IBM endpoint */
  private?: boolean;
  kind?: 'key-protect' | 'hpcs';
  timeoutMs?: number;
  retry?: RetryPolicy;
  /** replaced in tests so retries do not wait for real */
  wait?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface KeyProtectAuth {
  authenticator: AuthenticatorInterface;
  /** fetches the IAM token up front so IAM failures are reported as IAM's, not as Key Protect's */
  token?: (signal?: AbortSignal) => Promise<string>;
  /** forgets the cached token, so the next request signs in again (after a 401 for a token that expired in flight) */
  renew?: () => void;
}

export const KEY_STATE_NAMES: Record<number, string> = {
  0: 'pre-activation',
  1: 'active',
  2: 'suspended',
  3: 'deactivated',
  5: 'destroyed',
};

export interface KmsKey {
  id: string;
  name: string;
  crn: string;
  state: number;
  stateName: string;
  extractable: boolean;
  imported: boolean;
  aliases: string[];
  keyVersion: string | null;
  creationDate: string | null;
  lastRotateDate: string | null;
}

export interface WrapResult {
  /** the WDEK: base64 ciphertext */
  ciphertext: string;
  keyVersion: string | null;
}

export interface UnwrapResult {
  /** base64 of the unwrapped plaintext: a secret, callers decode, use and discard it */
  plaintext: string;
  keyVersion: string | null;
  /** present when the WDEK was made with an older key version: the same plaintext under the newest version */
  rewrapped: WrapResult | null;
}

const PUBLIC_KP_HOST = /^([a-z]{2}-[a-z]{2,5})\.kms\.cloud\.ibm\.com$/;
const PUBLIC_HPCS_HOST = /^api\.([a-z]{2}-[a-z]{2,5})\.hs-crypto\.cloud\.ibm\.com$/;

/** The URL to call: the configured endpoint, switched to its private variant when asked. */
export function kmsServiceUrl(endpoint: string, usePrivate = false): string {
  const url = new URL(endpoint);
  if (usePrivate) {
    const kp = PUBLIC_KP_HOST.exec(url.hostname);
    const hpcs = PUBLIC_HPCS_HOST.exec(url.hostname);
    if (kp) url.hostname = `private.${kp[1]}.kms.cloud.ibm.com`;
    else if (hpcs) url.hostname = `api.private.${hpcs[1]}.hs-crypto.cloud.ibm.com`;
  }
  return url.toString().replace(/\/+$/, '');
}

function jsonBody(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function toKmsKey(resource: Record<string, unknown>): KmsKey {
  const state = typeof resource.state === 'number' ? resource.state : -1;
  const version = resource.keyVersion as { id?: unknown } | undefined;
  return {
    id: String(resource.id ?? ''),
    name: String(resource.name ?? ''),
    crn: String(resource.crn ?? ''),
    state,
    stateName: KEY_STATE_NAMES[state] ?? `unknown (${state})`,
    extractable: resource.extractable === true,
    imported: resource.imported === true,
    aliases: Array.isArray(resource.aliases) ? resource.aliases.filter((alias): alias is string => typeof alias === 'string') : [],
    keyVersion: str(version?.id),
    creationDate: str(resource.creationDate),
    lastRotateDate: str(resource.lastRotateDate),
  };
}

function firstResource(result: unknown): Record<string, unknown> {
  const resources = (result as { resources?: unknown } | undefined)?.resources;
  if (!Array.isArray(resources) || resources.length === 0 || typeof resources[0] !== 'object') {
    throw new AppError('KMS_BAD_RESPONSE', 'Key Protect answered without the key it was asked about.', {
      hint: 'Check that the profile points at a Key Protect or HPCS endpoint.',
    });
  }
  return resources[0] as Record<string, unknown>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class KeyProtectClient {
  private readonly service: IbmKeyProtectApiV2;
  readonly serviceUrl: string;

  constructor(
    readonly config: KeyProtectConfig,
    private readonly auth: KeyProtectAuth,
  ) {
    this.serviceUrl = kmsServiceUrl(config.endpoint, config.private);
    this.service = new IbmKeyProtectApiV2({ authenticator: auth.authenticator, serviceUrl: this.serviceUrl });
    this.service.getHttpClient().defaults.timeout = config.timeoutMs ?? 30_000;
  }

  /** Root keys (not standard keys) that are not destroyed, all pages. */
  async listRootKeys(signal?: AbortSignal): Promise<KmsKey[]> {
    const keys: KmsKey[] = [];
    const limit = 200;
    for (let offset = 0; ; offset += limit) {
      const result = await this.call('list', undefined, signal, () =>
        this.service.getKeys({
          bluemixInstance: this.config.instanceId,
          limit,
          offset,
          extractable: false,
          state: [0, 1, 2, 3],
        }),
      );
      const resources = ((result as { resources?: unknown[] }).resources ?? []) as Record<string, unknown>[];
      keys.push(...resources.map(toKmsKey).filter((key) => !key.extractable));
      if (resources.length < limit) return keys;
    }
  }

  async getKey(idOrAlias: string, signal?: AbortSignal): Promise<KmsKey> {
    const result = await this.call('get', idOrAlias, signal, () =>
      this.service.getKey({ id: idOrAlias, bluemixInstance: this.config.instanceId }),
    );
    return toKmsKey(firstResource(result));
  }

  /**
   * A root key by id, alias or (unique) name: what a person types after `--key`.
   * Id and alias are resolved by the service; a name needs the list.
   */
  async resolveRootKey(reference: string, signal?: AbortSignal): Promise<KmsKey> {
    let key: KmsKey | null = null;
    try {
      key = await this.getKey(reference, signal);
    } catch (error) {
      if (!(error instanceof AppError && error.code === 'KMS_KEY_NOT_FOUND') || UUID.test(reference)) throw error;
    }
    if (!key) {
      const named = (await this.listRootKeys(signal)).filter((candidate) => candidate.name === reference);
      if (named.length > 1) {
        throw new AppError('KMS_KEY_AMBIGUOUS', `${named.length} root keys are named "${reference}".`, {
          hint: `Choose one by id: ${named.map((candidate) => candidate.id).join(', ')}.`,
        });
      }
      if (named.length === 0) {
        throw new AppError('KMS_KEY_NOT_FOUND', `No root key with id, alias or name "${reference}" in Key Protect instance ${this.config.instanceId}.`, {
          hint: 'List the root keys with "image-sealer keys list --profile PROFILE".',
          details: { key: reference, instanceId: this.config.instanceId },
        });
      }
      key = named[0];
    }
    if (key.extractable) {
      throw new AppError('KMS_NOT_ROOT_KEY', `Key "${reference}" is a standard key; only root keys can wrap.`, {
        hint: 'Choose a root key, or create one with "image-sealer keys create".',
      });
    }
    return key;
  }

  async createRootKey(input: { name: string; description?: string; aliases?: string[] }, signal?: AbortSignal): Promise<KmsKey> {
    const resource: Record<string, unknown> = {
      type: 'application/vnd.ibm.kms.key+json',
      name: input.name,
      extractable: false,
    };
    if (input.description) resource.description = input.description;
    if (input.aliases?.length) resource.aliases = input.aliases;
    const result = await this.call('create', input.name, signal, () =>
      this.service.createKey({
        bluemixInstance: this.config.instanceId,
        prefer: 'return=representation',
        body: jsonBody({
          metadata: { collectionType: 'application/vnd.ibm.kms.key+json', collectionTotal: 1 },
          resources: [resource],
        }),
      }),
    );
    return toKmsKey(firstResource(result));
  }

  /** Imports root key material (16, 24 or 32 bytes) the officer generated elsewhere, e.g. on an HSM. */
  async importRootKey(input: { name: string; material: Buffer; description?: string }, signal?: AbortSignal): Promise<KmsKey> {
    if (![16, 24, 32].includes(input.material.length)) {
      throw new AppError('KMS_BAD_KEY_MATERIAL', `Root key material must be 16, 24 or 32 bytes, not ${input.material.length}.`);
    }
    const resource: Record<string, unknown> = {
      type: 'application/vnd.ibm.kms.key+json',
      name: input.name,
      extractable: false,
      payload: input.material.toString('base64'),
    };
    if (input.description) resource.description = input.description;
    const result = await this.call('import', input.name, signal, () =>
      this.service.createKey({
        bluemixInstance: this.config.instanceId,
        prefer: 'return=representation',
        body: jsonBody({
          metadata: { collectionType: 'application/vnd.ibm.kms.key+json', collectionTotal: 1 },
          resources: [resource],
        }),
      }),
    );
    return toKmsKey(firstResource(result));
  }

  /**
   * Wraps `plaintextBase64` with a root key. Deliberately no AAD: the image import services unwrap without
   * one, so a WDEK made with AAD could never be used (REFERENCE.md).
   */
  async wrap(keyId: string, plaintextBase64: string, signal?: AbortSignal): Promise<WrapResult> {
    const result = (await this.call('wrap', keyId, signal, () =>
      this.service.wrapKey({
        id: keyId,
        bluemixInstance: this.config.instanceId,
        keyActionWrapBody: jsonBody({ plaintext: plaintextBase64 }),
      }),
    )) as { ciphertext?: unknown; keyVersion?: { id?: unknown } };
    const ciphertext = str(result.ciphertext);
    if (!ciphertext) throw new AppError('KMS_BAD_RESPONSE', 'Key Protect answered the wrap request without a ciphertext.');
    return { ciphertext, keyVersion: str(result.keyVersion?.id) };
  }

  async unwrap(keyId: string, ciphertext: string, signal?: AbortSignal): Promise<UnwrapResult> {
    const result = (await this.call('unwrap', keyId, signal, () =>
      this.service.unwrapKey({
        id: keyId,
        bluemixInstance: this.config.instanceId,
        keyActionUnwrapBody: jsonBody({ ciphertext }),
      }),
    )) as { plaintext?: unknown; ciphertext?: unknown; keyVersion?: { id?: unknown }; rewrappedKeyVersion?: { id?: unknown } };
    const plaintext = str(result.plaintext);
    if (plaintext === null) throw new AppError('KMS_BAD_RESPONSE', 'Key Protect answered the unwrap request without a plaintext.');
    const rewrappedCiphertext = str(result.ciphertext);
    return {
      plaintext,
      keyVersion: str(result.keyVersion?.id),
      rewrapped: rewrappedCiphertext
        ? { ciphertext: rewrappedCiphertext, keyVersion: str(result.rewrappedKeyVersion?.id) }
        : null,
    };
  }

  /** The same DEK under the newest version of the root key (after a rotation). */
  async rewrap(keyId: string, ciphertext: string, signal?: AbortSignal): Promise<WrapResult> {
    const result = (await this.call('rewrap', keyId, signal, () =>
      this.service.rewrapKey({
        id: keyId,
        bluemixInstance: this.config.instanceId,
        keyActionRewrapBody: jsonBody({ ciphertext }),
      }),
    )) as { ciphertext?: unknown; keyVersion?: { id?: unknown }; rewrappedKeyVersion?: { id?: unknown } };
    const rewrapped = str(result.ciphertext);
    if (!rewrapped) throw new AppError('KMS_BAD_RESPONSE', 'Key Protect answered the rewrap request without a ciphertext.');
    return { ciphertext: rewrapped, keyVersion: str(result.rewrappedKeyVersion?.id) ?? str(result.keyVersion?.id) };
  }

  /** A new version of a root key; imported keys need new material. */
  async rotate(keyId: string, material?: Buffer, signal?: AbortSignal): Promise<void> {
    await this.call('rotate', keyId, signal, () =>
      this.service.rotateKey({
        id: keyId,
        bluemixInstance: this.config.instanceId,
        keyActionRotateBody: material ? jsonBody({ payload: material.toString('base64') }) : undefined,
      }),
    );
  }

  async disable(keyId: string, signal?: AbortSignal): Promise<void> {
    await this.call('disable', keyId, signal, () =>
      this.service.disableKey({ id: keyId, bluemixInstance: this.config.instanceId }),
    );
  }

  async enable(keyId: string, signal?: AbortSignal): Promise<void> {
    await this.call('enable', keyId, signal, () =>
      this.service.enableKey({ id: keyId, bluemixInstance: this.config.instanceId }),
    );
  }

  private async call(
    operation: KmsOperation,
    keyRef: string | undefined,
    signal: AbortSignal | undefined,
    request: () => Promise<IbmKeyProtectApiV2.Response>,
  ): Promise<unknown> {
    const context = {
      operation,
      keyRef,
      endpoint: this.serviceUrl,
      instanceId: this.config.instanceId,
      kind: this.config.kind ?? 'key-protect',
      private: this.config.private ?? false,
    } as const;
    // Creating a key is not idempotent: retry it only when the request surely did not arrive.
    const safeToRepeat = operation !== 'create' && operation !== 'import';
    let renewedToken = false;
    const attempt = async (): Promise<unknown> => {
      if (this.auth.token) await this.auth.token(signal);
      try {
        const response = await abortable(request(), signal);
        return response.result;
      } catch (error) {
        if (error instanceof AppError) throw error;
        const mapped = keyProtectError(error, context);
        // A token can expire between our check and Key Protect's (a slow request, a skewed clock): sign in again once.
        const status = (mapped.details as KmsErrorDetails | undefined)?.status;
        if (status === 401 && this.auth.renew && !renewedToken) {
          renewedToken = true;
          this.auth.renew();
          return attempt();
        }
        throw mapped;
      }
    };
    return withRetry(
      attempt,
      {
        signal,
        policy: this.config.retry ?? DEFAULT_RETRY_POLICY,
        wait: this.config.wait,
        retryable: (error) => {
          const details = error instanceof AppError ? (error.details as KmsErrorDetails | undefined) : undefined;
          if (!details || details.service !== 'kms') return false;
          if (details.status === 429) {
            return details.retryAfterMs === undefined ? true : { afterMs: details.retryAfterMs };
          }
          if (details.status === undefined) {
            if (!TRANSIENT_NETWORK_CODES.has(details.errno ?? '')) return false;
            return safeToRepeat || details.errno === 'ECONNREFUSED';
          }
          return safeToRepeat && details.status >= 500 && details.status !== 501;
        },
      },
    );
  }
}
