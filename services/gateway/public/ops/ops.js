// The ops console: one campaign's live figures, the last 30 minutes, the controls and the
// audit log. The ops token (minted by ./khiw or mint-token) stays in this tab only
// (sessionStorage); it may arrive as #token=..., removed from the address bar at once.
// Signing in also sets the HttpOnly cookie that lets /ops/queues (bull-board) in.
import { $ } from '../shared/dom.js';
import { request } from '../shared/http.js';
import { lang, languageButton, local } from '../shared/i18n-core.js';
import { renderChannelDays } from './channels.js';
import { clearHistory, renderHistory } from './charts.js';
import { Controls } from './controls.js';
import { clock } from './format.js';
import { applyLang, t } from './i18n.js';
import { renderAudit, renderOverview } from './panels.js';
import { Poller } from './poller.js';

const TOKEN_KEY = 'khiw.opsToken';
const HISTORY_EVERY_MS = 10_000;
const CAMPAIGNS_EVERY_MS = 5_000;
const CHANNEL_DAYS_EVERY_MS = 60_000;

let overview = null; // the answer on screen
let lastAnswerAt = null; // when the server wrote it (its `at`)
let failing = false;
let campaigns = []; // [{id, name}]

const token = () => sessionStorage.getItem(TOKEN_KEY) ?? '';
const api = (path, options = {}) => request(path, { ...options, token: token() });
const campaignId = () => $('campaign').value;

/** The token's claims, read without checking (the gateway checks): who to greet. */
function claimsOf(jwt) {
  try {
    const base64 = jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))));
  } catch {
    return {};
  }
}

const tokenRefused = (error) => error?.status === 401 || error?.status === 403;

const overviewPoll = new Poller({
  load: (id) => api(`/api/admin/ops/overview?campaignId=${encodeURIComponent(id)}`),
  onAnswer: (answer) => {
    overview = answer;
    lastAnswerAt = answer.at ? new Date(answer.at) : new Date();
    failing = false;
    $('console-error').hidden = true;
    drawOverview();
  },
  onFailure: (error) => {
    if (tokenRefused(error)) {
      signOut(t('signedOut'));
      return true;
    }
    failing = true;
    // "No" from the server (a campaign that is gone): say so, and keep asking slowly.
    if (error?.status >= 400 && error.status < 500) {
      $('console-error').hidden = false;
      $('console-error').textContent = local(error.problem?.message) || t('error');
    }
    drawFreshness();
    return false;
  },
  pace: (answer) => answer.pollAfterMs,
});

// Places per site, day and channel come from the roster, a heavier count: once a minute.
const channelDaysPoll = new Poller({
  load: (id) => api(`/api/admin/campaigns/${encodeURIComponent(id)}/roster/counts`),
  onAnswer: (answer) => renderChannelDays(answer),
  onFailure: (error) => tokenRefused(error),
  pace: () => CHANNEL_DAYS_EVERY_MS,
});

const historyPoll = new Poller({
  load: (id) => api(`/api/admin/ops/history?campaignId=${encodeURIComponent(id)}`),
  onAnswer: (answer) => renderHistory(answer),
  // A refused token is the overview poll's to handle; history just stops.
  onFailure: (error) => tokenRefused(error),
  pace: () => HISTORY_EVERY_MS,
});

const controls = new Controls({
  api,
  overview: () => overview,
  campaignId,
  changed: () => overviewPoll.now(),
});

function drawFreshness() {
  const updated = $('updated');
  updated.textContent = lastAnswerAt ? t('updated', clock(lastAnswerAt)) : '';
  updated.dataset.at = lastAnswerAt ? lastAnswerAt.toISOString() : '';
  $('stale').hidden = !failing;
  $('stale').textContent = lastAnswerAt ? t('stale', clock(lastAnswerAt)) : t('staleNever');
  $('panels').classList.toggle('is-stale', failing);
}

function drawOverview() {
  if (overview) {
    renderOverview(overview);
    controls.update(overview);
  }
  drawFreshness();
}

function drawCampaigns() {
  const select = $('campaign');
  const chosen = select.value;
  if (campaigns.length === 0) {
    const option = new Option(t('noCampaigns'), '');
    option.disabled = true;
    select.replaceChildren(option);
    return;
  }
  select.replaceChildren(
    ...campaigns.map((c) => new Option(c.name ? `${local(c.name)} · ${c.id}` : c.id, c.id)),
  );
  if (chosen) select.value = chosen;
}

