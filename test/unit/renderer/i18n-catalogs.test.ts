import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { en } from '../../../renderer/src/i18n/en';
import { es } from '../../../renderer/src/i18n/es';
import { it as italian } from '../../../renderer/src/i18n/it';
import { initialLanguage } from '../../../renderer/src/i18n/language';
import { sourceTexts } from '../../helpers/source-texts';

type Tree = { [key: string]: string | Tree };

function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'string') out.set(path, value);
    else for (const [inner, text] of flatten(value, path)) out.set(inner, text);
  }
  return out;
}

const english = flatten(en as Tree);
const catalogs = { es: flatten(es as Tree), it: flatten(italian as Tree) };

/** Texts that are the same in every language: names, acronyms, units, placeholders only. */
const SAME_EVERYWHERE = new Set([
  'app.name',
  'target.vpcShort',
  'keys.crn',
  'job.etag',
  'common.no',
  'common.itemRange',
  'wizard.progress.label',
  'settings.bucket', // Italian keeps IBM's "bucket"
  'job.bucket',
  'profileForm.keyProtect', // IBM's product names
  'profileForm.hpcs',
  'wizard.provision.vpc', // IBM's term in every language
]);

function placeholders(text: string): string[] {
  return [...text.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((match) => match[1]).sort();
}

describe('translation catalogs', () => {
  for (const [language, catalog] of Object.entries(catalogs)) {
    it(`${language} has exactly the English keys`, () => {
      expect([...catalog.keys()].sort()).toEqual([...english.keys()].sort());
    });

    it(`${language} translates every text (nothing left in English) and keeps placeholders`, () => {
      const untranslated: string[] = [];
      for (const [key, text] of english) {
        const translated = catalog.get(key) ?? '';
        expect(translated.trim().length, key).toBeGreaterThan(0);
        expect(placeholders(translated), key).toEqual(placeholders(text));
        if (translated === text && !SAME_EVERYWHERE.has(key) && /[a-z]{3}/i.test(text.replace(/\{\{\w+\}\}/g, '')))
          untranslated.push(`${key}: ${text}`);
      }
      expect(untranslated).toEqual([]);
    });
  }

  it('uses IBM’s own terms from the Spanish and Italian documentation', () => {
    const spanish = [...catalogs.es.values()].join('\n');
    const italianText = [...catalogs.it.values()].join('\n');
    expect(spanish).toContain('clave de cifrado de datos envuelta (WDEK)');
    expect(spanish).toContain('clave raíz (CRK)');
    expect(spanish.toLowerCase()).toContain('plantilla de imagen');
    expect(italianText).toContain('chiave di crittografia dei dati impacchettata (WDEK)');
    expect(italianText).toContain('chiave root');
    expect(italianText).toContain('template dell’immagine');
  });

  it('every t("…") key used in the renderer exists in the English catalog', () => {
    const sources = sourceTexts(
      join(process.cwd(), 'renderer', 'src'),
      (path) => /\.(ts|tsx)$/.test(path) && !path.includes(join('src', 'i18n')),
    );
    const missing: string[] = [];
    for (const source of sources) {
      for (const match of source.matchAll(/\bt\(\s*'([a-zA-Z0-9_.-]+)'/g)) {
        const key = match[1];
        if (!english.has(key) && !english.has(`${key}_one`)) missing.push(key);
      }
    }
    expect(missing).toEqual([]);
  });
});

describe('choosing the first language', () => {
  it('prefers the saved choice, then the browser’s languages, then English', () => {
    expect(initialLanguage('it', ['es-ES'])).toBe('it');
    expect(initialLanguage(null, ['es-MX', 'en'])).toBe('es');
    expect(initialLanguage('fr', ['de-DE', 'it-CH'])).toBe('it');
    expect(initialLanguage(null, ['de-DE'])).toBe('en');
  });
});
