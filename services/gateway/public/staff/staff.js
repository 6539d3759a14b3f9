// Site staff: the day's roster per time slot, search, check-in, CSV export. The staff token
// (minted by ops, scoped to one site) stays in this tab only (sessionStorage); it may arrive
// in the address as #token=..., which is removed from the address bar at once.
import { $ } from '../shared/dom.js';
import { request } from '../shared/http.js';
import { bangkokDay, formatTime, languageButton, local } from '../shared/i18n-core.js';
import { applyLang, t } from './i18n.js';

const TOKEN_KEY = 'khiw.staffToken';
const params = new URLSearchParams(location.search);
let me = null;
let view = null; // { kind: 'day', data } | { kind: 'search', data }

const token = () => sessionStorage.getItem(TOKEN_KEY) ?? '';
const api = (path, options = {}) => request(path, { ...options, token: token() });

function apply() {
  applyLang();
  if (me) $('who').textContent = `${me.subject}${me.site ? ` · ${me.site}` : ''}`;
  render();
}

function scopeQuery() {
  return me?.role === 'ops' ? `&site=${encodeURIComponent($('site').value.trim())}` : '';
}
const campaignPath = () => `/api/staff/campaigns/${encodeURIComponent($('campaign').value.trim())}`;

function showError(error) {
  $('error').hidden = false;
  $('error').textContent = local(error?.problem?.message) || t('error');
}

let asked = 0;
/** Shows the answer of the latest ask only: a slow earlier answer never replaces a newer view. */
async function show(kind, path) {
  const mine = ++asked;
  $('error').hidden = true;
  try {
    const data = await api(path);
    if (mine !== asked) return;
    view = { kind, data };
    render();
  } catch (error) {
    if (mine === asked) showError(error);
  }
}

function load(event) {
  event?.preventDefault();
  const url = new URL(location.href);
  url.searchParams.set('campaign', $('campaign').value.trim());
  url.searchParams.set('date', $('date').value);
  history.replaceState(null, '', url);
  return show('day', `${campaignPath()}/roster?date=${$('date').value}${scopeQuery()}`);
}

function search(event) {
  event.preventDefault();
  const q = $('q').value.trim();
  if (!q) return load();
  return show('search', `${campaignPath()}/roster?q=${encodeURIComponent(q)}${scopeQuery()}`);
}

function statusText(entry) {
  if (entry.status === 'checked_in') return t('checkedIn', formatTime(new Date(entry.checkedInAt)));
  if (entry.status === 'cancelled') return t('cancelled');
  return t('booked');
}

function table(entries, withDate) {
  const table = document.createElement('table');
  const head = table.createTHead().insertRow();
  const cols = [
    ['name', ''],
    ['reference', ''],
    ['citizenId', 'hide-narrow'],
    ['birthDate', 'hide-narrow'],
    ['group', 'hide-narrow'],
    ['status', ''],
    ['action', ''],
  ];
  for (const [key, cls] of cols) {
    const th = document.createElement('th');
    th.textContent = t(key);
    th.scope = 'col';
    if (cls) th.className = cls;
    head.append(th);
  }
  const tbody = table.createTBody();
  for (const e of entries) {
    const row = tbody.insertRow();
    row.className = e.status;
    row.dataset.booking = e.bookingId;
    const name = `${e.firstName} ${e.lastName}`;
    const when = withDate ? ` (${bangkokDay(new Date(e.startsAt))} ${formatTime(new Date(e.startsAt))})` : '';
    const cells = [
      [name + when, ''],
      [e.reference, ''],
      [e.citizenId, 'hide-narrow'],
      [e.birthDate, 'hide-narrow'],
      [e.groupCode, 'hide-narrow'],
      [statusText(e), `status-${e.status}`],
    ];
    for (const [text, cls] of cells) {
      const td = row.insertCell();
      td.textContent = text;
      if (cls) td.className = cls;
    }
    const action = row.insertCell();
    if (e.status !== 'cancelled' && e.status !== 'checked_in') {
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = t('checkIn');
      button.setAttribute('aria-label', `${t('checkIn')} ${name}`);
      button.addEventListener('click', () => checkIn(e, button));
      action.append(button);
    }
  }
  return table;
}

