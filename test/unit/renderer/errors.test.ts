import { describe, expect, it } from 'vitest';
import { errorTitleKey, toErrorView, ERROR_TITLE_KEYS } from '../../../renderer/src/format/errors';
import { en } from '../../../renderer/src/i18n/en';

function lookup(key: string): unknown {
  return key
    .split('.')
    .reduce<unknown>(
      (node, part) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined),
      en,
    );
}

describe('error code → message table', () => {
  it('maps exact codes and families to titles that exist in the catalog', () => {
    expect(errorTitleKey('HOST_UNREACHABLE')).toBe('errors.unreachable');
    expect(errorTitleKey('KMS_KEY_NOT_FOUND')).toBe('errors.keys');
    expect(errorTitleKey('UPLOAD_SOURCE_CHANGED')).toBe('errors.transfer');
    expect(errorTitleKey('CLOUD_NOT_AUTHORIZED')).toBe('errors.cloud');
    expect(errorTitleKey('SYSTEM_ENOSPC')).toBe('errors.system');
    expect(errorTitleKey('SOMETHING_NEW')).toBe('errors.generic');
    for (const key of new Set([...Object.values(ERROR_TITLE_KEYS), 'errors.generic'])) {
      expect(typeof lookup(key), key).toBe('string');
    }
  });

  it('keeps message and hint and never shows a stack trace', () => {
    const error = Object.assign(new Error('The disk is full.\n    at write (file.js:1:2)\n    at next (file.js:3:4)'), {
      code: 'SYSTEM_ENOSPC',
      hint: 'Free some space.',
    });
    expect(toErrorView(error)).toEqual({
      titleKey: 'errors.system',
      message: 'The disk is full.',
      hint: 'Free some space.',
      code: 'SYSTEM_ENOSPC',
    });
  });

  it('accepts plain shapes, strings and nothing useful', () => {
    expect(toErrorView({ code: 'JOB_NOT_FOUND', message: 'No such job.' })).toEqual({
      titleKey: 'errors.notFound',
      message: 'No such job.',
      code: 'JOB_NOT_FOUND',
    });
    expect(toErrorView('boom')).toEqual({ titleKey: 'errors.generic', message: 'boom', code: 'INTERNAL' });
    expect(toErrorView(undefined).code).toBe('INTERNAL');
  });
});
