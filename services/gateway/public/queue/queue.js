// The resident's queue page: join once (proof-of-work), show the place, poll as the server
// asks, survive refreshes, extra tabs and flaky networks, then hand over to the booking form.
// API: docs/waiting-room.md. One tab (the leader, see ticket-store.js) joins and polls.
import { $, switchView } from '../shared/dom.js';
import { ApiError, backoff, jitter, loadCampaign, sleep, troubleOf } from '../shared/http.js';
import { formatNumber, lang, languageSwitch, showLocal } from '../shared/i18n-core.js';
import { api } from './api.js';
import { applyLang, formatClock, formatCountdown, formatWait, t } from './i18n.js';
import { solve } from './pow.js';
import { TicketStore } from './ticket-store.js';

const FINAL_STATES = new Set(['sold_out', 'closed', 'expired']);
const VIEW_OF_STATE = {
  prequeue: 'queue',
  waiting: 'queue',
  admitted: 'admitted',
  sold_out: 'sold-out',
  closed: 'closed',
  expired: 'expired',
};
const ANNOUNCE_EVERY_MS = 20_000;
/** How often the leader peeks at the public room state while the next status poll is far off. */
const PEEK_SECONDS = 10;

const campaignId = new URLSearchParams(location.search).get('campaign');
const accessKey = `khiw:access:${campaignId}`;
const bookingUrl = `/book/?campaign=${encodeURIComponent(campaignId ?? '')}`;

let campaign = null;
let record = null; // { ticket, queueNumber, firstPosition, status, statusAt }
let store = null;
let leader = false;
let pollTimer = 0;
let peekTimer = 0;
let failures = 0;
let connection = ''; // '' | 'reconnecting' | 'busy'
let lastAnnounce = { at: 0, state: '' };
let announceTimer = 0;
let accessToken = ''; // in memory; sessionStorage of the tab that continues

function showConnection(kind) {
  connection = kind;
  const el = $('connection');
  el.hidden = !kind;
  el.textContent = kind ? t(kind) : '';
}

function showError(text) {
  $('error-text').textContent = text;
  switchView('error');
}

/** A new state is read out at once; position changes at most every ANNOUNCE_EVERY_MS (the latest wins). */
function announce(text, state) {
  clearTimeout(announceTimer);
  const wait = lastAnnounce.at + ANNOUNCE_EVERY_MS - Date.now();
  if (state === lastAnnounce.state && wait > 0) {
    announceTimer = setTimeout(() => announce(text, state), wait);
    return;
  }
  lastAnnounce = { at: Date.now(), state };
  if ($('announce').textContent !== text) $('announce').textContent = text;
}

function opensAt() {
  const iso = record?.status?.opensAt ?? campaign?.opensAt;
  return iso ? new Date(iso) : null;
}

function renderCountdown() {
  const at = opensAt();
  const show = record?.status?.state === 'prequeue' && at;
  $('countdown-row').hidden = !show;
  if (!show) return;
  const left = at.getTime() - Date.now();
  $('countdown').textContent = left > 0 ? formatCountdown(left) : t('opening');
}

function renderQueue(status) {
  const prequeue = status.state === 'prequeue';
  const { position, aheadCount, estimatedWaitSeconds: wait } = status;
  $('queue-title').textContent = t(prequeue ? 'prequeueTitle' : 'waitingTitle');
  $('prequeue-text').hidden = !prequeue;
  $('paused-note').hidden = !status.paused || prequeue;
  $('queue-number').textContent = record.queueNumber ? formatNumber(record.queueNumber) : '–';
  $('position').textContent = formatNumber(position);
  $('ahead').textContent = typeof aheadCount === 'number' ? t('people', formatNumber(aheadCount)) : '–';
  // While paused nothing moves: an estimate from the last minutes' pace would mislead.
  $('wait').textContent = formatWait(status.paused ? null : wait);
  const first = record.firstPosition;
  $('progress').value =
    first && position ? Math.max(0, Math.min(100, ((first - position) / first) * 100)) : 0;
  $('updated').textContent = record.statusAt ? t('updated', formatClock(new Date(record.statusAt))) : '';
  renderCountdown();
  document.title = `${position ? `(${formatNumber(position)}) ` : ''}${t('title')} · khiw`;
  if (!prequeue && position) {
    announce(t('announce', formatNumber(position), formatNumber(aheadCount), formatWait(wait)), status.state);
  }
}

