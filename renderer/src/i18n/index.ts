import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { en } from './en';
import { es } from './es';
import { it } from './it';

import { initialLanguage, type LanguageCode } from './language';

export { LANGUAGES, isLanguage, initialLanguage, type LanguageCode } from './language';

const STORAGE_KEY = 'image-sealer.language';

function readSaved(): string | null {
  try {
    return window.localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

export async function setupI18n(): Promise<typeof i18next> {
  const lng = initialLanguage(readSaved(), navigator.languages ?? [navigator.language]);
  await i18next.use(initReactI18next).init({
    resources: { en: { translation: en }, es: { translation: es }, it: { translation: it } },
    lng,
    fallbackLng: 'en',
    interpolation: { escapeValue: false },
    returnNull: false,
    showSupportNotice: false,
  });
  document.documentElement.lang = lng;
  i18next.on('languageChanged', (language) => {
    document.documentElement.lang = language;
  });
  return i18next;
}

export async function changeLanguage(code: LanguageCode): Promise<void> {
  try {
    window.localStorage.setItem(STORAGE_KEY, code);
  } catch {
    // A browser with storage disabled still switches for this session.
  }
  await i18next.changeLanguage(code);
}
