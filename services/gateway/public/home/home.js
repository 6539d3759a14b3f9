// The public landing page: the campaigns open for booking and coming up, with the doses left
// (from the booking worker's snapshot, GET /api/campaigns/:id) and the waiting room's own
// opening time and state (GET .../queue/state: ops may have moved the opening), the way into
// each queue and look-up, and how booking works. Both answers are cacheable for a few
// seconds, so the page can refresh itself without weighing on an opening-day surge.
import { $ } from '../shared/dom.js';
import { backoff, request, sleep } from '../shared/http.js';
import {
  formatNumber,
  formatTime,
  formatWhen,
  lang,
  languageSwitch,
  local,
  translate,
} from '../shared/i18n-core.js';
import { t } from './i18n.js';

const REFRESH_MS = 60_000;
/** Redraw right after an opening less than this far away, so the card turns "open" on time. */
const OPENING_WATCH_MS = 3_600_000;

let campaigns = null;
let loadedAt = null;
let timer = null;
let loading = false;

/** open | paused | soon | sold_out | closed: the room's word first, the snapshot's when the room is silent. */
function stateOf({ snapshot, room }, now) {
  if (snapshot.state === 'sold_out' || snapshot.state === 'closed') return snapshot.state;
  if (room) return room.state === 'prequeue' ? 'soon' : room.state;
  return Date.parse(snapshot.opensAt) > now ? 'soon' : 'open';
}

const ORDER = { open: 0, paused: 0, soon: 1, sold_out: 2, closed: 3 };

async function fetchCampaign(id) {
  const path = `/api/campaigns/${encodeURIComponent(id)}`;
  const [snapshot, room] = await Promise.all([
    request(path).catch((error) => (error.status === 404 ? null : Promise.reject(error))),
    request(`${path}/queue/state`).catch(() => null),
  ]);
  return snapshot && { snapshot, room };
}

async function load() {
  const { campaigns: ids } = await request('/api/campaigns');
  const found = (await Promise.all(ids.map(fetchCampaign))).filter(Boolean);
  const now = Date.now();
  return found
    .map((c) => ({ ...c, state: stateOf(c, now), opensAt: new Date(c.room?.opensAt ?? c.snapshot.opensAt) }))
    .sort((a, b) => ORDER[a.state] - ORDER[b.state] || a.opensAt - b.opensAt);
}

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  Object.assign(node, props);
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

function badgeText(c) {
  if (c.state === 'soon') return t('stateSoon', formatWhen(c.opensAt));
  return t(
    { open: 'stateOpen', paused: 'statePaused', sold_out: 'stateSoldOut', closed: 'stateClosed' }[c.state],
  );
}

function eligibilityText({ eligibility }) {
  const parts = [];
  if (eligibility.minAgeYears !== undefined) parts.push(t('ageFrom', eligibility.minAgeYears));
  if (eligibility.maxAgeYears !== undefined) parts.push(t('ageTo', eligibility.maxAgeYears));
  if (eligibility.provinceCode || eligibility.provinceOfResidence) {
    parts.push(t('registered', eligibility.provinceOfResidence));
  }
  return parts.join(', ');
}

function facts(pairs) {
  return el(
    'dl',
    {},
    ...pairs.flatMap(([label, value]) => (value ? [el('dt', {}, label), el('dd', {}, value)] : [])),
  );
}

function groupsList(snapshot) {
  if (!snapshot.groups.length) return null;
  const list = el('ul', { className: 'groups' });
  for (const g of snapshot.groups) {
    list.append(
      el(
        'li',
        {},
        el('span', {}, local(g.name)),
        el('span', {}, t('groupLeft', formatNumber(Math.max(0, g.remaining)), formatNumber(g.quota))),
      ),
    );
  }
  return el('details', {}, el('summary', {}, t('groupsTitle')), list);
}

