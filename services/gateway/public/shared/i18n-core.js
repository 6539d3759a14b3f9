// Thai first, English or Burmese (Myanmar script, for Samut Sakhon's migrant workers) on
// request; one choice per browser for all pages. Numbers, days and times as each language
// writes them (appointments are in Bangkok, Buddhist era in Thai); Burmese pages keep Latin
// digits and English dates, as the SMS do.
const LANG_KEY = 'khiw:lang';
const LANGS = ['th', 'en', 'my'];
/** Each language named in itself, so a reader finds theirs whatever the page shows now. */
const NAMES = { th: 'ไทย', en: 'English', my: 'မြန်မာ' };

function storedLang() {
  try {
    return localStorage.getItem(LANG_KEY);
  } catch {
    return null;
  }
}

export let lang = LANGS.includes(storedLang()) ? storedLang() : 'th';

export function setLang(next) {
  lang = next;
  try {
    localStorage.setItem(LANG_KEY, next);
  } catch {
    // Private mode without storage: the choice lasts for this page only.
  }
}

/** A page's `t(key, ...args)`; a language given as a loader is fetched by `t.load(lang)`. */
export function translator(strings) {
  const t = (key, ...args) => {
    const words = typeof strings[lang] === 'object' ? strings[lang] : strings.th;
    const value = words[key] ?? strings.th[key];
    return typeof value === 'function' ? value(...args) : value;
  };
  t.load = async (to) => {
    if (typeof strings[to] === 'function') strings[to] = (await strings[to]()).default;
  };
  t.has = (code) => code in strings;
  return t;
}

/** Applies the language to every `data-i18n` element and to `<html lang>`. */
export function translate(t, root = document) {
  // A page without Burmese words (staff, ops) shows Thai and says so.
  document.documentElement.lang = t.has?.(lang) === false ? 'th' : lang;
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
}

/**
 * `{th, en}` from the API in the current language. The API has no Burmese: a Burmese reader
 * gets the English (site names, error messages), more likely readable than Thai script.
 */
export const local = (text) => (text ? text[lang] || (lang === 'my' && text.en) || text.th : '');

export function formatNumber(n) {
  return typeof n === 'number' && Number.isFinite(n)
    ? n.toLocaleString(lang === 'th' ? 'th-TH' : 'en-GB')
    : '–';
}

const ZONE = 'Asia/Bangkok';
const formats = {};
function partsOf(kind, date) {
  const key = `${lang}:${kind}`;
  if (!formats[key]) {
    // Burmese: the English form (ICU's Burmese calendar words are not in every browser).
    const locale = lang === 'th' ? 'th-TH-u-ca-buddhist-nu-latn' : 'en-GB';
    const options =
      kind === 'day'
        ? { weekday: 'long', day: 'numeric', month: 'short', year: 'numeric' }
        : { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };
    formats[key] = new Intl.DateTimeFormat(locale, { timeZone: ZONE, ...options });
  }
  const parts = formats[key].formatToParts(date);
  return (type) => parts.find((p) => p.type === type)?.value ?? '';
}

/** 'จันทร์ 2 ส.ค. 2564' (Buddhist era) or 'Monday 2 Aug 2021', for the day in Bangkok. */
export function formatDay(date) {
  const part = partsOf('day', date);
  const weekday = part('weekday').replace(/^วัน/, '');
  return `${weekday} ${part('day')} ${part('month')} ${part('year')}`;
}

export function formatTime(date) {
  const part = partsOf('time', date);
  return `${part('hour')}:${part('minute')}`;
}

export function formatWhen(date) {
  const day = formatDay(date);
  const time = formatTime(date);
  if (lang === 'th') return `${day} เวลา ${time} น.`;
  return lang === 'my' ? `${day}၊ ${time}` : `${day} at ${time}`;
}

/** 'YYYY-MM-DD' in Bangkok (no daylight saving there). */
export const bangkokDay = (date) => new Date(date.getTime() + 7 * 3600_000).toISOString().slice(0, 10);

/**
 * The resident pages' switch: one button per language, each in its own script, the current
 * one pressed; a click loads the words if need be, switches and redraws.
 */
export function languageSwitch(nav, t, redraw) {
  const buttons = LANGS.map((code) => {
    const button = document.createElement('button');
    Object.assign(button, { type: 'button', className: 'link', lang: code, textContent: NAMES[code] });
    button.dataset.lang = code;
    button.addEventListener('click', async () => {
      if (code === lang) return;
      try {
        await t.load(code);
      } catch {
        return; // offline: the page stays readable as it is
      }
      setLang(code);
      mark();
      redraw();
    });
    return button;
  });
  const mark = () => {
    for (const b of buttons) b.setAttribute('aria-pressed', String(b.dataset.lang === lang));
  };
  nav.replaceChildren(...buttons);
  mark();
}

/** Staff and ops pages (Thai and English only): the button names the other language. */
export function languageButton(button, t, redraw) {
  const shown = () => (lang === 'en' ? 'en' : 'th'); // a Burmese choice shows those pages in Thai
  const label = () => {
    button.textContent = t('switchTo');
    button.lang = shown() === 'th' ? 'en' : 'th';
  };
  button.addEventListener('click', async () => {
    const next = shown() === 'th' ? 'en' : 'th';
    try {
      await t.load(next);
    } catch {
      return; // offline: the page stays readable as it is
    }
    setLang(next);
    label();
    redraw();
  });
  label();
}

/** `{th, en}` from the API in place of the page's word. */
export function showLocal(el, text) {
  if (!text) return;
  delete el.dataset.i18n;
  el.textContent = local(text);
}
