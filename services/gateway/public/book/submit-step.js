// Step 3: confirm, send, then follow the request to its outcome (also after a reload).
import { $, facts } from '../shared/dom.js';
import { ApiError, backoff, jitter, request, sleep, troubleOf } from '../shared/http.js';
import { formatWhen, lang, local } from '../shared/i18n-core.js';
import { digitsOf, groupCitizenId, thaiMobile } from '../shared/resident-input.js';
import {
  announce,
  block,
  drawView,
  FIELD_ORDER,
  form,
  groupOf,
  provinceCode,
  save,
  session,
  showConnection,
  showError,
  showErrors,
  showView,
  siteOf,
} from './form.js';
import { t } from './i18n.js';
import { fillPerson } from './person-step.js';
import { readSlots, slotOf } from './site-slots.js';

let submitting = false;
let pollTimer = 0;
let pollFailures = 0;

function renderConfirm() {
  const { choice, person } = session;
  const summary = facts([
    [t('site'), local(siteOf(choice.siteId)?.name) || choice.siteId],
    [t('when'), choice.startsAt ? formatWhen(new Date(choice.startsAt)) : ''],
    [t('group'), local(groupOf(choice.groupCode)?.name) || choice.groupCode],
    [t('name'), `${person.firstName ?? ''} ${person.lastName ?? ''}`.trim()],
    [t('citizenId'), groupCitizenId(digitsOf(person.citizenId))],
    [t('phone'), person.phone ?? ''],
  ]);
  ['c-site', 'c-when', 'c-group'].forEach((id, i) => (summary.children[i].lastChild.id = id));
  summary.id = 'summary';
  $('summary').replaceWith(summary);
  $('submit').textContent = t(form.standby ? 'submitStandby' : 'submit');
  // The time filled up since it was picked: other times at the site, no submit meant to fail.
  const full = !form.standby && slotOf(choice.siteId, choice.slotId)?.remaining <= 0;
  $('submit').hidden = full;
  if (full || !$('confirm-offer').hidden) void showSlotOffer(full);
}

// Fetched only when a chosen time fills up.
async function showSlotOffer(full) {
  const offers = await import('./offers.js').catch(() => null);
  offers?.renderSlotOffer($('confirm-offer'), full);
}

/** A last look at the chosen slot (the gateway's figure; no answer: the worker decides). */
async function slotStillFree() {
  const { siteId, slotId } = session.choice;
  if (form.standby) return true;
  await readSlots(form.campaignId, siteId, 'no-cache').catch(() => undefined);
  if (!(slotOf(siteId, slotId)?.remaining <= 0)) return true;
  renderConfirm();
  await showSlotOffer(true);
  announce(t('slotTaken'));
  $('confirm-offer').querySelector('button')?.focus();
  return false;
}

// A request Redis lost in a crash (poll: 404) is sent again: same body, same request id.
const MAX_RESUBMITS = 3;

function bodyOfSession() {
  const { choice, person } = session;
  const body = {
    campaignId: form.campaignId,
    citizenId: digitsOf(person.citizenId),
    firstName: person.firstName.trim(),
    lastName: person.lastName.trim(),
    birthDate: person.birthDate,
    phone: thaiMobile(person.phone) ?? person.phone,
    groupCode: choice.groupCode,
    siteId: choice.siteId,
    slotId: choice.slotId,
    // The SMS come in the language the resident booked in, and so do the later ones.
    language: lang,
  };
  if (provinceCode() && person.provinceOk) body.provinceCode = provinceCode();
  return body;
}

