import { useTranslation } from 'react-i18next';
import type { CatalogLookup } from '../format/errors';

/**
 * The page's language and a lookup of a catalog text that says when there is none (i18next's `t` would return
 * the key itself), for the pure functions that choose between a catalog text and a fallback.
 */
export function useCatalogLookup(): { language: string; lookup: CatalogLookup } {
  const { i18n } = useTranslation();
  const language = i18n.resolvedLanguage ?? i18n.language;
  const lookup: CatalogLookup = (key) => {
    const text: unknown = i18n.getResource(language, 'translation', key);
    return typeof text === 'string' ? text : undefined;
  };
  return { language, lookup };
}
