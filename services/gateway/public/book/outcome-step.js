// The outcome (booked, standby or refused), then the next family member while the token allows.
import { $, facts } from '../shared/dom.js';
import { fetchCampaign } from '../shared/http.js';
import { formatWhen, local } from '../shared/i18n-core.js';
import { goChoose, reloadChosenSlots } from './choose-step.js';
import { clearErrors, drawView, form, peopleLeft, save, session, siteOf, tokenUsable } from './form.js';
import { reasonText, t } from './i18n.js';
import { fillPerson } from './person-step.js';

function line(text, className) {
  const p = document.createElement('p');
  p.textContent = text;
  if (className) p.className = className;
  return p;
}

const soldOut = (result) => result.reason === 'SOLD_OUT' || result.reason === 'CAMPAIGN_CLOSED';

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
  const more = tokenUsable() && peopleLeft() > 0 && !session.results.some(soldOut);
  $('family-row').hidden = !more;
  $('family').textContent = t('family', peopleLeft());
  $('family-done').hidden = more || !form.claims;
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
}