async function submit() {
  if (submitting) return;
  submitting = true;
  $('submit').disabled = true;
  $('confirm-error').hidden = true;
  const body = bodyOfSession();
  try {
    if (!(await slotStillFree())) return;
    for (let attempt = 0; ; attempt++) {
      try {
        const answer = await request('/api/bookings', {
          method: 'POST',
          token: form.token,
          body,
          idempotent: true,
        });
        showConnection('');
        session.pending = {
          requestId: answer.requestId,
          name: `${body.firstName} ${body.lastName}`,
          siteId: body.siteId,
          startsAt: session.choice.startsAt,
          body,
          resubmits: 0,
        };
        session.results = session.results.filter((r) => r.requestId !== answer.requestId);
        save();
        showView('pending');
        announce(t('pendingTitle'));
        schedulePoll(jitter(answer.pollAfterSeconds ?? 2));
        return;
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        if (!error.retriable) return refused(error);
        // The same person resent is the same request (the job id comes from campaign + citizen).
        showConnection(troubleOf(error));
        await sleep(backoff(attempt, error.retryAfterSeconds));
      }
    }
  } finally {
    submitting = false;
    $('submit').disabled = false;
  }
}

// The gateway queues it again only if it is gone; PostgreSQL (request id) books it once.
async function resubmit(pending) {
  pending.resubmits = (pending.resubmits ?? 0) + 1;
  try {
    const answer = await request('/api/bookings', {
      method: 'POST',
      token: form.token,
      body: pending.body,
      idempotent: true,
    });
    showConnection('');
    pollFailures = 0;
    save();
    schedulePoll(jitter(answer.pollAfterSeconds ?? 2));
  } catch (error) {
    if (error instanceof ApiError && !error.retriable) {
      session.pending = null;
      save();
      showView('confirm');
      return refused(error);
    }
    pending.resubmits--; // no answer: this try does not count
    pollFailures++;
    showConnection(troubleOf(error));
    schedulePoll(backoff(pollFailures, error?.retryAfterSeconds));
  }
}

function refused(error) {
  showConnection('');
  const problem = error.problem ?? {};
  const fields = problem.fields ?? {};
  const known = Object.fromEntries(Object.entries(fields).filter(([name]) => FIELD_ORDER.includes(name)));
  if (error.status === 400 && Object.keys(known).length) return showErrors(known);
  if (problem.code === 'ACCESS_EXHAUSTED') return block('exhausted');
  if (error.status === 401 || error.status === 403) return block('expired');
  $('confirm-error').textContent = local(problem.message) || t('errorTitle');
  $('confirm-error').hidden = false;
}

function schedulePoll(ms) {
  clearTimeout(pollTimer);
  pollTimer = setTimeout(poll, ms);
}

export async function poll() {
  const { pending } = session;
  if (!pending) return;
  try {
    const answer = await request(`/api/bookings/requests/${encodeURIComponent(pending.requestId)}`);
    showConnection('');
    pollFailures = 0;
    if (!answer || answer.status === 'pending') return schedulePoll(jitter(answer?.pollAfterSeconds ?? 2));
    finish(pending, answer);
  } catch (error) {
    pollFailures++;
    const retriable = !(error instanceof ApiError) || error.retriable;
    const unknown = error instanceof ApiError && error.status === 404;
    if (unknown && pending.body && (pending.resubmits ?? 0) < MAX_RESUBMITS) return resubmit(pending);
    // A request only just queued may not be visible yet: a few more tries before giving up.
    if (!retriable && !(unknown && !pending.body && pollFailures < 5)) {
      session.pending = null;
      save();
      return showError(local(error.problem?.message) || t('errorTitle'));
    }
    if (retriable) showConnection(troubleOf(error));
    schedulePoll(backoff(pollFailures, error.retryAfterSeconds));
  }
}

function finish(pending, answer) {
  const { status, reason, message, retryable, booking, standby } = answer;
  const { requestId, name, siteId, startsAt } = pending;
  const result = { requestId, name, siteId, startsAt, status, reason, message, retryable, booking, standby };
  session.results = session.results.filter((r) => r.requestId !== requestId).concat(result);
  session.pending = null;
  session.last = requestId;
  // A rejected request keeps the person's details, to be corrected and sent again.
  if (status !== 'rejected') session.person = {};
  save();
  if (status !== 'rejected') fillPerson();
  showView('outcome');
  $('outcome-title').focus();
  announce(`${$('outcome-title').textContent}. ${$('outcome-body').innerText}`);
}

export function wireSubmit() {
  drawView('confirm', renderConfirm);
  $('submit').addEventListener('click', () => void submit());
}
