import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import COS from 'ibm-cos-sdk';
import { parseCosHref, rootKeyFromCrn } from '../cloud/cloud-names';
import { CONTENT_DIGEST_METADATA, MANIFEST_SUFFIX } from '../cloud/object-metadata';
import { exchangeJson, type JsonResponse } from '../cloud/cloud-http';
import type { StatusReason } from '../cloud/status-reasons';
import { isAppError } from '../common/errors';
import { hashVirtualContent } from '../image/hash';
import type { DiskReader } from '../image/types';
import { openSealedImage } from '../seal/open-sealed';
import { importSecretFromUnwrapped, targetSpec, type TargetId } from '../targets';
import type { SandboxServiceContext } from './services';

/**
 * What IBM's image services do after accepting an import, done for real in the sandbox: fetch the object from
 * COS, unwrap the WDEK with Key Protect (over HTTP, as the service would), derive the secret exactly as the
 * targets table says, open the image with it and compare its content digest with the one the upload recorded.
 * The outcome uses IBM's `status_reasons` codes.
 */

export interface ImageCheckRequest {
  target: TargetId;
  /** cos://region/bucket/key */
  fileHref: string;
  wrappedDek?: string;
  rootKeyCrn?: string;
}

export interface ImageCheckOutcome {
  status: 'available' | 'failed';
  reasons: StatusReason[];
  fileSize?: number;
  /** SHA-256 of the object as fetched */
  fileSha256?: string;
  /** SHA-256 of the decrypted virtual disk */
  contentSha256?: string;
  /** whether a digest recorded at upload was there to compare with */
  contentDigestChecked?: boolean;
}

export type ImageChecker = (request: ImageCheckRequest, signal?: AbortSignal) => Promise<ImageCheckOutcome>;

/** Where the sandbox's other services listen (known only once they run, hence read at check time). */
export interface ImageCheckEndpoints {
  iamUrl: string;
  kmsUrl: string;
  cosUrl: string;
  apiKey: string;
  cosAccessKeyId: string;
  cosSecretAccessKey: string;
}

/** Opening and hashing sealed images is the crypto engineer's code; it is passed in so this module tests alone. */
export interface SealedImageAccess {
  openSealed(target: TargetId, path: string, secret: Buffer): Promise<DiskReader>;
  hashContent(reader: DiskReader): Promise<string>;
}

export { CONTENT_DIGEST_METADATA, MANIFEST_SUFFIX };

export interface ImageCheckerOptions {
  endpoints: () => ImageCheckEndpoints | Promise<ImageCheckEndpoints>;
  access: SealedImageAccess;
  /** temporary downloads go under here (removed after each check) */
  tmpDir: string;
  /** for the sandbox's own diagnostics; never receives secrets */
  log?: (message: string) => void;
}

function reason(code: string, message: string): StatusReason {
  return { code, message, more_info: 'https://cloud.ibm.com/docs/vpc?topic=vpc-image-from-volume-vpc-troubleshoot' };
}

function failed(code: string, message: string, extra: Partial<ImageCheckOutcome> = {}): ImageCheckOutcome {
  return { status: 'failed', reasons: [reason(code, message)], ...extra };
}

function withFile(
  outcome: ImageCheckOutcome,
  file: Pick<ImageCheckOutcome, 'fileSize' | 'fileSha256'>,
): ImageCheckOutcome {
  return { ...file, ...outcome };
}

/** Key Protect's `resources[0].reasons[0].code` from its error envelope. */
function kmsReasonCode(response: JsonResponse): string {
  const resources = (response.body as { resources?: Array<{ reasons?: Array<{ code?: string }> }> } | null)?.resources;
  return resources?.[0]?.reasons?.[0]?.code ?? '';
}

const KEY_STATE_SUSPENDED = 2;
const KEY_STATE_DESTROYED = 5;

