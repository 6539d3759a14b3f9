// The outcome (booked, standby or refused), then the next family member while the token allows.
import { $, facts } from '../shared/dom.js';
import { fetchCampaign, request } from '../shared/http.js';
import { formatWhen, local } from '../shared/i18n-core.js';
import { goChoose, reloadChosenSlots } from './choose-step.js';
import {
  announce,
  clearErrors,
  drawView,
  form,
  peopleLeft,
  save,
  session,
  siteOf,
  tokenUsable,
} from './form.js';
import { reasonText, t } from './i18n.js';
import { fillPerson } from './person-step.js';

function line(text, className) {
  const p = document.createElement('p');
  p.textContent = text;
  if (className) p.className = className;
  return p;
}

const soldOut = (result) => result.reason === 'SOLD_OUT' || result.reason === 'CAMPAIGN_CLOSED';

// Issue 14: the active place goes back to the queue once the resident is done (the gateway
// also frees it a short grace after each booking). Its words live here, with the code that
// shows them, while another change owns i18n.js.
const RELEASE_WORDS = {
  done: { th: 'จองเสร็จแล้ว คืนสิทธิ์ให้ผู้รอคิวคนถัดไป', en: 'I am done: give my place to the next person' },
  released: {
    th: 'คืนสิทธิ์เข้าจองแล้ว ผู้ที่รอคิวคนถัดไปได้เข้าจองแทน ขอบคุณที่ช่วยให้คิวเดินเร็วขึ้น',
    en: 'Your place has gone to the next person in the queue. Thank you for helping the queue move.',
  },
};
const releasedKey = () => `khiw:released:${form.campaignId}`;

/** Whether this token's place was handed back (this tab; a reload keeps it). */
function placeReleased() {
  try {
    return Boolean(form.token) && sessionStorage.getItem(releasedKey()) === form.token;
  } catch {
    return false;
  }
}

/**
 * `POST /api/queue/release` (idempotent, 204). Best effort: if it fails, the grace after the
 * last booking frees the place anyway. A retry of a person already submitted still works.
 * Not sent on pagehide (sendBeacon): a reload fires it too, and a reload must keep the place.
 */
async function releasePlace() {
  if (!form.token || placeReleased()) return;
  try {
    sessionStorage.setItem(releasedKey(), form.token);
  } catch {
    // Storage blocked: the call below is idempotent.
  }
  await request('/api/queue/release', {
    method: 'POST',
    token: form.token,
    body: { campaignId: form.campaignId },
    idempotent: true,
    timeoutMs: 5000,
  }).catch(() => undefined);
}

function outcomeTitle(result) {
  if (result.status === 'confirmed') return t('confirmedTitle');
  if (result.status === 'standby') return t('standbyTitle');
  return t(soldOut(result) ? 'soldOutTitle' : 'rejectedTitle');
}

function confirmedBody(result) {
  const booking = result.booking ?? {};
  const site = booking.siteName ? local(booking.siteName) : local(siteOf(booking.siteId)?.name);
  const summary = facts([
    [t('reference'), booking.reference ?? ''],
    [t('name'), result.name],
    [t('site'), site],
    [t('when'), formatWhen(new Date(booking.startsAt ?? result.startsAt))],
  ]);
  const reference = summary.querySelector('dd');
  reference.className = 'reference';
  reference.id = 'reference';
  return [summary, line(t('smsFollows'))];
}

function standbyBody(result) {
  const siteId = result.standby?.siteId ?? result.siteId;
  return [
    line(t('standbyPosition', result.standby?.position ?? '–'), 'big-line'),
    facts([
      [t('name'), result.name],
      [t('site'), local(siteOf(siteId)?.name) || siteId],
    ]),
    line(t('standbyBody')),
  ];
}

function renderOutcome() {
  const { results, last } = session;
  const result = results.find((r) => r.requestId === last) ?? results.at(-1);
  if (!result) return;
  $('view-outcome').classList.toggle('ok', result.status === 'confirmed');
  $('outcome-title').textContent = outcomeTitle(result);
  $('outcome-body').replaceChildren(
    ...(result.status === 'confirmed'
      ? confirmedBody(result)
      : result.status === 'standby'
        ? standbyBody(result)
        : [line(result.name), line(reasonText(result.reason, result.message), 'reason')]),
  );
  $('retry').hidden = !(result.status === 'rejected' && result.retryable && tokenUsable());
  // Issue 14: under SLOT_FULL, other free times or standby (offers.js, fetched when needed).
  if (result.reason === 'SLOT_FULL' || !$('outcome-offer').hidden)
    void import('./offers.js').then(
      (m) => m.renderOutcomeOffers(result),
      () => undefined,
    );
  renderResults();
}

function renderResults() {
  $('results-list').replaceChildren(
    ...session.results.map((r) => {
      const li = document.createElement('li');
      const detail =
        r.status === 'confirmed'
          ? `${t('reference')} ${r.booking?.reference ?? ''}`
          : r.status === 'standby'
            ? t('standbyPosition', r.standby?.position ?? '–')
            : reasonText(r.reason, r.message);
      li.textContent = `${r.name}: ${outcomeTitle(r)} (${detail})`;
      return li;
    }),
  );
  const couldBookMore = tokenUsable() && peopleLeft() > 0 && !session.results.some(soldOut);
  const released = placeReleased();
  const more = couldBookMore && !released;
  $('family-row').hidden = !more;
  $('family').textContent = t('family', peopleLeft());
  $('release').textContent = local(RELEASE_WORDS.done);
  $('family-done').hidden = couldBookMore || !form.claims;
  $('released').hidden = !(couldBookMore && released);
  $('released').textContent = local(RELEASE_WORDS.released);
  // Nobody else can be booked on this token (all used, sold out): hand the place back now.
  if (!couldBookMore && !released && tokenUsable() && !session.pending) void releasePlace();
}

async function bookForNextPerson() {
  session.person = {};
  session.last = null;
  clearErrors();
  save();
  fillPerson();
  try {
    form.campaign = await fetchCampaign(form.campaignId);
  } catch {
    // The snapshot we have is good enough for the next person's choices.
  }
  reloadChosenSlots();
  goChoose();
  $('view-choose').querySelector('input, select')?.focus();
}

export function wireOutcome() {
  drawView('outcome', renderOutcome);
  // The person's details are kept, to be corrected.
  $('retry').addEventListener('click', () => {
    reloadChosenSlots();
    goChoose();
  });
  $('family').addEventListener('click', () => void bookForNextPerson());

  const done = document.createElement('button');
  done.type = 'button';
  done.id = 'release';
  done.className = 'link';
  $('family-row').append(' ', done);
  const note = document.createElement('p');
  note.id = 'released';
  note.className = 'hint ok';
  note.hidden = true;
  $('family-row').after(note);
  done.addEventListener('click', async () => {
    done.disabled = true;
    await releasePlace();
    done.disabled = false;
    renderResults();
    announce(note.textContent);
    $('lookup-link').focus();
  });
}
