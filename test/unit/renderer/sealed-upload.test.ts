import { describe, expect, it } from 'vitest';
import type { ApiEvent } from '../../../main/api/contract';
import { UploadOptionsSchema } from '../../../main/transfer/upload-options';
import {
  confirmedFraction,
  discardNoticeOf,
  fileNameOf,
  fileUploadProgressOf,
  isUnderway,
  pausedProgress,
  resumeBlockerOf,
  resumeOptionsOf,
  uploadActions,
  uploadRequest,
  uploadToFollow,
  UPLOAD_LIMITS,
  type FileUploadInfo,
  type SealedUploadForm,
} from '../../../renderer/src/pages/sealed-upload';
import { parseRoute, routeHref } from '../../../renderer/src/state/routes';

const FORM: SealedUploadForm = {
  path: '/images/earlier.qcow2',
  profile: 'sandbox',
  bucket: 'image-sealer-sandbox',
  objectKey: 'earlier.qcow2',
  concurrency: '',
  partSizeMiB: '',
  limitRateMBps: '',
};

function info(transferId: string, state: FileUploadInfo['state']): FileUploadInfo {
  return { transferId, path: '/x', profile: 'sandbox', bucket: 'b', objectKey: 'k', state };
}

function progressEvent(jobId: string | null, detail?: Record<string, unknown>): ApiEvent {
  return {
    type: 'progress',
    jobId,
    step: 'upload',
    progress: { phase: 'upload', bytesDone: 1, bytesTotal: 2, rate: 3, eta: 4, detail },
  };
}

describe('the sealed-image upload form', () => {
  it('names the object after the file, for either path separator', () => {
    expect(fileNameOf('/home/me/sealed/disk.qcow2')).toBe('disk.qcow2');
    expect(fileNameOf('C:\\Images\\disk.vhd-0.vhd')).toBe('disk.vhd-0.vhd');
    expect(fileNameOf('  disk.raw  ')).toBe('disk.raw');
    expect(fileNameOf('/images/folder/')).toBe('folder');
    expect(fileNameOf('')).toBe('');
  });

  it('sends the path, profile, object key and bucket, and leaves empty options to the engine', () => {
    expect(uploadRequest(FORM)).toEqual({
      request: {
        path: '/images/earlier.qcow2',
        profile: 'sandbox',
        bucket: 'image-sealer-sandbox',
        objectKey: 'earlier.qcow2',
      },
      problems: null,
    });
  });

  it('leaves the bucket to the profile when it is empty', () => {
    const { request } = uploadRequest({ ...FORM, bucket: '  ' });
    expect(request).not.toHaveProperty('bucket');
  });

  it('turns the typed options into numbers (a decimal comma too)', () => {
    const { request } = uploadRequest({ ...FORM, concurrency: ' 8 ', partSizeMiB: '16', limitRateMBps: '2,5' });
    expect(request).toMatchObject({ concurrency: 8, partSizeMiB: 16, limitRateMBps: 2.5 });
  });

  it('names each field that is wrong, with the i18n key and its values', () => {
    const { request, problems } = uploadRequest({
      path: ' ',
      profile: '',
      bucket: 'Bad_Bucket',
      objectKey: '',
      concurrency: '2.5',
      partSizeMiB: '4',
      limitRateMBps: '0',
    });
    expect(request).toBeNull();
    expect(problems).toEqual({
      path: { key: 'required' },
      profile: { key: 'required' },
      bucket: { key: 'bucketName' },
      objectKey: { key: 'required' },
      concurrency: { key: 'wholeNumber' },
      partSizeMiB: { key: 'range', values: { min: 5, max: 5120 } },
      limitRateMBps: { key: 'positive' },
    });
    expect(uploadRequest({ ...FORM, bucket: 'ab', limitRateMBps: 'fast' }).problems).toEqual({
      bucket: { key: 'range', values: { min: 3, max: 63 } },
      limitRateMBps: { key: 'number' },
    });
    expect(uploadRequest({ ...FORM, objectKey: 'k'.repeat(1025) }).problems).toEqual({
      objectKey: { key: 'atMost', values: { max: 1024 } },
    });
  });

  it('checks the same bounds as the contract', () => {
    const accepts = (options: Record<string, unknown>) => UploadOptionsSchema.safeParse(options).success;
    const { concurrency, partSizeMiB, limitRateMBps, bucket, objectKey } = UPLOAD_LIMITS;
    for (const [field, range] of [
      ['concurrency', concurrency],
      ['partSizeMiB', partSizeMiB],
    ] as const) {
      expect(accepts({ [field]: range.min }), `${field} min`).toBe(true);
      expect(accepts({ [field]: range.min - 1 }), `${field} below min`).toBe(false);
      expect(accepts({ [field]: range.max }), `${field} max`).toBe(true);
      expect(accepts({ [field]: range.max + 1 }), `${field} above max`).toBe(false);
    }
    expect(accepts({ limitRateMBps: limitRateMBps.max })).toBe(true);
    expect(accepts({ limitRateMBps: limitRateMBps.max + 1 })).toBe(false);
    expect(accepts({ bucket: 'b'.repeat(bucket.min) })).toBe(true);
    expect(accepts({ bucket: 'b'.repeat(bucket.min - 1) })).toBe(false);
    expect(accepts({ bucket: 'b'.repeat(bucket.max + 1) })).toBe(false);
    expect(accepts({ objectKey: 'k'.repeat(objectKey.max) })).toBe(true);
    expect(accepts({ objectKey: 'k'.repeat(objectKey.max + 1) })).toBe(false);
    // Whatever the form lets through, the contract accepts.
    const { request } = uploadRequest({ ...FORM, concurrency: '64', partSizeMiB: '5120', limitRateMBps: '100000' });
    expect(request).not.toBeNull();
    if (request) {
      const { path, profile, ...options } = request;
      expect([path, profile]).toEqual(['/images/earlier.qcow2', 'sandbox']);
      expect(accepts(options)).toBe(true);
    }
  });
});

