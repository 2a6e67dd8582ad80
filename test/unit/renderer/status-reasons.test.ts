import { describe, expect, it } from 'vitest';
import { localizeErrorView, toErrorView, type CatalogLookup } from '../../../renderer/src/format/errors';
import { statusReasonViews } from '../../../renderer/src/format/status-reasons';
import { en } from '../../../renderer/src/i18n/en';
import { es } from '../../../renderer/src/i18n/es';
import { it as italian } from '../../../renderer/src/i18n/it';
import { importFailedError, STATUS_REASONS } from '../../../main/cloud/status-reasons';
import { toErrorShape } from '../../../main/common/errors';
import { quotableDetails } from '../../../main/common/error-details';

const CATALOGS = { en, es, it: italian };
type Language = keyof typeof CATALOGS;
const TRANSLATED = ['es', 'it'] as const;

/** What ErrorNotice and the job page pass: the raw text of a key in one language. */
function catalogLookup(catalog: unknown): CatalogLookup {
  return (key) => {
    const text = key
      .split('.')
      .reduce<unknown>(
        (node, part) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined),
        catalog,
      );
    return typeof text === 'string' ? text : undefined;
  };
}

/** main's IMPORT_FAILED as a job record keeps it: the shape that crossed the API, details a sentence can quote. */
function failedImport(statusReasons: Array<{ code: string; message: string }>, name?: string) {
  const shape = toErrorShape(importFailedError({ id: 'r006-1', ...(name ? { name } : {}), statusReasons }, 'VPC'));
  const details = quotableDetails(shape.details);
  return { ...shape, ...(details ? { details } : {}) };
}

function localized(error: unknown, language: Language, lookup: CatalogLookup = catalogLookup(CATALOGS[language])) {
  return localizeErrorView(toErrorView(error), language, lookup);
}

const CODES = Object.keys(STATUS_REASONS) as Array<keyof typeof STATUS_REASONS>;