export function createImageChecker(options: ImageCheckerOptions): ImageChecker {
  return async (request, signal) => {
    const endpoints = await options.endpoints();
    const href = parseCosHref(request.fileHref);
    if (!href)
      return failed('image_data_corrupted', 'The image file reference is not of the form cos://region/bucket/key.');
    await mkdir(options.tmpDir, { recursive: true, mode: 0o700 });
    const workDir = await mkdtemp(join(options.tmpDir, 'image-check-'));
    try {
      const s3 = new COS.S3({
        endpoint: endpoints.cosUrl,
        credentials: new COS.Credentials(endpoints.cosAccessKeyId, endpoints.cosSecretAccessKey),
        signatureVersion: 'v4',
        region: href.region,
        s3ForcePathStyle: true,
        maxRetries: 2,
        httpOptions: { timeout: 60_000 },
      });

      let metadata: Record<string, string> = {};
      try {
        const head = await s3.headObject({ Bucket: href.bucket, Key: href.key }).promise();
        metadata = head.Metadata ?? {};
      } catch (error) {
        const status = (error as { statusCode?: number }).statusCode;
        if (status === 404 || status === 403) {
          return failed(
            'image_data_corrupted',
            `The image file ${request.fileHref} could not be read from Cloud Object Storage (HTTP ${status}).`,
          );
        }
        throw error;
      }
      const imagePath = join(workDir, 'image');
      const fileHash = createHash('sha256');
      let fileSize = 0;
      await pipeline(
        s3.getObject({ Bucket: href.bucket, Key: href.key }).createReadStream(),
        async function* (chunks: AsyncIterable<Buffer>) {
          for await (const chunk of chunks) {
            fileHash.update(chunk);
            fileSize += chunk.length;
            yield chunk;
          }
        },
        createWriteStream(imagePath, { mode: 0o600 }),
        { signal },
      );
      const file = { fileSize, fileSha256: fileHash.digest('hex') };
      const recorded = metadata[CONTENT_DIGEST_METADATA] ?? (await manifestDigest(s3, href.bucket, href.key));

      return withFile(await checkDownloaded(options, endpoints, request, imagePath, recorded, signal), file);
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  };
}

/** Everything after the download: unwrap, derive the secret, open, hash, compare. */
async function checkDownloaded(
  options: ImageCheckerOptions,
  endpoints: ImageCheckEndpoints,
  request: ImageCheckRequest,
  imagePath: string,
  recorded: string | undefined,
  signal: AbortSignal | undefined,
): Promise<ImageCheckOutcome> {
  if (request.wrappedDek === undefined || request.rootKeyCrn === undefined) {
    // Unencrypted imports are not what this app makes; the sandbox only checks the file is an image at all.
    return (await looksLikeImage(imagePath))
      ? { status: 'available', reasons: [] }
      : failed('image_data_corrupted', 'The file is not a qcow2 or VHD image.');
  }

  const unwrapped = await unwrapWithKeyProtect(endpoints, request.rootKeyCrn, request.wrappedDek, signal);
  if ('failure' in unwrapped) return unwrapped.failure;

  let secret: Buffer;
  try {
    secret = importSecretFromUnwrapped(request.target, unwrapped.plaintext);
  } catch {
    return failed('encrypted_data_key_invalid', 'The unwrapped key is not in the form this image type needs.');
  }
  // A raw XTS key (VHD) has only a few valid lengths; a LUKS passphrase of any length is judged by its key slots.
  const spec = targetSpec(request.target);
  if (spec.format === 'vhd-crypt' && !spec.dekSizes.includes(secret.length)) {
    secret.fill(0);
    return failed(
      'encrypted_data_key_invalid',
      `The unwrapped key has ${secret.length} bytes; a VHD key must have ${spec.dekSizes.join(' or ')}.`,
    );
  }
  let reader: DiskReader;
  try {
    reader = await options.access.openSealed(request.target, imagePath, secret);
  } catch (error) {
    return isWrongSecret(error)
      ? failed('encrypted_data_key_invalid', 'The unwrapped key does not open the image (wrong key for this image).')
      : failed('image_data_corrupted', `The image cannot be opened: ${errorMessage(error)}`);
  } finally {
    secret.fill(0);
  }
  const limit = targetSpec(request.target).maxVirtualSize;
  if (reader.virtualSize > limit) {
    await reader.close().catch(() => undefined);
    return failed(
      'image_provisioned_size_unsupported',
      `The image's virtual size (${reader.virtualSize} bytes) is larger than the ${limit / 1e9} GB the service supports.`,
    );
  }
  let contentSha256: string;
  try {
    contentSha256 = await options.access.hashContent(reader);
  } catch (error) {
    return failed('image_data_corrupted', `The image's data cannot be read: ${errorMessage(error)}`);
  } finally {
    await reader.close().catch(() => undefined);
  }
  // Without a recorded digest (an object uploaded by another tool) the key and the whole decrypted disk were
  // still checked; only a change that keeps the structure intact would go unnoticed, as it would at IBM.
  if (recorded !== undefined && recorded.toLowerCase() !== contentSha256) {
    return failed(
      'image_data_corrupted',
      'The decrypted content does not match the digest recorded at upload: the object was changed or damaged.',
      {
        contentSha256,
      },
    );
  }
  return { status: 'available', reasons: [], contentSha256, contentDigestChecked: recorded !== undefined };
}

async function manifestDigest(s3: COS.S3, bucket: string, key: string): Promise<string | undefined> {
  try {
    const object = await s3.getObject({ Bucket: bucket, Key: `${key}${MANIFEST_SUFFIX}` }).promise();
    const manifest = JSON.parse(String(object.Body)) as { contentSha256?: unknown };
    return typeof manifest.contentSha256 === 'string' ? manifest.contentSha256 : undefined;
  } catch {
    return undefined;
  }
}

async function looksLikeImage(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(512);
    await handle.read(head, 0, 512, 0);
    if (head.subarray(0, 4).equals(Buffer.from([0x51, 0x46, 0x49, 0xfb]))) return true;
    return head.subarray(0, 8).toString('latin1') === 'conectix';
  } finally {
    await handle.close();
  }
}

