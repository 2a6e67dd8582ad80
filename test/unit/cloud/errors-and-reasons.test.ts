import { describe, expect, it } from 'vitest';
import type { JsonResponse } from '../../../main/cloud/cloud-http';
import { softLayerError, vpcError, vpcErrorItems } from '../../../main/cloud/ibm-errors';
import { templateFailureReasons, templateStatus, type ImageTemplate } from '../../../main/cloud/softlayer-client';
import { describeStatusReason, importFailedError, STATUS_REASONS } from '../../../main/cloud/status-reasons';

const response = (status: number, body: unknown): JsonResponse => ({ status, headers: {}, body });
const vpcBody = (code: string, message: string, target?: string) => ({
  errors: [
    {
      code,
      message,
      more_info: 'https://cloud.ibm.com/docs/vpc',
      ...(target ? { target: { name: target, type: 'field' } } : {}),
    },
  ],
  trace: 'trace-1',
});

describe('status reasons', () => {
  it('has plain words and a fix for every code IBM documents', () => {
    for (const code of [
      'encrypted_data_key_invalid',
      'encryption_key_deleted',
      'encryption_key_disabled',
      'image_data_corrupted',
      'image_provisioned_size_unsupported',
      'image_request_in_progress',
      'image_request_queued',
    ] as const) {
      expect(STATUS_REASONS[code]?.meaning.length, code).toBeGreaterThan(20);
      expect(STATUS_REASONS[code]?.fix.length, code).toBeGreaterThan(10);
    }
  });
  it('keeps IBM\u2019s own message for codes it does not know', () => {
    expect(describeStatusReason({ code: 'brand_new_reason', message: 'Something new happened.' }).meaning).toBe(
      'Something new happened.',
    );
  });
  it('turns a failed image into an error with the reason and the fix', () => {
    const error = importFailedError(
      { id: 'r006-1', name: 'img', statusReasons: [{ code: 'encrypted_data_key_invalid', message: 'x' }] },
      'VPC',
    );
    expect(error.code).toBe('IMPORT_FAILED');
    expect(error.message).toContain('"img" (r006-1)');
    expect(error.message).toContain("does not unwrap to this image's secret");
    expect(error.hint).toMatch(/Re-wrap the DEK with the root key the image was sealed for/);
    expect(error.details).toEqual({
      imageId: 'r006-1',
      name: 'img',
      reason: 'encrypted_data_key_invalid',
      statusReasons: ['encrypted_data_key_invalid'],
    });
  });
});

describe('VPC error envelope', () => {
  it('reads errors[] defensively', () => {
    expect(vpcErrorItems({ errors: [{ code: 'a', message: 'b' }, 'junk', null] })).toEqual([
      { code: 'a', message: 'b', more_info: undefined, target: undefined },
    ]);
    expect(vpcErrorItems('<html>')).toEqual([]);
  });
  it('names the authorizations an import needs on 401/403', () => {
    for (const status of [401, 403]) {
      const error = vpcError(
        response(status, vpcBody('not_authorized', 'Unauthorized')),
        'create the image',
        'vpcImport',
      );
      expect(error.code).toBe('CLOUD_NOT_AUTHORIZED');
      expect(error.hint).toMatch(/Cloud Block Storage → Key Protect\/HPCS \(Reader\)/);
      expect(error.hint).toMatch(/VPC Image Service → Cloud Object Storage \(Reader\)/);
      expect(error.details?.trace).toBe('trace-1');
    }
  });
  it('maps the other statuses to what to do', () => {
    expect(
      vpcError(response(400, vpcBody('validation_invalid_argument', 'bad', 'file.href')), 'x', 'vpcRead').message,
    ).toMatch(/bad \(field file.href\)/);
    expect(vpcError(response(404, vpcBody('not_found', 'gone')), 'x', 'vpcRead').code).toBe('CLOUD_NOT_FOUND');
    expect(vpcError(response(409, vpcBody('validation_unique_failed', 'dup')), 'x', 'vpcRead').code).toBe(
      'CLOUD_CONFLICT',
    );
    expect(vpcError(response(503, 'Service Unavailable'), 'x', 'vpcRead').code).toBe('CLOUD_UNAVAILABLE');
  });
});

describe('SoftLayer error envelope', () => {
  it('treats SoftLayer_Exception_* answers as refused requests even with HTTP 500', () => {
    const error = softLayerError(
      response(500, { error: 'Property name is required.', code: 'SoftLayer_Exception_Public' }),
      'x',
      'classicImport',
    );
    expect(error.code).toBe('CLOUD_REQUEST_INVALID');
    expect(error.message).toContain('Property name is required.');
  });
  it('maps auth, not found and outages', () => {
    expect(
      softLayerError(
        response(401, { error: 'Invalid API token.', code: 'SoftLayer_Exception_InvalidLegacyToken' }),
        'x',
        'classicImport',
      ).hint,
    ).toMatch(/Manage image templates/);
    expect(
      softLayerError(response(404, { error: 'nope', code: 'SoftLayer_Exception_ObjectNotFound' }), 'x', 'classicImport')
        .code,
    ).toBe('CLOUD_NOT_FOUND');
    expect(softLayerError(response(502, '<html>bad gateway</html>'), 'x', 'classicImport').code).toBe(
      'CLOUD_UNAVAILABLE',
    );
  });
});

describe('classic template status', () => {
  const template = (transactionId: number | null, keyName: string, description?: string): ImageTemplate => ({
    id: 1,
    status: { keyName, name: keyName, description },
    children: [{ id: 2, transactionId }],
  });
  it('is pending while the child has a transaction, then active or failed', () => {
    expect(templateStatus(template(77, 'CREATE_PENDING'))).toBe('pending');
    expect(templateStatus(template(null, 'ACTIVE'))).toBe('available');
    expect(templateStatus(template(null, 'IMPORT_FAILED', 'encryption_key_disabled: key suspended'))).toBe('failed');
    expect(templateFailureReasons(template(null, 'IMPORT_FAILED', 'encryption_key_disabled: key suspended'))).toEqual([
      { code: 'encryption_key_disabled', message: 'encryption_key_disabled: key suspended' },
    ]);
    expect(templateFailureReasons(template(null, 'ACTIVE'))).toEqual([]);
    expect(templateStatus({ id: 1, children: [] })).toBe('pending');
  });
});

describe('VPC operating system errors', () => {
  it('point at "os list"', () => {
    const error = vpcError(
      response(
        404,
        vpcBody('operating_system_not_found', 'Operating system plan9 not found.', 'operating_system.name'),
      ),
      'create the image',
      'vpcImport',
    );
    expect(error.code).toBe('IMPORT_OS_INVALID');
    expect(error.hint).toMatch(/image-sealer os list/);
  });
});
