// The booking form: one person after another, from the keyboard. Enter in any field books;
// the answer shows beside the form at once; a booking clears the person's fields and puts
// the cursor back on the citizen ID, a refusal keeps them and marks what to correct.
import { $, facts } from '../shared/dom.js';
import { ApiError, fetchSlots, sleep } from '../shared/http.js';
import { formatDay, formatTime, formatWhen, local } from '../shared/i18n-core.js';
import { digitsOf, groupCitizenId, thaiMobile } from '../shared/resident-input.js';
import { typedBirthDate } from './birth-date.js';
import { api, desk, provinceCode, refreshMe, siteOf } from './desk.js';
import { t } from './i18n.js';
import { fillSlip } from './slip.js';

const PERSON = ['citizenId', 'firstName', 'lastName', 'birthDate', 'phone', 'provinceCode'];
const FIELDS = [...PERSON, 'groupCode', 'siteId', 'slotId', 'language'];
const slotsBySite = new Map(); // siteId → slots as last read
let errors = {}; // field → {th, en}
let answer = null; // { kind, ... } the last booking's answer
let busy = false;

/** Sold out: whatever is sent goes on the standby list, so nothing full is greyed out. */
const standbyMode = () => desk.campaign?.state === 'sold_out' || desk.campaign?.remainingDoses === 0;
const leftText = (n) => (typeof n !== 'number' ? '' : n > 0 ? t('left', n) : t('full'));

function fillSelect(select, prompt, items, keep) {
  const first = new Option(prompt, '', !keep, !keep);
  first.disabled = true;
  const options = items.map(({ value, text, full }) => {
    const option = new Option(text, value, false, value === keep);
    option.disabled = full && !standbyMode() && value !== keep;
    return option;
  });
  select.replaceChildren(first, ...options);
}

function renderChoices() {
  const { campaign, me } = desk;
  const group = $('groupCode').value;
  fillSelect(
    $('groupCode'),
    t('pickGroup'),
    campaign.groups.map((g) => ({
      value: g.code,
      text: `${local(g.name)} (${leftText(g.remaining)})`,
      full: g.remaining <= 0,
    })),
    group,
  );
  // A counter's token is bound to its site: that site only, and nothing to tab through.
  const sites = me?.site ? campaign.sites.filter((s) => s.id === me.site) : campaign.sites;
  fillSelect(
    $('siteId'),
    t('pickSite'),
    sites.map((s) => ({
      value: s.id,
      text: `${local(s.name)} (${leftText(s.remaining)})`,
      full: s.remaining === 0,
    })),
    me?.site ?? $('siteId').value,
  );
  $('siteId').disabled = Boolean(me?.site);
  renderSlots();
}

function renderSlots() {
  const slots = slotsBySite.get($('siteId').value) ?? [];
  fillSelect(
    $('slotId'),
    slots.length ? t('pickSlot') : t('noSlots'),
    slots.map((s) => {
      const at = new Date(s.startsAt);
      return {
        value: s.id,
        text: `${formatDay(at)} ${formatTime(at)} (${leftText(s.remaining)})`,
        full: s.remaining <= 0,
      };
    }),
    $('slotId').value,
  );
}

async function loadSlots(siteId) {
  if (!siteId) return;
  try {
    const answer = await fetchSlots(desk.campaignId, siteId);
    const slots = [...(answer.slots ?? [])].sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt));
    slotsBySite.set(siteId, slots);
  } catch {
    // Kept as last read; the worker has the last word on a full slot anyway.
  }
  if ($('siteId').value === siteId) renderSlots();
}

function renderBirthHint() {
  const typed = $('birthDate').value;
  const read = typedBirthDate(typed);
  $('birthDate-hint').textContent = read
    ? t('birthRead', formatDay(new Date(`${read}T12:00:00Z`)))
    : t('birthHint');
}

function renderErrors() {
  for (const name of FIELDS) {
    const el = $(`err-${name}`);
    const message = errors[name];
    if (el) {
      el.hidden = !message;
      el.textContent = message ? bilingual(message) : '';
    }
    if (message) $(name).setAttribute('aria-invalid', 'true');
    else $(name).removeAttribute('aria-invalid');
  }
}

const bilingual = (text) => (text?.th && text?.en ? `${text.th} / ${text.en}` : local(text));

function renderAnswer() {
  $('answer').hidden = !answer;
  if (!answer) return;
  const { kind } = answer;
  $('answer').className = `card answer ${kind}`;
  $('answer-title').textContent = t(kind);
  const body = [];
  if (kind === 'booked') {
    const { booking, name } = answer;
    const list = facts([
      [t('reference'), booking.reference],
      [t('name'), name],
      [t('site'), local(booking.siteName) || local(siteOf(booking.siteId)?.name) || booking.siteId],
      [t('when'), formatWhen(new Date(booking.startsAt))],
    ]);
    list.firstChild.classList.add('reference');
    list.firstChild.lastChild.id = 'answer-reference';
    body.push(list);
  } else if (kind === 'standby') {
    body.push(
      Object.assign(document.createElement('p'), {
        textContent: `${answer.name} · ${t('standbyAt', answer.position)}`,
      }),
    );
  } else if (kind === 'refused') {
    for (const code of ['th', 'en']) {
      const line = Object.assign(document.createElement('p'), { lang: code, className: 'message' });
      line.textContent = answer.message?.[code] ?? '';
      if (line.textContent) body.push(line);
    }
    if (!body.length) body.push(Object.assign(document.createElement('p'), { textContent: t('error') }));
  } else {
    body.push(Object.assign(document.createElement('p'), { textContent: answer.text ?? '' }));
  }
  $('answer-body').replaceChildren(...body);
  $('answer-actions').hidden = kind !== 'booked';
}