/**
 * The image service's side of Key Protect: a token for the sandbox API key, the key's state, then unwrap.
 * Suspended → encryption_key_disabled; destroyed or gone → encryption_key_deleted; a ciphertext the key
 * does not take → encrypted_data_key_invalid.
 */
async function unwrapWithKeyProtect(
  endpoints: ImageCheckEndpoints,
  rootKeyCrn: string,
  wrappedDek: string,
  signal?: AbortSignal,
): Promise<{ plaintext: string } | { failure: ImageCheckOutcome }> {
  const key = rootKeyFromCrn(rootKeyCrn);
  if (!key)
    return {
      failure: failed('encrypted_data_key_invalid', 'The encryption key CRN does not name a Key Protect or HPCS key.'),
    };
  const tokenResponse = await exchangeJson(
    {
      method: 'POST',
      url: `${endpoints.iamUrl}/identity/token`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      rawBody: new URLSearchParams({
        grant_type: 'urn:ibm:params:oauth:grant-type:apikey',
        apikey: endpoints.apiKey,
      }).toString(),
      signal,
    },
    undefined,
    'the sandbox IAM',
  );
  const token = (tokenResponse.body as { access_token?: unknown } | null)?.access_token;
  if (tokenResponse.status !== 200 || typeof token !== 'string') {
    throw new Error(`sandbox IAM refused the sandbox API key (HTTP ${tokenResponse.status})`);
  }
  const headers = { authorization: `Bearer ${token}`, 'bluemix-instance': key.instanceId };
  const keyUrl = `${endpoints.kmsUrl}/api/v2/keys/${encodeURIComponent(key.keyId)}`;
  const metadata = await exchangeJson(
    { method: 'GET', url: keyUrl, headers, signal },
    undefined,
    'the sandbox Key Protect',
  );
  if (metadata.status === 404 || metadata.status === 410) {
    return {
      failure: failed(
        'encryption_key_deleted',
        'The root key named by the encryption key CRN does not exist (deleted).',
      ),
    };
  }
  if (metadata.status === 200) {
    const state = (metadata.body as { resources?: Array<{ state?: number }> } | null)?.resources?.[0]?.state;
    if (state === KEY_STATE_DESTROYED)
      return { failure: failed('encryption_key_deleted', 'The root key was deleted (destroyed).') };
    if (state === KEY_STATE_SUSPENDED)
      return { failure: failed('encryption_key_disabled', 'The root key is disabled (suspended).') };
  }
  const unwrap = await exchangeJson(
    {
      method: 'POST',
      url: `${keyUrl}/actions/unwrap`,
      headers: { ...headers, 'content-type': 'application/vnd.ibm.kms.key_action_unwrap+json' },
      body: { ciphertext: wrappedDek },
      signal,
    },
    undefined,
    'the sandbox Key Protect',
  );
  if (unwrap.status === 200) {
    const plaintext = (unwrap.body as { plaintext?: unknown } | null)?.plaintext;
    if (typeof plaintext === 'string') return { plaintext };
  }
  const code = kmsReasonCode(unwrap);
  if (unwrap.status === 404 || unwrap.status === 410)
    return { failure: failed('encryption_key_deleted', 'The root key was deleted.') };
  if (unwrap.status === 409 || code === 'KEY_ACTION_INVALID_STATE_ERR') {
    return {
      failure: failed('encryption_key_disabled', 'The root key is not in a state that allows unwrapping (disabled).'),
    };
  }
  if (unwrap.status === 400 || unwrap.status === 422) {
    return {
      failure: failed(
        'encrypted_data_key_invalid',
        'The wrapped key does not unwrap with this root key (it was wrapped with another key, or damaged).',
      ),
    };
  }
  throw new Error(`sandbox Key Protect answered unwrap with HTTP ${unwrap.status} ${code}`);
}

