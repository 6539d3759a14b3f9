// What the page offers when the chosen time is gone (issue 14): the next free times at the
// SAME site, for the person to pick (never picked for them), or, once the doses are gone,
// the standby list. Either way the details already entered are kept: only a confirm is left.
import { $ } from '../shared/dom.js';
import { fetchCampaign } from '../shared/http.js';
import { bangkokDay, formatNumber, formatWhen } from '../shared/i18n-core.js';
import { formStep, goChoose } from './choose-step.js';
import { currentView, dosesGone, form, groupOf, save, session, tokenUsable } from './form.js';
import { t } from './i18n.js';
import { markTaken, readSlots, siteSlots } from './site-slots.js';

function button(text, onClick) {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = 'link';
  b.textContent = text;
  b.addEventListener('click', onClick);
  return b;
}

function lead(key) {
  const p = document.createElement('p');
  p.textContent = t(key);
  return p;
}

/** Up to `count` free slots of the site, the first ones at or after `startsAt`, in time order. */
function nextFree(siteId, startsAt, count = 4) {
  const at = Date.parse(startsAt ?? '') || 0;
  const free = (siteSlots(siteId)?.slots ?? [])
    .filter((s) => s.remaining > 0)
    .sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt));
  const later = free.filter((s) => Date.parse(s.startsAt) >= at);
  const earlier = free.filter((s) => Date.parse(s.startsAt) < at).reverse();
  return [...later, ...earlier]
    .slice(0, count)
    .sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt));
}

function pick(slot) {
  const day = bangkokDay(new Date(slot.startsAt));
  session.choice = { ...session.choice, day, slotId: slot.id, startsAt: slot.startsAt };
  session.last = null;
  save();
  goChoose('confirm');
  $('submit').focus();
}

/** Into `box` (hidden when not `shown`): the chosen site's next free times, as buttons. */
export function renderSlotOffer(box, shown) {
  box.hidden = !shown;
  if (!shown) return box.replaceChildren();
  const { siteId, startsAt } = session.choice;
  const free = nextFree(siteId, startsAt);
  box.replaceChildren(
    lead(free.length ? 'slotOffer' : 'noSlots'),
    ...free.map((slot) =>
      button(`${formatWhen(new Date(slot.startsAt))} (${t('left', formatNumber(slot.remaining))})`, () =>
        pick(slot),
      ),
    ),
  );
}

function joinStandby() {
  form.standby = true;
  session.last = null;
  save();
  goChoose(formStep());
  $(formStep() === 'confirm' ? 'submit' : 'firstName').focus();
}

const outcome = { requestId: null, offer: null };

/** Under SLOT_FULL: standby if the doses (or the group's) are gone by now, else other times. */
export function renderOutcomeOffers(result) {
  const box = $('outcome-offer');
  // Other rejections (age, province...) would only be answered the same way again.
  const open = result?.reason === 'SLOT_FULL' && tokenUsable();
  if (!open) {
    box.hidden = true;
    return;
  }
  if (outcome.requestId !== result.requestId) {
    Object.assign(outcome, { requestId: result.requestId, offer: null });
    box.hidden = true;
    void workOut(result);
    return;
  }
  if (outcome.offer === 'slots') return renderSlotOffer(box, true);
  box.hidden = outcome.offer !== 'standby';
  if (box.hidden) return;
  const join = button(t('standbyJoin'), joinStandby);
  Object.assign(join, { id: 'standby-join', className: 'button' });
  box.replaceChildren(lead('standbyOffer'), join);
}

async function workOut(result) {
  const { siteId, groupCode } = session.choice;
  form.campaign = (await fetchCampaign(form.campaignId).catch(() => null)) ?? form.campaign;
  const { standbySize = 0, standbyCount = 0 } = form.campaign ?? {};
  const gone = dosesGone(form.campaign) || groupOf(groupCode)?.remaining === 0;
  if (gone && standbyCount < standbySize) outcome.offer = 'standby';
  else if (siteId) {
    markTaken(siteId, session.choice.slotId);
    await readSlots(form.campaignId, siteId, 'no-cache').catch(() => undefined);
    outcome.offer = 'slots';
  }
  if (outcome.requestId === result.requestId && currentView() === 'outcome') renderOutcomeOffers(result);
}
