import { useCallback, useEffect, useState } from 'react';

export type ThemePreference = 'system' | 'light' | 'dark';
export type CarbonTheme = 'white' | 'g100';

const STORAGE_KEY = 'image-sealer.theme';
const DARK_QUERY = '(prefers-color-scheme: dark)';

export function resolveTheme(preference: ThemePreference, systemPrefersDark: boolean): CarbonTheme {
  if (preference === 'light') return 'white';
  if (preference === 'dark') return 'g100';
  return systemPrefersDark ? 'g100' : 'white';
}

function readPreference(): ThemePreference {
  try {
    const saved = window.localStorage.getItem(STORAGE_KEY);
    if (saved === 'light' || saved === 'dark' || saved === 'system') return saved;
  } catch {
    // storage disabled: follow the system
  }
  return 'system';
}

/** Carbon white / g100 on the document root, following the OS unless the person chose one. */
export function useTheme(): {
  preference: ThemePreference;
  theme: CarbonTheme;
  setPreference: (value: ThemePreference) => void;
} {
  const [preference, setPreferenceState] = useState<ThemePreference>(readPreference);
  const [systemDark, setSystemDark] = useState(() => window.matchMedia(DARK_QUERY).matches);

  useEffect(() => {
    const query = window.matchMedia(DARK_QUERY);
    const onChange = (event: MediaQueryListEvent) => setSystemDark(event.matches);
    query.addEventListener('change', onChange);
    return () => query.removeEventListener('change', onChange);
  }, []);

  const theme = resolveTheme(preference, systemDark);
  useEffect(() => {
    const root = document.documentElement;
    root.classList.remove('cds--white', 'cds--g100');
    root.classList.add(`cds--${theme}`);
    root.dataset.theme = theme;
    root.style.colorScheme = theme === 'g100' ? 'dark' : 'light';
  }, [theme]);

  const setPreference = useCallback((value: ThemePreference) => {
    try {
      window.localStorage.setItem(STORAGE_KEY, value);
    } catch {
      // keep it for this session only
    }
    setPreferenceState(value);
  }, []);

  return { preference, theme, setPreference };
}