/**
 * The crypto code's errors for a secret that does not open the LUKS key slots or match the VHD key hash
 * (SEAL_WRONG_KEY, LUKS_WRONG_PASSPHRASE, VHD_WRONG_KEY), or cannot be an XTS key at all.
 */
function isWrongSecret(error: unknown): boolean {
  return isAppError(error) && /WRONG_KEY|WRONG_PASSPHRASE|EMPTY_PASSPHRASE|XTS_KEY_(SIZE|WEAK)/.test(error.code);
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The crypto code's decrypting readers (one per sealed format) and the shared virtual-content hash. */
export const SEALED_IMAGE_ACCESS: SealedImageAccess = {
  openSealed: (target, path, secret) => openSealedImage(target, path, secret),
  hashContent: (reader) => hashVirtualContent(reader),
};

/** The checker the sandbox's import services use: IAM, Key Protect and COS as the sandbox started them. */
export function sandboxImageChecker(context: SandboxServiceContext, log?: (message: string) => void): ImageChecker {
  return createImageChecker({
    endpoints: () => {
      const { iam, kms, cos } = context.urls;
      if (!iam || !kms || !cos)
        throw new Error('the sandbox import services need IAM, Key Protect and COS started before them');
      return {
        iamUrl: iam,
        kmsUrl: kms,
        cosUrl: cos,
        apiKey: context.identity.apiKey,
        cosAccessKeyId: context.identity.cosAccessKeyId,
        cosSecretAccessKey: context.identity.cosSecretAccessKey,
      };
    },
    access: SEALED_IMAGE_ACCESS,
    tmpDir: join(context.sandboxDir, 'tmp'),
    log,
  });
}