describe('IBM status reasons in the catalogs', () => {
  it('English is main’s own table, not a copy', () => {
    expect(en.statusReasons).toBe(STATUS_REASONS);
  });

  for (const language of TRANSLATED) {
    it(`${language} words exactly the codes main knows, each meaning and fix translated`, () => {
      // A code added to STATUS_REASONS without a Spanish or Italian text fails here (and in tsc).
      expect(Object.keys(CATALOGS[language].statusReasons).sort()).toEqual([...CODES].sort());
      for (const code of CODES) {
        const text = CATALOGS[language].statusReasons[code];
        expect(Object.keys(text).sort(), code).toEqual(['fix', 'meaning']);
        for (const part of ['meaning', 'fix'] as const) {
          expect(text[part].trim().length, `${code}.${part}`).toBeGreaterThan(10);
          expect(text[part], `${code}.${part}`).not.toBe(STATUS_REASONS[code][part]);
          expect(text[part], `${code}.${part}`).not.toMatch(/\{\{/);
        }
      }
    });
  }
});

describe('a failed import’s notice on a Spanish or Italian page', () => {
  it('says what the first reason means, naming the image, and what to do', () => {
    const error = failedImport(
      [
        {
          code: 'image_data_corrupted',
          message: 'The decrypted content does not match the digest recorded at upload.',
        },
        { code: 'encryption_key_disabled', message: 'The key is suspended.' },
      ],
      'ubuntu-sealed',
    );
    expect(localized(error, 'es')).toEqual({
      titleKey: 'errors.cloud',
      code: 'IMPORT_FAILED',
      message:
        'La importación de la imagen ubuntu-sealed (r006-1) ha fallado. Los datos de la imagen están dañados o no tienen el formato que espera la importación (no coinciden con lo que se selló y se subió).',
      hint: 'Vuelva a subir la imagen sellada (puede que el objeto se haya modificado o truncado) y reanude el trabajo: la imagen fallida se sustituye.',
      original: { message: error.message, hint: error.hint },
    });
    expect(localized(error, 'it')).toMatchObject({
      message:
        'L’importazione dell’immagine ubuntu-sealed (r006-1) non è riuscita. I dati dell’immagine sono danneggiati o non sono nel formato previsto dall’importazione (non corrispondono a ciò che è stato sigillato e caricato).',
      hint: 'Carichi di nuovo l’immagine sigillata (l’oggetto potrebbe essere stato modificato o troncato) e riprenda il lavoro: l’immagine non riuscita viene sostituita.',
      original: { message: error.message, hint: error.hint },
    });
  });

  it('words every code main knows, in both languages, with or without an image name', () => {
    for (const language of TRANSLATED) {
      const catalog = CATALOGS[language];
      for (const code of CODES) {
        const { meaning, fix } = catalog.statusReasons[code];
        const named = localized(failedImport([{ code, message: '' }], 'img-1'), language);
        expect(named.message, `${language} ${code}`).toBe(
          catalog.errorText.IMPORT_FAILED.knownReason.messageNamed
            .replace('{{name}}', 'img-1')
            .replace('{{imageId}}', 'r006-1')
            .replace('{{reasonMeaning}}', meaning),
        );
        expect(named.hint, `${language} ${code}`).toBe(fix);
        const unnamed = localized(failedImport([{ code, message: '' }]), language);
        expect(unnamed.message, `${language} ${code}`).toBe(
          catalog.errorText.IMPORT_FAILED.knownReason.message
            .replace('{{imageId}}', 'r006-1')
            .replace('{{reasonMeaning}}', meaning),
        );
        for (const text of [named.message, named.hint, unnamed.message])
          expect(text, `${language} ${code}`).not.toMatch(/\{\{|undefined/);
      }
    }
  });

  it('a reason IBM added since keeps the generic sentence that names its code', () => {
    const error = failedImport([{ code: 'image_brand_new_reason', message: 'Something new happened.' }], 'img');
    expect(localized(error, 'es')).toMatchObject({
      message: 'La importación de la imagen r006-1 ha fallado; IBM Cloud indica el motivo image_brand_new_reason.',
      hint: es.errorText.IMPORT_FAILED.hint,
      original: { message: error.message, hint: error.hint },
    });
    expect(localized(error, 'it').message).toBe(
      'L’importazione dell’immagine r006-1 non è riuscita; IBM Cloud indica il motivo image_brand_new_reason.',
    );
  });

  it('no reason at all, or a code that is only a property of every object: the generic sentence', () => {
    expect(localized(failedImport([]), 'es').message).toBe(
      'La importación de la imagen r006-1 ha fallado; IBM Cloud indica el motivo unknown.',
    );
    expect(localized(failedImport([{ code: 'constructor', message: '' }]), 'it').message).toBe(
      'L’importazione dell’immagine r006-1 non è riuscita; IBM Cloud indica il motivo constructor.',
    );
  });

  it('a catalog without the reason’s words falls back to the generic sentence, never to a hole', () => {
    const spanish = catalogLookup(es);
    const withoutReasons: CatalogLookup = (key) => (key.startsWith('statusReasons.') ? undefined : spanish(key));
    const error = failedImport([{ code: 'encryption_key_deleted', message: '' }], 'img');
    expect(localized(error, 'es', withoutReasons)).toMatchObject({
      message: 'La importación de la imagen r006-1 ha fallado; IBM Cloud indica el motivo encryption_key_deleted.',
      hint: es.errorText.IMPORT_FAILED.hint,
    });
  });

  it('without the image id no sentence is complete: main’s English', () => {
    const error = { code: 'IMPORT_FAILED', message: 'The import failed.', details: { reason: 'image_data_corrupted' } };
    expect(localized(error, 'es')).toEqual({
      titleKey: 'errors.cloud',
      code: 'IMPORT_FAILED',
      message: 'The import failed.',
    });
  });

  it('English pages keep main’s message and hint exactly', () => {
    const error = failedImport([{ code: 'encrypted_data_key_invalid', message: 'x' }], 'img');
    expect(localized(error, 'en')).toEqual({
      titleKey: 'errors.cloud',
      code: 'IMPORT_FAILED',
      message: error.message,
      hint: error.hint,
    });
    expect(error.message).toBe(
      `The VPC import of image "img" (r006-1) failed (encrypted_data_key_invalid): ${STATUS_REASONS.encrypted_data_key_invalid.meaning}`,
    );
  });
});

describe('the job page’s status reasons', () => {
  const reasons = [
    { code: 'encrypted_data_key_invalid', message: 'The unwrapped key does not open the image.' },
    { code: 'image_brand_new_reason', message: 'Something new happened.' },
    { code: 'toString', message: 'Odd.' },
  ];

  it('a known code: its meaning in the page’s language, IBM’s message kept; an unknown one: IBM’s message', () => {
    expect(statusReasonViews(reasons, catalogLookup(es))).toEqual([
      {
        code: 'encrypted_data_key_invalid',
        meaning: es.statusReasons.encrypted_data_key_invalid.meaning,
        message: 'The unwrapped key does not open the image.',
      },
      { code: 'image_brand_new_reason', message: 'Something new happened.' },
      { code: 'toString', message: 'Odd.' },
    ]);
    expect(statusReasonViews(reasons, catalogLookup(italian))[0].meaning).toBe(
      italian.statusReasons.encrypted_data_key_invalid.meaning,
    );
    expect(statusReasonViews(reasons, catalogLookup(en))[0].meaning).toBe(
      STATUS_REASONS.encrypted_data_key_invalid.meaning,
    );
  });

  it('a language whose catalog lacks the meaning shows IBM’s message, as for an unknown code', () => {
    expect(statusReasonViews(reasons.slice(0, 1), () => undefined)).toEqual([
      { code: 'encrypted_data_key_invalid', message: 'The unwrapped key does not open the image.' },
    ]);
  });
});