function renderEnd(view, status) {
  document.title = `${t('title')} · khiw`;
  announce($(`view-${view}`).querySelector('h2').textContent, status.state);
  if (view === 'admitted') {
    $('continue').href = bookingUrl;
    const until = status.accessExpiresAt;
    $('admitted-expiry').hidden = !until;
    if (until)
      $('admitted-expiry').textContent = t(
        'admittedUntil',
        formatClock(new Date(until)),
        status.maxBookings ?? 5,
      );
  }
  if (view === 'sold-out') {
    const standby = Boolean(status.standbyOffered);
    $('standby-text').hidden = !standby;
    // An admitted resident's token, or the standby token a sold-out answer carries.
    $('standby-action').hidden = !(standby && (accessToken || sessionStorage.getItem(accessKey)));
    $('standby-link').href = `${bookingUrl}&standby=1`;
  }
}

function render() {
  applyLang();
  showLocal($('campaign-name'), campaign?.name);
  if (connection) showConnection(connection);
  const status = record?.status;
  if (!status) return;
  const view = VIEW_OF_STATE[status.state] ?? 'queue';
  switchView(view);
  if (view === 'queue') renderQueue(status);
  else renderEnd(view, status);
}

/** Takes a new record (from this tab's poll or another tab's broadcast) and shows it. */
function accept(next, token) {
  if (!next) return;
  if (record && next.ticket === record.ticket && (next.statusAt ?? 0) < (record.statusAt ?? 0)) return;
  record = next;
  if (token) {
    accessToken = token;
    try {
      sessionStorage.setItem(accessKey, token);
    } catch {
      // The hand-over link still works in this tab while the page is open.
    }
  }
  render();
}

/** The answer without its tokens: the record is stored in localStorage. */
function statusFields(answer) {
  const { ticket: _ticket, accessToken: _token, standbyAccessToken: _standby, ...rest } = answer;
  return rest;
}

/** The token the booking form accepts: admission, or after sell-out a standby place. */
const tokenOf = (answer) => answer.accessToken ?? answer.standbyAccessToken;

function recordFrom(previous, answer) {
  const next = { ...previous, status: statusFields(answer), statusAt: Date.now() };
  if (answer.ticket) next.ticket = answer.ticket; // drawn at opening, or renewed
  if (answer.queueNumber) next.queueNumber = answer.queueNumber;
  if (!next.firstPosition && answer.state === 'waiting' && answer.position)
    next.firstPosition = answer.position;
  return next;
}

async function proofOfWork(challenge, difficulty) {
  if (!difficulty) return '0';
  if (typeof Worker === 'function') {
    try {
      const worker = new Worker(new URL('./pow-worker.js', import.meta.url), { type: 'module' });
      const answer = await new Promise((resolve, reject) => {
        worker.onmessage = (event) =>
          event.data.error ? reject(new Error(event.data.error)) : resolve(event.data.nonce);
        worker.onerror = reject;
        worker.postMessage({ challenge, difficulty });
      });
      worker.terminate();
      return answer;
    } catch {
      // Fall through to the main thread (the solver yields between batches).
    }
  }
  return solve(challenge, difficulty);
}

/**
 * Joins once for every tab: under the join lock, a ticket another tab just got wins.
 * `replacing` (an expired ticket) is sent along: the gateway gives the same place while it
 * lasts and a new one at the back once it has gone.
 */
function join(replacing) {
  return store.exclusive('join', async () => {
    const existing = store.read();
    if (existing?.ticket && existing.ticket !== replacing) return accept(existing);
    switchView('joining');
    for (let attempt = 0; ; attempt++) {
      try {
        const challenge = await api.challenge(campaignId);
        const nonce = await proofOfWork(challenge.challenge, challenge.difficulty);
        const joined = await api.join(campaignId, { challenge: challenge.challenge, nonce }, replacing);
        showConnection('');
        const next = recordFrom({ ticket: joined.ticket, firstPosition: undefined }, joined);
        // Sold out or closed before we got a ticket: shown in every tab, never stored.
        if (!joined.ticket) store.broadcast(next);
        else store.save(next, tokenOf(joined));
        return accept(next, tokenOf(joined));
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        if (error.retriable) {
          showConnection(troubleOf(error));
          await sleep(backoff(attempt, error.retryAfterSeconds));
          continue;
        }
        // A used or expired challenge: a fresh one, a few times.
        if (error.status === 400 && attempt < 3) continue;
        if (error.status === 409)
          return accept({ ticket: null, status: { state: 'closed' }, statusAt: Date.now() });
        return showError(error.problem?.message?.[lang] ?? t('noCampaign'));
      }
    }
  });
}

function schedulePoll(ms) {
  clearTimeout(pollTimer);
  pollTimer = setTimeout(poll, ms);
  clearTimeout(peekTimer);
  if (leader && ms > (PEEK_SECONDS + 2) * 1000 && record?.status?.state === 'waiting') {
    peekTimer = setTimeout(peek, jitter(PEEK_SECONDS));
  }
}

