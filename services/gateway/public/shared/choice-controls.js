// The group, site, day and time controls. Each keeps whatever the resident picked: options
// are redrawn around the choice, never reset to a default (seed 002: the form that jumped
// back to the default site).
import { bangkokDay, formatDay, formatNumber, formatTime, lang, local, translator } from './i18n-core.js';

const t = translator({
  th: { left: (n) => `เหลือ ${n} ที่`, full: 'เต็มแล้ว', pickSite: '— เลือกสถานที่ —', pickDay: '— เลือกวันที่ —' },
  en: { left: (n) => `${n} left`, full: 'full', pickSite: '— Choose a site —', pickDay: '— Choose a date —' },
  my: { left: (n) => `${n} နေရာ ကျန်`, full: 'ပြည့်ပြီ', pickSite: '— နေရာ ရွေးပါ —', pickDay: '— ရက်စွဲ ရွေးပါ —' },
});

const leftText = (remaining) =>
  typeof remaining !== 'number' ? '' : remaining > 0 ? t('left', formatNumber(remaining)) : t('full');

function option(value, text, { disabled = false, selected = false } = {}) {
  const el = document.createElement('option');
  el.value = value;
  el.textContent = text;
  el.disabled = disabled;
  el.selected = selected;
  return el;
}

function radio(name, value, label, meta, { disabled, checked }) {
  const wrap = document.createElement('label');
  const input = document.createElement('input');
  Object.assign(input, { type: 'radio', name, value, disabled, checked });
  const text = document.createElement('span');
  text.textContent = label;
  wrap.append(input, text);
  if (meta) {
    const small = document.createElement('span');
    small.className = 'meta';
    small.textContent = meta;
    wrap.append(small);
  }
  return wrap;
}

function refill(fieldset, children) {
  const legend = fieldset.querySelector('legend');
  fieldset.replaceChildren(legend, ...children);
}

/** In standby mode everything is full by definition: the choice is a preference, so nothing is disabled. */
export function renderGroups(fieldset, groups, selected, standby) {
  refill(
    fieldset,
    groups.map((g) =>
      radio('groupCode', g.code, local(g.name), leftText(g.remaining), {
        disabled: !standby && g.remaining <= 0 && g.code !== selected,
        checked: g.code === selected,
      }),
    ),
  );
}

export function renderSites(select, sites, selected, standby) {
  const options = [option('', t('pickSite'), { disabled: true, selected: !selected })];
  for (const site of sites) {
    const left = leftText(site.remaining);
    options.push(
      option(site.id, left ? `${local(site.name)} (${left})` : local(site.name), {
        disabled: !standby && site.remaining === 0 && site.id !== selected,
        selected: site.id === selected,
      }),
    );
  }
  select.replaceChildren(...options);
}

/** Bangkok day → its slots in time order. */
export function slotsByDay(slots) {
  const days = new Map();
  for (const slot of [...slots].sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt))) {
    const key = bangkokDay(new Date(slot.startsAt));
    if (!days.has(key)) days.set(key, []);
    days.get(key).push(slot);
  }
  return days;
}

export function renderDays(select, days, selected, standby) {
  const options = [option('', t('pickDay'), { disabled: true, selected: !selected })];
  for (const [key, slots] of days) {
    const left = slots.reduce((sum, s) => sum + Math.max(0, s.remaining), 0);
    options.push(
      option(key, `${formatDay(new Date(slots[0].startsAt))} (${leftText(left)})`, {
        disabled: !standby && left === 0 && key !== selected,
        selected: key === selected,
      }),
    );
  }
  select.replaceChildren(...options);
  select.disabled = days.size === 0;
}

export function renderTimes(fieldset, slots, selected, standby) {
  refill(
    fieldset,
    slots.map((slot) => {
      const time = formatTime(new Date(slot.startsAt));
      return radio('slotId', slot.id, lang === 'th' ? `${time} น.` : time, leftText(slot.remaining), {
        disabled: !standby && slot.remaining <= 0,
        checked: slot.id === selected && (standby || slot.remaining > 0),
      });
    }),
  );
  fieldset.hidden = slots.length === 0;
}
