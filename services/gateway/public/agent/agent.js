// A call-centre agent or a walk-in counter clerk books for the person on the line or at the
// desk. The agent token stays in this tab only (sessionStorage); it may arrive in the address
// as #token=..., which is removed from the address bar at once. A token that names a
// campaign opens it; otherwise the agent picks one.
import { $ } from '../shared/dom.js';
import { fetchCampaign, loadCampaign, request } from '../shared/http.js';
import { languageButton, local } from '../shared/i18n-core.js';
import { api, desk, dropToken, onRefreshMe, setToken, siteOf, token } from './desk.js';
import { clearForNext, renderEntry, resetEntry, wireEntry } from './entry.js';
import { applyLang, t } from './i18n.js';
import { renderResults, wireSearch } from './search.js';

const params = new URLSearchParams(location.search);

function renderHeader() {
  const { me } = desk;
  if (!me) return;
  const site = me.site ? local(siteOf(me.site)?.name) || me.site : '';
  $('who').textContent = [me.subject, me.channel ? t(me.channel) : '', site].filter(Boolean).join(' · ');
  const today = me.today;
  $('today').textContent = today ? t('today', today.entered, today.active) : '';
}

function apply() {
  applyLang();
  renderHeader();
  if (desk.campaign) {
    $('campaign-name').textContent = local(desk.campaign.name);
    document.title = `${t('title')} · ${local(desk.campaign.name)} · khiw`;
    renderEntry();
    renderResults();
  }
}

// The roster counts a booking once its event has come through Kafka (a second or so): read
// now, and again shortly, so the count catches up without the agent reloading.
let followUp = 0;
async function readMe() {
  try {
    const query = desk.campaignId ? `?campaignId=${encodeURIComponent(desk.campaignId)}` : '';
    desk.me = await api(`/api/agent/me${query}`);
    renderHeader();
  } catch {
    // The count is a convenience: the next booking reads it again.
  }
}
// The groups' and sites' places left move with every booking: the snapshot is read again too.
async function readCampaign() {
  try {
    desk.campaign = await fetchCampaign(desk.campaignId);
    renderEntry();
  } catch {
    // The last one read still serves; the worker has the last word on places.
  }
}
onRefreshMe(() => {
  void readMe();
  void readCampaign();
  clearTimeout(followUp);
  followUp = setTimeout(() => void readMe(), 2500);
});

async function openCampaign(id) {
  $('pick-error').hidden = true;
  const campaign = await loadCampaign(id, () => undefined);
  if (!campaign) {
    if (!desk.me.campaign) await showPicker();
    $('pick-error').hidden = false;
    $('pick-error').textContent = t('noCampaign');
    return;
  }
  if (desk.campaignId !== id) resetEntry();
  desk.campaignId = id;
  desk.campaign = campaign;
  const url = new URL(location.href);
  url.searchParams.set('campaign', id);
  history.replaceState(null, '', url);
  // A token bound to a campaign has nothing to pick; otherwise the header can switch.
  if (!desk.me.campaign) await showPicker(id);
  await readMe();
  apply();
  // Shown once the header names the counter's site and the form has the campaign's choices.
  $('desk').hidden = false;
  await clearForNext({ reloadSlots: true });
}

async function showPicker(current = '') {
  const { campaigns = [] } = await request('/api/campaigns').catch(() => ({}));
  const select = $('campaign');
  const first = new Option(t('pickCampaign'), '', !current, !current);
  first.disabled = true;
  const ids = current && !campaigns.includes(current) ? [current, ...campaigns] : campaigns;
  select.replaceChildren(first, ...ids.map((id) => new Option(id, id, false, id === current)));
  $('pick').hidden = false;
  if (!current) select.focus();
}

async function signIn(event) {
  event?.preventDefault();
  $('sign-in-error').hidden = true;
  try {
    desk.me = await api('/api/agent/me');
  } catch {
    dropToken();
    $('sign-in').hidden = false;
    if (event) {
      $('sign-in-error').hidden = false;
      $('sign-in-error').textContent = t('badToken');
    }
    return;
  }
  $('sign-in').hidden = true;
  renderHeader();
  const wanted = desk.me.campaign ?? params.get('campaign');
  if (wanted) return openCampaign(wanted);
  await showPicker();
}

const fromHash = new URLSearchParams(location.hash.slice(1)).get('token');
if (fromHash) {
  setToken(fromHash);
  history.replaceState(null, '', location.pathname + location.search);
}
$('sign-in').addEventListener('submit', (event) => {
  setToken($('token').value.trim());
  void signIn(event);
});
$('pick').addEventListener('submit', (event) => {
  event.preventDefault();
  if ($('campaign').value) void openCampaign($('campaign').value);
});
wireEntry();
wireSearch();
languageButton($('lang'), t, apply);
apply();
if (token()) void signIn();
else {
  $('sign-in').hidden = false;
  $('token').focus();
}
