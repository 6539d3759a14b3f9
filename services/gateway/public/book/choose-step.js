// Step 1: group, site, day and time; a site's slots are kept for the next family member.
import { renderDays, renderGroups, renderSites, renderTimes, slotsByDay } from '../shared/choice-controls.js';
import { $ } from '../shared/dom.js';
import { ApiError, backoff, fetchSlots, sleep, troubleOf } from '../shared/http.js';
import { formatNumber } from '../shared/i18n-core.js';
import {
  block,
  CHOICE_FIELDS,
  clearError,
  clearErrors,
  currentView,
  drawView,
  form,
  peopleLeft,
  save,
  session,
  showConnection,
  showErrors,
  showView,
  tokenUsable,
} from './form.js';
import { t } from './i18n.js';

const slotsBySite = new Map(); // siteId → { days: Map, total, loading }

export function goChoose() {
  if (!tokenUsable()) return block(form.claims ? 'expired' : 'noAccess');
  if (peopleLeft() === 0) return block('exhausted');
  showView('choose');
}

function renderChoice() {
  if (!form.campaign) return;
  const { groupCode, siteId } = session.choice;
  renderGroups($('groups'), form.campaign.groups ?? [], groupCode, form.standby);
  renderSites($('site'), form.campaign.sites ?? [], siteId, form.standby);
  renderSlots();
}

function renderSlots() {
  const { siteId, day, slotId } = session.choice;
  const entry = siteId ? slotsBySite.get(siteId) : undefined;
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
  const before = slotsBySite.get(siteId);
  slotsBySite.set(siteId, { days: before?.days ?? new Map(), total: before?.total ?? 0, loading: true });
  renderSlots();
  for (let attempt = 0; ; attempt++) {
    try {
      const answer = await fetchSlots(form.campaignId, siteId);
      const slots = answer.slots ?? [];
      const total = slots.reduce((sum, s) => sum + Math.max(0, s.remaining), 0);
      slotsBySite.set(siteId, { days: slotsByDay(slots), total });
      showConnection('');
      break;
    } catch (error) {
      if (!(error instanceof ApiError) || !error.retriable) {
        slotsBySite.set(siteId, { days: new Map(), total: 0 });
        break;
      }
      showConnection(troubleOf(error));
      await sleep(backoff(attempt, error.retryAfterSeconds));
      if (session.choice.siteId !== siteId) return;
    }
  }
  if (session.choice.siteId === siteId && currentView() === 'choose') renderSlots();
}

/** Places have moved since the slots were shown. */
export function reloadChosenSlots() {
  if (session.choice.siteId) void loadSlots(session.choice.siteId);
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
  const slot = slotsBySite
    .get(picked.siteId)
    ?.days.get(picked.day)
    ?.find((s) => s.id === picked.slotId);
  session.choice = { ...picked, startsAt: slot?.startsAt };
  save();
  clearErrors();
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