function render() {
  const list = $('list');
  list.replaceChildren();
  $('totals').textContent = '';
  if (!view) return;
  if (view.kind === 'search') {
    const { matches } = view.data;
    $('totals').textContent = matches.length ? t('matches', matches.length) : t('noMatch');
    if (matches.length) list.append(table(matches, true));
    return;
  }
  const { totals, slots } = view.data;
  $('totals').textContent =
    `${t('on', view.data.date)} · ${t('totals', totals.booked, totals.checkedIn, totals.cancelled)}`;
  if (slots.length === 0) {
    list.append(Object.assign(document.createElement('p'), { textContent: t('empty') }));
    return;
  }
  for (const slot of slots) {
    const section = document.createElement('section');
    section.className = 'slot';
    const h2 = document.createElement('h2');
    h2.textContent = t('slot', formatTime(new Date(slot.startsAt)), slot.booked, slot.checkedIn);
    section.append(h2, table(slot.entries, false));
    list.append(section);
  }
}

async function checkIn(entry, button) {
  button.disabled = true;
  $('error').hidden = true;
  try {
    const answer = await api(`${campaignPath()}/bookings/${entry.bookingId}/check-in`, {
      method: 'POST',
      body: me.role === 'ops' ? { site: $('site').value.trim() } : {},
    });
    entry.status = 'checked_in';
    entry.checkedInAt = answer.checkedInAt;
    if (view.kind === 'day') {
      const slot = view.data.slots.find((s) => s.entries.includes(entry));
      if (slot) slot.checkedIn++;
      view.data.totals.checkedIn++;
    }
    render();
    $('announce').textContent = t('announceCheckIn', `${entry.firstName} ${entry.lastName}`);
  } catch (error) {
    button.disabled = false;
    showError(error);
  }
}

async function exportCsv() {
  $('error').hidden = true;
  try {
    const blob = await api(`${campaignPath()}/roster.csv?date=${$('date').value}${scopeQuery()}`, {
      as: 'blob',
    });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `roster-${me.site ?? $('site').value.trim()}-${$('date').value}.csv`;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  } catch (error) {
    showError(error);
  }
}

async function signIn(event) {
  event?.preventDefault();
  $('sign-in-error').hidden = true;
  try {
    me = await api('/api/staff/me');
  } catch {
    sessionStorage.removeItem(TOKEN_KEY);
    $('sign-in').hidden = false;
    $('desk').hidden = true;
    if (event) {
      $('sign-in-error').hidden = false;
      $('sign-in-error').textContent = t('badToken');
    }
    return;
  }
  $('sign-in').hidden = true;
  $('desk').hidden = false;
  $('site-field').hidden = me.role !== 'ops';
  apply();
  if ($('campaign').value) await load();
  else $('campaign').focus();
}

const fromHash = new URLSearchParams(location.hash.slice(1)).get('token');
if (fromHash) {
  sessionStorage.setItem(TOKEN_KEY, fromHash);
  history.replaceState(null, '', location.pathname + location.search);
}
$('campaign').value = params.get('campaign') ?? '';
$('site').value = params.get('site') ?? '';
$('date').value = params.get('date') ?? bangkokDay(new Date());
$('sign-in').addEventListener('submit', (event) => {
  sessionStorage.setItem(TOKEN_KEY, $('token').value.trim());
  signIn(event);
});
$('pick').addEventListener('submit', load);
$('search-form').addEventListener('submit', search);
$('export').addEventListener('click', exportCsv);
languageButton($('lang'), t, apply);
apply();
if (token()) signIn();
else $('sign-in').hidden = false;
