/** The person's choice of look; `system` follows the operating system's light or dark setting. */
export type Theme = 'system' | 'light' | 'dark';

const KEY = 'braid.theme';

export function loadTheme(): Theme {
  const t = localStorage.getItem(KEY);
  return t === 'light' || t === 'dark' ? t : 'system';
}

/** Applies the theme to the page (the stylesheet reads `data-theme`) and keeps it for the next visit. */
export function applyTheme(theme: Theme): void {
  localStorage.setItem(KEY, theme);
  if (theme === 'system') delete document.documentElement.dataset['theme'];
  else document.documentElement.dataset['theme'] = theme;
}