function apply() {
  applyLang();
  const me = claimsOf(token());
  $('who').textContent = me.sub ? `${me.sub} · ${me.role ?? ''}` : '';
  drawCampaigns();
  drawOverview();
  renderHistory();
}

/** The campaigns the gateway knows, with their names (the list answers ids only). */
async function loadCampaigns() {
  const { campaigns: ids = [] } = await api('/api/campaigns');
  const named = await Promise.all(
    ids.map(async (id) => {
      try {
        return { id, name: (await request(`/api/campaigns/${encodeURIComponent(id)}`)).name };
      } catch {
        return { id, name: null };
      }
    }),
  );
  campaigns = named;
  drawCampaigns();
}

/** Watches the chosen campaign from scratch: nothing of the previous one stays on screen. */
function watch() {
  const id = campaignId();
  const url = new URL(location.href);
  if (id) url.searchParams.set('campaign', id);
  else url.searchParams.delete('campaign');
  history.replaceState(null, '', url);
  overview = null;
  lastAnswerAt = null;
  failing = false;
  controls.reset();
  clearHistory();
  renderAudit([]);
  drawFreshness();
  renderChannelDays(null);
  if (!id) {
    overviewPoll.stop();
    historyPoll.stop();
    channelDaysPoll.stop();
    return;
  }
  overviewPoll.start(id);
  historyPoll.start(id);
  channelDaysPoll.start(id);
}

function showSignIn(message) {
  overviewPoll.stop();
  historyPoll.stop();
  channelDaysPoll.stop();
  $('console').hidden = true;
  $('queues-link').hidden = true;
  $('sign-out').hidden = true;
  $('sign-in').hidden = false;
  $('sign-in-error').hidden = !message;
  $('sign-in-error').textContent = message ?? '';
  $('who').textContent = '';
  $('token').focus();
}

function signOut(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  // bull-board's cookie goes too (HttpOnly: only the gateway can drop it).
  request('/api/admin/ops/session', { method: 'DELETE' }).catch(() => undefined);
  overview = null;
  showSignIn(message);
}

/** Why the gateway refused the token, in words an operator can act on. */
function refusal(error) {
  if (error?.status === 403) return t('notOps', claimsOf(token()).role ?? 'staff');
  if (error?.status === 401) return t('badToken');
  return local(error?.problem?.message) || t('error');
}

async function signIn() {
  try {
    // Checks the token is an ops token and hands bull-board its cookie (Path=/ops).
    await api('/api/admin/ops/session', { method: 'POST' });
  } catch (error) {
    const message = refusal(error);
    sessionStorage.removeItem(TOKEN_KEY);
    showSignIn(message);
    return;
  }
  $('sign-in').hidden = true;
  $('console').hidden = false;
  $('queues-link').hidden = false;
  $('sign-out').hidden = false;
  apply();
  try {
    await loadCampaigns();
  } catch (error) {
    if (tokenRefused(error)) return signOut(refusal(error));
    $('console-error').hidden = false;
    $('console-error').textContent = local(error?.problem?.message) || t('error');
  }
  const wanted = new URLSearchParams(location.search).get('campaign');
  if (wanted && campaigns.some((c) => c.id === wanted)) $('campaign').value = wanted;
  watch();
  if (campaigns.length === 0) waitForCampaigns();
}

/** Nothing loaded yet (a fresh start): look again now and then until a campaign appears. */
function waitForCampaigns() {
  setTimeout(async () => {
    if (!token() || $('console').hidden) return;
    await loadCampaigns().catch(() => undefined);
    if (campaigns.length === 0) return waitForCampaigns();
    watch();
  }, CAMPAIGNS_EVERY_MS);
}

const fromHash = new URLSearchParams(location.hash.slice(1)).get('token');
if (fromHash) {
  sessionStorage.setItem(TOKEN_KEY, fromHash);
  history.replaceState(null, '', location.pathname + location.search);
}
$('sign-in').addEventListener('submit', (event) => {
  event.preventDefault();
  sessionStorage.setItem(TOKEN_KEY, $('token').value.trim());
  $('token').value = '';
  signIn();
});
$('sign-out').addEventListener('click', () => signOut());
$('campaign').addEventListener('change', watch);
languageButton($('lang'), t, apply);

await t.load(lang).catch(() => undefined); // Thai words stand in
apply();
if (token()) signIn();
else showSignIn();
