import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import {
  errorTitleKey,
  localizeErrorView,
  toErrorView,
  ERROR_TITLE_KEYS,
  type CatalogLookup,
} from '../../../renderer/src/format/errors';
import { en } from '../../../renderer/src/i18n/en';
import { es } from '../../../renderer/src/i18n/es';
import { it as italian } from '../../../renderer/src/i18n/it';
import { sourceTexts } from '../../helpers/source-texts';
import { importFailedError } from '../../../main/cloud/status-reasons';
import { toErrorShape } from '../../../main/common/errors';

function lookupIn(catalog: unknown): (key: string) => unknown {
  return (key) =>
    key
      .split('.')
      .reduce<unknown>(
        (node, part) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined),
        catalog,
      );
}

const lookup = lookupIn(en);

/** What ErrorNotice passes: the raw text of a key in one language. */
function catalogLookup(catalog: unknown): CatalogLookup {
  const find = lookupIn(catalog);
  return (key) => {
    const text = find(key);
    return typeof text === 'string' ? text : undefined;
  };
}

const CATALOGS = { en, es, it: italian };

/** What ErrorNotice shows for an error on a page in `language`. */
function localized(error: unknown, language: keyof typeof CATALOGS) {
  return localizeErrorView(toErrorView(error), language, catalogLookup(CATALOGS[language]));
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

describe('the message and hint in the page’s language', () => {
  const missingUpload = toErrorView({
    code: 'UPLOAD_SOURCE_MISSING',
    message: 'The file to upload, /data/sealed.qcow2, does not exist.',
    hint: 'Seal the image again or choose the sealed file where it is now.',
    details: { path: '/data/sealed.qcow2' },
  });

  it('a worded code: the translation, with main’s English kept as the original', () => {
    const view = localizeErrorView(
      toErrorView({
        code: 'SEAL_WRONG_KEY',
        message: 'The key does not open this sealed image (slot 0).',
        hint: 'Use the DEK.',
      }),
      'es',
      catalogLookup(es),
    );
    expect(view).toEqual({
      titleKey: 'errors.seal',
      code: 'SEAL_WRONG_KEY',
      message: 'La clave no abre esta imagen sellada.',
      hint: 'Use la clave de cifrado de datos (DEK) con la que se selló la imagen y compruebe el destino.',
      original: { message: 'The key does not open this sealed image (slot 0).', hint: 'Use the DEK.' },
    });
  });

  it('fills the details main sent into the sentence', () => {
    const view = localizeErrorView(missingUpload, 'it', catalogLookup(italian));
    expect(view.message).toBe('Il file da caricare, /data/sealed.qcow2, non esiste.');
    expect(view.original?.message).toBe('The file to upload, /data/sealed.qcow2, does not exist.');
    const profile = localizeErrorView(
      toErrorView({
        code: 'COS_BUCKET_REQUIRED',
        message: 'Profile "prod" names no COS bucket.',
        details: { profile: 'prod', status: 0 },
      }),
      'es',
      catalogLookup(es),
    );
    expect(profile.message).toBe('El perfil prod no indica ningún grupo de Cloud Object Storage.');
    expect(profile.original).toEqual({ message: 'Profile "prod" names no COS bucket.' });
  });

  it('words the import and provision errors with the specifics main sends', () => {
    const cases: Array<{ language: keyof typeof CATALOGS; error: unknown; shown: Record<string, string> }> = [
      {
        language: 'es',
        error: {
          code: 'IMAGE_NAME_TAKEN',
          message: 'An image named "ubuntu-sealed" exists already in us-south.',
          hint: 'Choose another name with "image-sealer import j1 --name NAME", or delete the old image.',
          details: { name: 'ubuntu-sealed', region: 'us-south', imageId: 'r006-1' },
        },
        shown: {
          message: 'Ya existe una imagen llamada ubuntu-sealed en us-south.',
          hint: 'Elija otro nombre de imagen en el paso Importación, o elimine la imagen anterior (r006-1) en IBM Cloud.',
        },
      },
      {
        // main's own error, so the sentence is filled from the details main really sends
        language: 'it',
        error: toErrorShape(
          importFailedError(
            { id: 'r006-1', name: 'img', statusReasons: [{ code: 'encrypted_data_key_invalid', message: '' }] },
            'VPC',
          ),
        ),
        shown: {
          titleKey: 'errors.cloud',
          message:
            'L’importazione dell’immagine img (r006-1) non è riuscita. Spacchettando la chiave di crittografia dei dati impacchettata (WDEK) non si ottiene il segreto di questa immagine, quindi l’immagine non può essere decrittografata.',
        },
      },
      {
        // The classic client's "needs a name" names none: main's English stays.
        language: 'es',
        error: { code: 'IMAGE_NAME_INVALID', message: 'The image template needs a name.' },
        shown: { message: 'The image template needs a name.' },
      },
    ];
    for (const { language, error, shown } of cases) expect(localized(error, language)).toMatchObject(shown);
  });

  it('a detail the sentence needs did not come: main’s English, not a sentence with a hole', () => {
    const withoutPath = toErrorView({
      code: 'UPLOAD_SOURCE_MISSING',
      message: 'The file to upload, x, does not exist.',
      hint: 'Seal again.',
    });
    expect(localizeErrorView(withoutPath, 'es', catalogLookup(es))).toEqual({
      titleKey: 'errors.transfer',
      code: 'UPLOAD_SOURCE_MISSING',
      message: 'The file to upload, x, does not exist.',
      hint: 'Seal again.',
    });
    // The hint needs a detail too (KMS_FORBIDDEN: role, instanceId): same rule.
    const forbidden = toErrorView({
      code: 'KMS_FORBIDDEN',
      message: 'Key Protect forbids this request.',
      details: { role: 'Reader' },
    });
    expect(localizeErrorView(forbidden, 'it', catalogLookup(italian)).message).toBe(
      'Key Protect forbids this request.',
    );
  });

  it('a code the catalog does not word keeps main’s text', () => {
    const view = localizeErrorView(
      toErrorView({ code: 'SOMETHING_NEW', message: 'Something new went wrong.', hint: 'Retry.' }),
      'it',
      catalogLookup(italian),
    );
    expect(view).toEqual({
      titleKey: 'errors.generic',
      code: 'SOMETHING_NEW',
      message: 'Something new went wrong.',
      hint: 'Retry.',
    });
  });

  it('English pages keep main’s own message and hint, which name the most specifics', () => {
    expect(localizeErrorView(missingUpload, 'en', catalogLookup(en))).toEqual({
      titleKey: 'errors.transfer',
      code: 'UPLOAD_SOURCE_MISSING',
      message: 'The file to upload, /data/sealed.qcow2, does not exist.',
      hint: 'Seal the image again or choose the sealed file where it is now.',
    });
  });

  it('keeps only details a sentence can quote', () => {
    const view = toErrorView({
      code: 'X',
      message: 'm',
      details: { path: '/a', size: 3, nested: { a: 1 }, list: [1], gone: undefined },
    });
    expect(view.details).toEqual({ path: '/a', size: 3 });
  });

  it('words only codes the app really raises', () => {
    const typescript = (path: string) => path.endsWith('.ts');
    const all = [
      ...sourceTexts(join(process.cwd(), 'main'), typescript),
      ...sourceTexts(join(process.cwd(), 'renderer', 'src', 'api'), typescript),
    ].join('\n');
    const unknown = Object.keys(en.errorText).filter((code) => {
      const system = /^SYSTEM_(\w+)$/.exec(code);
      return !all.includes(system ? `case '${system[1]}'` : `'${code}'`);
    });
    expect(unknown).toEqual([]);
  });
});
