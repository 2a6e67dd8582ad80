export const LANGUAGES = [
  { code: 'en', name: 'English' },
  { code: 'es', name: 'Español' },
  { code: 'it', name: 'Italiano' },
] as const;
export type LanguageCode = (typeof LANGUAGES)[number]['code'];

export function isLanguage(value: string | null | undefined): value is LanguageCode {
  return LANGUAGES.some((language) => language.code === value);
}

/** The saved choice, else the browser's first language we speak, else English. */
export function initialLanguage(saved: string | null, preferred: readonly string[]): LanguageCode {
  if (isLanguage(saved)) return saved;
  for (const tag of preferred) {
    const base = tag.toLowerCase().split('-')[0];
    if (isLanguage(base)) return base;
  }
  return 'en';
}
