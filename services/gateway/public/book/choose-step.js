// Step 1: group, site, day and time; a site's slots are kept for the next family member.
import { renderDays, renderGroups, renderSites, renderTimes } from '../shared/choice-controls.js';
import { $ } from '../shared/dom.js';
import { ApiError, backoff, fetchSlots, sleep, troubleOf } from '../shared/http.js';
import { formatNumber } from '../shared/i18n-core.js';
import {
  announce,
  block,
  CHOICE_FIELDS,
  clearError,
  clearErrors,
  currentView,
  dosesGone,
  drawView,
  form,
  peopleLeft,
  render,
  save,
  session,
  setError,
  showConnection,
  showErrors,
  showView,
  tokenUsable,
} from './form.js';
import { t } from './i18n.js';
import { personReady } from './person-step.js';
import { loadingSlots, siteSlots, slotOf, storeSlots } from './site-slots.js';

/** Where a kept form goes on: the first step with something missing, else the confirm. */
export const formStep = () =>
  !CHOICE_FIELDS.every((name) => session.choice[name]) ? 'choose' : personReady() ? 'confirm' : 'person';

/** The step to go on with (choose, or confirm when all is known), if the token still allows it. */
export function goChoose(view = 'choose') {
  form.standby ||= dosesGone(form.campaign);
  if (!tokenUsable()) return block(form.claims ? 'expired' : 'noAccess');
  // A person already sent (kept after a rejection) costs no new place: only a new one is refused.
  if (peopleLeft() === 0 && !session.person.checked) return block('exhausted');
  showView(view);
}

function renderChoice() {
  if (!form.campaign) return;
  const { groupCode, siteId } = session.choice;
  renderGroups($('groups'), form.campaign.groups ?? [], groupCode, form.standby);
  renderSites($('site'), form.campaign.sites ?? [], siteId, form.standby);
  renderSlots();
}

function renderSlots() {
  const { siteId, day } = session.choice;
  // A time that filled up since it was picked: greyed out, un-picked, and the person told.
  if (!form.standby && slotOf(siteId, session.choice.slotId)?.remaining <= 0) {
    delete session.choice.slotId;
    delete session.choice.startsAt;
    save();
    setError('slotId', 'slotTaken');
    announce(t('slotTaken'));
  }
  const { slotId } = session.choice;
  const entry = siteId ? siteSlots(siteId) : undefined;
  const days = entry?.days ?? new Map();
  renderDays($('day'), days, days.has(day) ? day : undefined, form.standby);
  renderTimes($('times'), days.get(day) ?? [], slotId, form.standby);
  $('site-left').textContent = !entry
    ? ''
    : entry.loading
      ? t('loadingSlots')
      : days.size === 0 || (!form.standby && entry.total === 0)
        ? t('noSlots')
        : t('siteLeft', formatNumber(entry.total));
}

async function loadSlots(siteId) {
  loadingSlots(siteId);
  renderSlots();
  for (let attempt = 0; ; attempt++) {
    try {
      const answer = await fetchSlots(form.campaignId, siteId);
      storeSlots(siteId, answer.slots ?? []);
      showConnection('');
      break;
    } catch (error) {
      if (!(error instanceof ApiError) || !error.retriable) {
        storeSlots(siteId, []);
        break;
      }
      showConnection(troubleOf(error));
      await sleep(backoff(attempt, error.retryAfterSeconds));
      if (session.choice.siteId !== siteId) return;
    }
  }
  if (session.choice.siteId !== siteId) return;
  if (currentView() === 'choose') renderSlots();
  if (currentView() === 'confirm') render();
}

/** Places have moved since the slots were shown. */
export function reloadChosenSlots() {
  if (session.choice.siteId) void loadSlots(session.choice.siteId);
}

let drawn = ''; // the chosen site's figures as last drawn

/** A fresh read of a site's slots (site-slots.js): redraw the step that shows them, if they moved. */
export function slotsRefreshed(siteId) {
  const figures = (siteSlots(siteId)?.slots ?? []).map((s) => s.remaining).join();
  if (siteId !== session.choice.siteId || figures === drawn) return;
  drawn = figures;
  const view = currentView();
  if (view === 'confirm') return render();
  if (view !== 'choose') return;
  // Redrawn radios: the keyboard stays on the time it was on.
  const focused = $('times').contains(document.activeElement) ? document.activeElement.value : null;
  renderSlots();
  if (focused)
    $('times')
      .querySelector(`input[value="${CSS.escape(focused)}"]:not(:disabled)`)
      ?.focus();
}

function pickGroup(event) {
  session.choice.groupCode = event.target.value;
  save();
  clearError('groupCode');
}

function pickSite() {
  const siteId = $('site').value;
  if (siteId === session.choice.siteId) return;
  session.choice = { groupCode: session.choice.groupCode, siteId };
  save();
  clearError('siteId');
  void loadSlots(siteId);
}

function pickDay() {
  session.choice.day = $('day').value;
  delete session.choice.slotId;
  save();
  clearError('day');
  renderSlots();
}

function pickTime(event) {
  session.choice.slotId = event.target.value;
  save();
  clearError('slotId');
}

function submitChoice(event) {
  event.preventDefault();
  const picked = {
    groupCode: $('view-choose').elements.groupCode?.value,
    siteId: $('site').value,
    day: $('day').value,
    slotId: $('view-choose').elements.slotId?.value,
  };
  const next = {};
  for (const name of CHOICE_FIELDS) if (!picked[name]) next[name] = 'choose';
  if (Object.keys(next).length) return showErrors(next);
  session.choice = { ...picked, startsAt: slotOf(picked.siteId, picked.slotId)?.startsAt };
  save();
  clearErrors();
  // Another time after SLOT_FULL: the person's details were checked already, so to confirm.
  if (personReady()) return showView('confirm');
  showView('person');
  $('firstName').focus();
}

export function wireChoose() {
  drawView('choose', renderChoice);
  $('view-choose').addEventListener('submit', submitChoice);
  $('groups').addEventListener('change', pickGroup);
  $('site').addEventListener('change', pickSite);
  $('day').addEventListener('change', pickDay);
  $('times').addEventListener('change', pickTime);
}
