// Thai first, English on request; one choice per browser for all pages.
const LANG_KEY = 'khiw:lang';

function storedLang() {
  try {
    return localStorage.getItem(LANG_KEY);
  } catch {
    return null;
  }
}

export let lang = storedLang() === 'en' ? 'en' : 'th';

export function setLang(next) {
  lang = next;
  try {
    localStorage.setItem(LANG_KEY, next);
  } catch {
    // Private mode without storage: the choice lasts for this page only.
  }
}

/** A page's `t(key, ...args)` over its strings. */
export function translator(strings) {
  return (key, ...args) => {
    const value = strings[lang][key] ?? strings.th[key];
    return typeof value === 'function' ? value(...args) : value;
  };
}

/** Applies the language to every `data-i18n` element and to `<html lang>`. */
export function translate(t, root = document) {
  document.documentElement.lang = lang;
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
}

/** `{th, en}` from the API in the current language. */
export const local = (text) => (text ? text[lang] || text.th : '');

export function formatNumber(n) {
  return typeof n === 'number' && Number.isFinite(n)
    ? n.toLocaleString(lang === 'th' ? 'th-TH' : 'en-GB')
    : '–';
}
