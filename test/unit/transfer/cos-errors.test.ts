import { describe, expect, it } from 'vitest';
import { mapCosError } from '../../../main/transfer/cos-client';

const context = { operation: 'upload part 3', bucket: 'images', key: 'a.qcow2', endpoint: 'https://s3.eu-de.cloud-object-storage.appdomain.cloud', region: 'eu-de', authKind: 'hmac' as const };

describe('COS error mapping', () => {
  it('tells a wrong key id, a wrong secret and a missing role apart', () => {
    const unknownKey = mapCosError({ status: 403, code: 'InvalidAccessKeyId' }, context);
    expect(unknownKey.code).toBe('COS_CREDENTIALS_REJECTED');
    expect(unknownKey.message).toMatch(/access key ID is not known/);
    const wrongSecret = mapCosError({ status: 403, code: 'SignatureDoesNotMatch' }, context);
    expect(wrongSecret.message).toMatch(/secret access key does not match/);
    const denied = mapCosError({ status: 403, code: 'AccessDenied' }, context);
    expect(denied.code).toBe('COS_ACCESS_DENIED');
    expect(denied.hint).toMatch(/Writer role/);
    const iam = mapCosError({ status: 401 }, { ...context, authKind: 'iam' });
    expect(iam.message).toMatch(/IAM token/);
    for (const error of [unknownKey, wrongSecret, denied, iam]) expect(error.retryable).toBe(false);
  });

  it('says a missing bucket may be in another region', () => {
    const error = mapCosError({ status: 404, code: 'NoSuchBucket' }, context);
    expect(error.code).toBe('COS_BUCKET_NOT_FOUND');
    expect(error.message).toContain('"images"');
    expect(error.message).toContain('eu-de');
    expect(error.hint).toMatch(/region/);
    expect(error.retryable).toBe(false);
  });

  it('retries busy servers, throttling, damaged parts, resets and timeouts', () => {
    for (const failure of [
      { status: 503, code: 'SlowDown' },
      { status: 500, code: 'InternalError' },
      { status: 429 },
      { status: 400, code: 'BadDigest' },
      { code: 'ECONNRESET' },
      { code: 'TimeoutError' },
      { code: 'UND_ERR_SOCKET' },
    ]) {
      expect(mapCosError(failure, context).retryable, JSON.stringify(failure)).toBe(true);
    }
  });

  it('is final for other client errors and unsupported calls', () => {
    expect(mapCosError({ status: 400, code: 'InvalidArgument' }, context)).toMatchObject({ code: 'COS_BAD_REQUEST', retryable: false });
    expect(mapCosError({ status: 405, code: 'MethodNotAllowed' }, context)).toMatchObject({ code: 'COS_UNSUPPORTED', retryable: false });
    expect(mapCosError({ status: 404, code: 'NoSuchUpload' }, context)).toMatchObject({ code: 'COS_UPLOAD_NOT_FOUND', retryable: false });
  });
});