/** One status request; only the leader schedules the next one. */
async function poll() {
  const current = store.read() ?? record;
  if (!current?.ticket) return;
  try {
    const answer = await api.status(current.ticket);
    failures = 0;
    showConnection('');
    const next = recordFrom(current, answer);
    store.save(next, tokenOf(answer));
    accept(next, tokenOf(answer));
    if (leader && !FINAL_STATES.has(answer.state)) schedulePoll(jitter(answer.pollAfterSeconds ?? 5));
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (error.status === 401 || error.status === 403) {
      // The ticket is no longer honoured (expired, unknown after a reset, retired key): offer
      // a new place; the old ticket stays until the resident asks for one.
      const next = { ...current, status: { state: 'expired' }, statusAt: Date.now() };
      store.save(next);
      return accept(next);
    }
    failures++;
    showConnection(troubleOf(error));
    if (leader) schedulePoll(backoff(failures, error.retryAfterSeconds));
  }
}

/**
 * Between far-apart polls, the public (CDN-cacheable) room state moves the position
 * (queue number − serving counter) and the estimate; when the room starts or stops moving,
 * or our number comes up, the status poll comes forward.
 */
async function peek() {
  const before = record?.status;
  if (!leader || before?.state !== 'waiting' || !record.queueNumber) return;
  try {
    const room = await api.roomState(campaignId);
    const moving = room.state === 'open' && room.outflowPerMinute > 0;
    const wasMoving = !before.paused && before.estimatedWaitSeconds !== null;
    if (room.state !== 'open' && room.state !== 'paused') return schedulePoll(Math.random() * 2000);
    if (room.servingNumber >= record.queueNumber || moving !== wasMoving)
      return schedulePoll(Math.random() * 2000);
    if (room.servingNumber > (before.servingNumber ?? 0)) {
      const position = Math.max(1, record.queueNumber - room.servingNumber);
      const perSecond = room.admissionsPerMinute / 60;
      const wait = perSecond > 0 ? Math.ceil(((position - 1) * (1 - room.awayShare) + 1) / perSecond) : null;
      const status = { ...before, position, aheadCount: position - 1, servingNumber: room.servingNumber };
      status.paused = room.state === 'paused';
      const next = { ...record, status: { ...status, estimatedWaitSeconds: wait }, statusAt: Date.now() };
      store.save(next);
      accept(next);
    }
  } catch {
    // Connection trouble shows through the status poll; a peek is only a bonus.
  }
  peekTimer = setTimeout(peek, jitter(PEEK_SECONDS));
}

function becomeLeader() {
  leader = true;
  const existing = store.read();
  if (existing?.ticket && !FINAL_STATES.has(existing.status?.state)) schedulePoll(0);
  else if (!existing) void join().then(pollAfterJoin);
}

function pollAfterJoin() {
  const status = record?.status;
  if (leader && record?.ticket && !FINAL_STATES.has(status?.state))
    schedulePoll(jitter(status.pollAfterSeconds ?? 5));
}

/** A tab that is not the poller still asks once if the leader went quiet (e.g. throttled in the background). */
function watchLeader() {
  setInterval(() => {
    renderCountdown();
    if (leader || !record?.ticket || FINAL_STATES.has(record.status?.state)) return;
    const quietFor = Date.now() - (record.statusAt ?? 0);
    if (quietFor > Math.max(30_000, 3000 * (record.status?.pollAfterSeconds ?? 5))) {
      record = { ...record, statusAt: Date.now() };
      void poll();
    }
  }, 1000);
}

async function main() {
  await t.load(lang).catch(() => undefined); // Thai words stand in
  languageSwitch($('lang'), t, render);
  render();
  if (!campaignId) return showError(t('noCampaign'));
  store = new TicketStore(campaignId, (next, token) => {
    const previousTicket = record?.ticket;
    accept(next, token);
    // Another tab rejoined: the poller follows the new ticket.
    if (leader && next?.ticket && next.ticket !== previousTicket && !FINAL_STATES.has(next.status?.state)) {
      schedulePoll(jitter(next.status?.pollAfterSeconds ?? 5));
    }
  });
  record = store.read();
  if (record) render();
  else switchView('joining');
  campaign = await loadCampaign(campaignId, showConnection);
  if (!campaign) return showError(t('noCampaign'));
  render();
  for (const id of ['continue', 'standby-link']) {
    $(id).addEventListener('click', () => {
      // The token may have come from another tab's poll: this tab must carry it to the form.
      if (accessToken) sessionStorage.setItem(accessKey, accessToken);
    });
  }
  $('rejoin').addEventListener('click', async () => {
    await join(record?.ticket ?? undefined);
    pollAfterJoin();
  });
  store.lead(becomeLeader);
  watchLeader();
}

void main();