export function renderEntry() {
  if (!desk.campaign) return;
  const code = provinceCode();
  $('province-row').hidden = !code;
  $('province-hint').textContent = code ? t('provinceAsk', code) : '';
  renderChoices();
  renderBirthHint();
  renderErrors();
  renderAnswer();
  $('book').textContent = t(busy ? 'sending' : 'book');
}

/** Another campaign: nothing of the last one's sites and times stays. */
export function resetEntry() {
  slotsBySite.clear();
  answer = null;
  for (const name of ['siteId', 'slotId']) $(name).replaceChildren();
}

/** Ready for the next person: their fields empty, the choice of site and time kept. */
export async function clearForNext({ reloadSlots = false } = {}) {
  for (const name of PERSON) $(name).value = '';
  $('groupCode').value = '';
  $('language').value = 'th';
  errors = {};
  renderEntry();
  $('citizenId').focus();
  if (reloadSlots) await loadSlots($('siteId').value);
}

function bodyOfForm() {
  const phone = $('phone').value;
  const body = {
    campaignId: desk.campaignId,
    citizenId: digitsOf($('citizenId').value) || $('citizenId').value,
    firstName: $('firstName').value,
    lastName: $('lastName').value,
    // Digits as read off the card (day first, often Buddhist Era); the gateway checks the rest.
    birthDate: typedBirthDate($('birthDate').value) ?? $('birthDate').value,
    phone: thaiMobile(phone) ?? phone,
    groupCode: $('groupCode').value,
    siteId: desk.me?.site ?? $('siteId').value,
    slotId: $('slotId').value,
    language: $('language').value,
  };
  if (provinceCode()) body.provinceCode = digitsOf($('provinceCode').value);
  return body;
}

/** A 202: the worker was slow; the request is followed to its outcome. */
async function awaitOutcome(requestId) {
  for (let i = 0; i < 60; i++) {
    await sleep(1000);
    const outcome = await api(`/api/bookings/requests/${encodeURIComponent(requestId)}`).catch(() => null);
    if (outcome && outcome.status !== 'pending') return outcome;
  }
  return { status: 'pending' };
}

async function book(event) {
  event.preventDefault();
  if (busy) return;
  busy = true;
  const body = bodyOfForm();
  const name = `${body.firstName.trim()} ${body.lastName.trim()}`;
  renderEntry();
  try {
    let outcome = await api('/api/agent/bookings', { method: 'POST', body, idempotent: true });
    if (outcome.status === 'pending') {
      answer = { kind: 'pending', text: name };
      renderAnswer();
      outcome = await awaitOutcome(outcome.requestId);
    }
    if (outcome.status === 'confirmed') {
      answer = { kind: 'booked', booking: outcome.booking, name };
      fillSlip({ ...outcome.booking, name });
    } else if (outcome.status === 'standby') {
      answer = { kind: 'standby', name, position: outcome.standby?.position };
    } else if (outcome.status === 'rejected') {
      answer = { kind: 'refused', message: outcome.message ?? { th: outcome.reason, en: outcome.reason } };
    } else {
      answer = { kind: 'pending', text: name };
    }
    busy = false;
    if (outcome.status === 'rejected' || outcome.status === 'pending') return renderEntry();
    refreshMe();
    await clearForNext({ reloadSlots: true });
  } catch (error) {
    busy = false;
    refused(error);
  }
}

function refused(error) {
  const problem = error instanceof ApiError ? error.problem : undefined;
  if (error instanceof ApiError && error.status === 429) {
    answer = { kind: 'refused', message: { th: t('busy', error.retryAfterSeconds ?? 10) } };
  } else if (error instanceof ApiError && error.status === 0) {
    answer = { kind: 'refused', message: { th: t('offline') } };
  } else {
    answer = { kind: 'refused', message: problem?.message };
  }
  errors = Object.fromEntries(
    Object.entries(problem?.fields ?? {}).filter(([name]) => FIELDS.includes(name)),
  );
  renderEntry();
  // The first field to correct, in the form's order; else where the next try starts.
  const first = FIELDS.find((name) => errors[name] && !$(name).disabled && !$(name).closest('[hidden]'));
  $(first ?? 'citizenId').focus();
  if (problem?.code === 'SLOT_FULL') void loadSlots($('siteId').value);
}

export function wireEntry() {
  const form = $('entry');
  form.addEventListener('submit', (event) => void book(event));
  // Enter in a text field submits by itself; in a select it does not: make it.
  form.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && event.target instanceof HTMLSelectElement) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  for (const name of FIELDS) {
    $(name).addEventListener('input', () => {
      if (!errors[name]) return;
      delete errors[name];
      renderErrors();
    });
  }
  $('birthDate').addEventListener('input', renderBirthHint);
  $('citizenId').addEventListener('blur', () => {
    const digits = digitsOf($('citizenId').value);
    if (digits.length === 13) $('citizenId').value = groupCitizenId(digits);
  });
  $('siteId').addEventListener('change', () => {
    renderSlots();
    void loadSlots($('siteId').value);
  });
  $('print').addEventListener('click', () => window.print());
  // Printed: on with the next person.
  window.addEventListener('afterprint', () => $('citizenId').focus());
}