function actions(c) {
  const id = encodeURIComponent(c.snapshot.id);
  const standby = c.state === 'sold_out' && c.snapshot.standbyCount < c.snapshot.standbySize;
  const joinKey =
    { open: 'join', paused: 'join', soon: 'joinEarly' }[c.state] ?? (standby ? 'joinStandby' : null);
  return el(
    'p',
    { className: 'actions' },
    joinKey
      ? el('a', { className: 'button join', href: `/queue/?campaign=${id}`, textContent: t(joinKey) })
      : null,
    el('a', { className: 'lookup', href: `/lookup/?campaign=${id}`, textContent: t('lookup') }),
  );
}

function card(c) {
  const { snapshot } = c;
  const left = Math.max(0, snapshot.remainingDoses);
  const standby = c.state === 'sold_out' && snapshot.standbyCount < snapshot.standbySize;
  const title = el('h3', { id: `c-${snapshot.id}`, textContent: local(snapshot.name) });
  const meter = el('meter', { min: 0, max: snapshot.totalDoses, value: left });
  meter.setAttribute('aria-label', t('dosesMeter', formatNumber(left), formatNumber(snapshot.totalDoses)));
  const item = el(
    'li',
    { className: `card campaign ${c.state}` },
    title,
    el('p', { className: `badge ${c.state}`, textContent: badgeText(c) }),
    el(
      'p',
      { className: 'doses' },
      el('strong', { className: 'doses-left', textContent: formatNumber(left) }),
      el('span', {}, `${t('dosesLeft')} ${t('dosesOf', formatNumber(snapshot.totalDoses))}`),
    ),
    meter,
    c.state === 'soon' ? el('p', { className: 'hint', textContent: t('prequeueHint') }) : null,
    standby ? el('p', { className: 'hint', textContent: t('standbyHint') }) : null,
    facts([
      // An upcoming opening is in the badge already.
      [t('opened'), c.state === 'soon' ? null : formatWhen(c.opensAt)],
      [t('vaccine'), snapshot.vaccine],
      [t('eligibility'), eligibilityText(snapshot)],
    ]),
    groupsList(snapshot),
    actions(c),
  );
  item.setAttribute('aria-labelledby', title.id);
  return item;
}

function render() {
  const list = $('campaign-list');
  list.setAttribute('aria-busy', String(campaigns === null));
  if (campaigns === null) return;
  list.replaceChildren(
    ...(campaigns.length ? campaigns.map(card) : [el('li', { className: 'card', textContent: t('none') })]),
  );
  $('updated').textContent = loadedAt ? t('updated', formatTime(loadedAt)) : '';
}

function redraw() {
  translate(t);
  document.title = t('pageTitle');
  render();
  if (!$('connection').hidden) $('connection').textContent = t('unavailable');
}

/** Loads, draws, and plans the next load: sooner for an opening due, later after failures. */
async function refresh() {
  clearTimeout(timer);
  if (loading) return; // a load, or its retries, is already under way
  loading = true;
  for (let attempt = 0; ; attempt++) {
    try {
      campaigns = await load();
      break;
    } catch (error) {
      $('connection').textContent = t('unavailable');
      $('connection').hidden = false;
      await sleep(backoff(attempt, error.retryAfterSeconds));
    }
  }
  loading = false;
  loadedAt = new Date();
  $('connection').hidden = true;
  render();
  const now = Date.now();
  const nextOpening = campaigns
    .filter((c) => c.state === 'soon' && c.opensAt - now < OPENING_WATCH_MS)
    .map((c) => c.opensAt - now + 1500);
  timer = setTimeout(() => void refresh(), Math.max(1000, Math.min(REFRESH_MS, ...nextOpening)));
}

await t.load(lang).catch(() => undefined); // Thai words stand in
languageSwitch($('lang'), t, redraw);
redraw();
void refresh();
// A tab in the background need not poll; coming back shows fresh figures.
document.addEventListener('visibilitychange', () => {
  if (document.hidden) clearTimeout(timer);
  else if (!loadedAt || Date.now() - loadedAt >= 5000) void refresh();
  else timer = setTimeout(() => void refresh(), REFRESH_MS);
});