describe('following one file upload', () => {
  it('takes only the progress events of its own transfer', () => {
    const id = 'upl-0123456789abcdef';
    expect(fileUploadProgressOf(progressEvent(null, { transferId: id, parts: '#.' }), id)).toMatchObject({
      bytesDone: 1,
      detail: { parts: '#.' },
    });
    expect(fileUploadProgressOf(progressEvent(null, { transferId: 'upl-ffffffffffffffff' }), id)).toBeNull();
    expect(fileUploadProgressOf(progressEvent('job-1', { transferId: id }), id)).toBeNull();
    expect(fileUploadProgressOf(progressEvent(null), id)).toBeNull();
    expect(fileUploadProgressOf({ type: 'job-updated', jobId: 'job-1', state: 'sealed' }, id)).toBeNull();
  });

  it('shows a paused upload without rate or ETA, its parts in flight waiting again', () => {
    const progress = {
      phase: 'upload',
      bytesDone: 7,
      bytesTotal: 10,
      rate: 5,
      eta: 2,
      detail: { parts: '#>r!.', x: 1 },
    };
    expect(pausedProgress(progress)).toEqual({
      phase: 'upload',
      bytesDone: 7,
      bytesTotal: 10,
      rate: 0,
      eta: null,
      detail: { parts: '#....', x: 1 },
    });
    expect(pausedProgress({ phase: 'upload', bytesDone: 1, bytesTotal: 2, rate: 3, eta: 4 })).toEqual({
      phase: 'upload',
      bytesDone: 1,
      bytesTotal: 2,
      rate: 0,
      eta: null,
    });
  });

  it('offers pause while running, resume while paused, cancel while either, and start otherwise', () => {
    expect(uploadActions('running')).toEqual({ start: false, pause: true, resume: false, cancel: true });
    expect(uploadActions('paused')).toEqual({ start: false, pause: false, resume: true, cancel: true });
    for (const state of ['done', 'failed', 'cancelled', undefined] as const) {
      expect(uploadActions(state)).toEqual({ start: true, pause: false, resume: false, cancel: false });
      expect(isUnderway(state)).toBe(false);
    }
  });

  it('picks up the newest upload still underway when the page opens', () => {
    expect(uploadToFollow([])).toBeNull();
    expect(uploadToFollow([info('a', 'done'), info('b', 'failed')])).toBeNull();
    expect(uploadToFollow([info('a', 'running'), info('b', 'paused'), info('c', 'done')])?.transferId).toBe('b');
  });

  it('leaves an interrupted upload for the person to resume or discard, and says why it cannot resume', () => {
    const interrupted = { ...info('a', 'interrupted'), bytesConfirmed: 10, bytesTotal: 40 };
    expect(isUnderway('interrupted')).toBe(false);
    expect(uploadToFollow([interrupted])).toBeNull();
    expect(confirmedFraction(interrupted)).toBe(0.25);
    expect(confirmedFraction({ ...interrupted, bytesTotal: 0 })).toBe(0);
    expect(resumeBlockerOf(interrupted)).toBeNull();
    const problem = (code: string) => ({ code, message: 'm' });
    expect(resumeBlockerOf({ ...interrupted, sourceProblem: problem('UPLOAD_SOURCE_CHANGED') })).toBe('sourceChanged');
    expect(resumeBlockerOf({ ...interrupted, sourceProblem: problem('UPLOAD_SOURCE_MISSING') })).toBe('sourceMissing');
    expect(resumeBlockerOf({ ...interrupted, sourceProblem: problem('UPLOAD_SOURCE_NOT_FILE') })).toBe('sourceMissing');
    expect(resumeBlockerOf({ ...interrupted, profile: '' })).toBe('profileUnknown');
    // a damaged journal outweighs everything else: it can only be discarded
    expect(resumeBlockerOf({ ...interrupted, profile: '', error: problem('UPLOAD_JOURNAL_CORRUPT') })).toBe(
      'journalDamaged',
    );
  });

  it('resumes with the form’s concurrency and rate limit, never its part size, and names a wrong one', () => {
    expect(resumeOptionsOf({ concurrency: '', limitRateMBps: '' })).toEqual({ options: {}, problems: {} });
    expect(resumeOptionsOf({ concurrency: ' 3 ', limitRateMBps: '2,5' })).toEqual({
      options: { concurrency: 3, limitRateMBps: 2.5 },
      problems: {},
    });
    const withPartSize: SealedUploadForm = { ...FORM, partSizeMiB: '8', concurrency: '2' };
    expect(resumeOptionsOf(withPartSize).options).toEqual({ concurrency: 2 });
    expect(resumeOptionsOf({ concurrency: '65', limitRateMBps: '0' }).problems).toEqual({
      concurrency: { key: 'range', values: { min: 1, max: 64 } },
      limitRateMBps: { key: 'positive' },
    });
  });

  it('reports a discard as done unless the parts may still be in the bucket', () => {
    expect(discardNoticeOf('aborted')).toEqual({ kind: 'success', title: 'discarded' });
    expect(discardNoticeOf('none')).toEqual({ kind: 'success', title: 'discarded' });
    expect(discardNoticeOf('gone')).toEqual({ kind: 'success', title: 'discardedGone' });
    expect(discardNoticeOf('unsupported')).toMatchObject({ kind: 'warning', reason: 'partsUnsupported' });
    expect(discardNoticeOf('not-attempted')).toMatchObject({ kind: 'warning', reason: 'partsNotAttempted' });
  });

  it('has its own address', () => {
    expect(parseRoute('#/upload')).toEqual({ page: 'upload' });
    expect(routeHref({ page: 'upload' })).toBe('#/upload');
  });
});
