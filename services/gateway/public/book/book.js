// The resident's booking form, after the waiting room let them in: choose group, site, day
// and time; enter the person; confirm; then follow the request to its outcome and, while
// the access token allows, book for the next family member. API: DESIGN.md section 4.
// Everything but the access token's use survives a reload (sessionStorage of this tab).
import { retryUntilAnswered } from '../shared/http.js';
import { lang, local, setLang } from '../shared/i18n-core.js';
import { api, ApiError, backoff, jitter, sleep } from './api.js';
import { renderDays, renderGroups, renderSites, renderTimes, slotsByDay } from './choice-controls.js';
import { applyLang, formatTime, formatWhen, reasonText, t } from './i18n.js';
import {
  citizenIdState,
  digitsOf,
  groupCitizenId,
  provinceName,
  thaiMobile,
  tokenClaims,
  validBirthDate,
} from './resident.js';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const PERSON_FIELDS = ['firstName', 'lastName', 'citizenId', 'birthDate', 'phone'];
const CHOICE_FIELDS = ['groupCode', 'siteId', 'day', 'slotId'];
const FIELD_ORDER = [...CHOICE_FIELDS, ...PERSON_FIELDS, 'provinceCode'];
/** After these the same person may correct the request and send it again. */
const CORRECTABLE = new Set([
  'SLOT_FULL',
  'UNKNOWN_GROUP',
  'UNKNOWN_SITE',
  'UNKNOWN_SLOT',
  'SITE_MISMATCH',
  'NOT_ELIGIBLE_PROVINCE',
  'NOT_ELIGIBLE_AGE',
  'PROCESSING_FAILED',
]);

let campaignId = params.get('campaign');
let standby = params.get('standby') === '1';
let campaign = null;
let token = '';
let claims = null;
/** choice {groupCode, siteId, day, slotId, startsAt}, person draft, pending request, results. */
let session = { choice: {}, person: {}, pending: null, results: [], last: null };
let errors = {}; // field → i18n key or {th, en} from the gateway
const slotsBySite = new Map(); // siteId → { days: Map, total, loading }
let pollTimer = 0;
let pollFailures = 0;
let connection = '';
let blocked = '';

const storageKey = () => `khiw:book:${campaignId}`;

function save() {
  try {
    sessionStorage.setItem(storageKey(), JSON.stringify(session));
  } catch {
    // Storage blocked: the page still works until it is reloaded.
  }
}

function restore() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(storageKey()) ?? 'null');
    if (saved) session = { ...session, ...saved };
    token = sessionStorage.getItem(`khiw:access:${campaignId}`) ?? '';
  } catch {
    token = '';
  }
  claims = token ? tokenClaims(token) : null;
}

const tokenUsable = () => Boolean(claims) && (!claims.exp || claims.exp * 1000 > Date.now());
const maxBookings = () => Number(claims?.maxBookings) || 1;
const peopleLeft = () => Math.max(0, maxBookings() - session.results.length - (session.pending ? 1 : 0));
const provinceCode = () => campaign?.provinceCode ?? campaign?.eligibility?.provinceCode ?? null;
const siteOf = (id) => campaign?.sites?.find((s) => s.id === id);
const groupOf = (code) => campaign?.groups?.find((g) => g.code === code);

function showView(name) {
  document.body.dataset.state = name;
  for (const el of document.querySelectorAll('[data-view]')) el.hidden = el.id !== `view-${name}`;
  $('results').hidden = name !== 'outcome' || session.results.length === 0;
  render();
}

const currentView = () => document.body.dataset.state;

function showConnection(kind) {
  connection = kind;
  $('connection').hidden = !kind;
  $('connection').textContent = kind ? t(kind) : '';
}

function announce(text) {
  $('announce').textContent = text;
}

function showError(text) {
  $('error-text').textContent = text;
  showView('error');
}

/** No usable access token: back to the queue (kind: noAccess | expired | exhausted). */
function block(kind) {
  blocked = kind;
  showView('blocked');
}

// ---- rendering ----

function render() {
  applyLang();
  $('lang').textContent = t('switchTo');
  $('lang').lang = lang === 'th' ? 'en' : 'th';
  if (campaign?.name) {
    delete $('campaign-name').dataset.i18n;
    $('campaign-name').textContent = local(campaign.name);
  }
  document.title = `${$('campaign-name').textContent} · khiw`;
  if (connection) showConnection(connection);
  $('standby-note').hidden = !standby || !['choose', 'person', 'confirm'].includes(currentView());
  renderAccessNote();
  const view = currentView();
  if (view === 'choose' && campaign) renderChoice();
  if (view === 'person') renderPerson();
  if (view === 'confirm') renderConfirm();
  if (view === 'outcome') renderOutcome();
  if (view === 'blocked') {
    const [title, text] = {
      noAccess: ['noAccessTitle', 'noAccessBody'],
      expired: ['expiredTitle', 'expiredBody'],
      exhausted: ['familyDone', 'lookup'],
    }[blocked];
    $('blocked-title').textContent = t(title);
    $('blocked-text').textContent = t(text);
  }
  renderErrors();
}

function renderAccessNote() {
  const usable = tokenUsable() && peopleLeft() > 0 && ['choose', 'person', 'confirm'].includes(currentView());
  $('access-note').hidden = !usable || !claims.exp;
  if (usable && claims.exp) {
    $('access-note').textContent = t('expiresAt', formatTime(new Date(claims.exp * 1000)), peopleLeft());
  }
}

function renderChoice() {
  const { groupCode, siteId } = session.choice;
  renderGroups($('groups'), campaign.groups ?? [], groupCode, standby);
  renderSites($('site'), campaign.sites ?? [], siteId, standby);
  renderSlots();
}

/** The day and time controls for the chosen site. */
function renderSlots() {
  const { siteId, day, slotId } = session.choice;
  const entry = siteId ? slotsBySite.get(siteId) : undefined;
  const days = entry?.days ?? new Map();
  renderDays($('day'), days, days.has(day) ? day : undefined, standby);
  renderTimes($('times'), days.get(day) ?? [], slotId, standby);
  $('site-left').textContent = !entry
    ? ''
    : entry.loading
      ? t('loadingSlots')
      : days.size === 0 || (!standby && entry.total === 0)
        ? t('noSlots')
        : t('siteLeft', entry.total.toLocaleString(lang === 'th' ? 'th-TH' : 'en-GB'));
}

function renderPerson() {
  const code = provinceCode();
  $('province-row').hidden = !code;
  // Thai from our table, English as the campaign file spells it; without either, no name.
  const thai = code && provinceName(code);
  const english = campaign?.eligibility?.provinceOfResidence;
  const name = lang === 'th' ? thai : /^[\x20-\x7e]+$/.test(english ?? '') ? english : null;
  $('province-label').textContent = name ? t('province', name) : t('provinceThis');
  const slot = session.choice;
  $('person-summary').textContent = slot.startsAt
    ? `${local(siteOf(slot.siteId)?.name)} · ${formatWhen(new Date(slot.startsAt))}`
    : '';
  $('birthDate').max = new Date(Date.now() - new Date().getTimezoneOffset() * 60_000)
    .toISOString()
    .slice(0, 10);
  renderCitizenHint();
}

function renderCitizenHint() {
  const hint = $('citizenId-hint');
  const value = $('citizenId').value;
  const { state, missing } = citizenIdState(value);
  hint.classList.toggle('ok', state === 'ok');
  // The error below says it already; one message, not two.
  hint.hidden = Boolean(errors.citizenId);
  hint.textContent = !digitsOf(value)
    ? ''
    : state === 'short'
      ? t('idMore', missing)
      : state === 'ok'
        ? `✓ ${t('idOk')}`
        : t(state === 'bad' ? 'idBad' : 'errCitizenId');
}

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
  $('submit').textContent = t(standby ? 'submitStandby' : 'submit');
}

function outcomeTitle(result) {
  if (result.status === 'confirmed') return t('confirmedTitle');
  if (result.status === 'standby') return t('standbyTitle');
  return t(['SOLD_OUT', 'CAMPAIGN_CLOSED'].includes(result.reason) ? 'soldOutTitle' : 'rejectedTitle');
}

function line(text, className) {
  const p = document.createElement('p');
  p.textContent = text;
  if (className) p.className = className;
  return p;
}

function facts(pairs) {
  const dl = document.createElement('dl');
  dl.className = 'summary';
  for (const [label, value] of pairs) {
    const row = document.createElement('div');
    const dt = document.createElement('dt');
    const dd = document.createElement('dd');
    dt.textContent = label;
    dd.textContent = value;
    row.append(dt, dd);
    dl.append(row);
  }
  return dl;
}

function renderOutcome() {
  const result = session.results.find((r) => r.requestId === session.last) ?? session.results.at(-1);
  if (!result) return;
  const card = $('view-outcome');
  card.classList.toggle('ok', result.status === 'confirmed');
  $('outcome-title').textContent = outcomeTitle(result);
  const body = [];
  if (result.status === 'confirmed') {
    const booking = result.booking ?? {};
    const site = booking.siteName ? local(booking.siteName) : local(siteOf(booking.siteId)?.name);
    const when = new Date(booking.startsAt ?? result.startsAt);
    body.push(
      facts([
        [t('reference'), booking.reference ?? ''],
        [t('name'), result.name],
        [t('site'), site],
        [t('when'), formatWhen(when)],
      ]),
      line(t('smsFollows')),
    );
    body[0].querySelector('dd').className = 'reference';
    body[0].querySelector('dd').id = 'reference';
  } else if (result.status === 'standby') {
    const siteId = result.standby?.siteId ?? result.siteId;
    body.push(
      line(t('standbyPosition', result.standby?.position ?? '–'), 'big-line'),
      facts([
        [t('name'), result.name],
        [t('site'), local(siteOf(siteId)?.name) || siteId],
      ]),
      line(t('standbyBody')),
    );
  } else {
    body.push(line(result.name), line(reasonText(result.reason, result.message), 'reason'));
  }
  $('outcome-body').replaceChildren(...body);
  $('retry').hidden = !(result.status === 'rejected' && CORRECTABLE.has(result.reason) && tokenUsable());
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
  const soldOut = session.results.some((r) => r.reason === 'SOLD_OUT' || r.reason === 'CAMPAIGN_CLOSED');
  const more = tokenUsable() && peopleLeft() > 0 && !soldOut;
  $('family-row').hidden = !more;
  $('family').textContent = t('family', peopleLeft());
  $('family-done').hidden = more || !claims;
}

// ---- errors ----

function controlsOf(name) {
  if (name === 'groupCode') return [...$('groups').querySelectorAll('input')];
  if (name === 'slotId') return [...$('times').querySelectorAll('input')];
  if (name === 'siteId') return [$('site')];
  if (name === 'provinceCode') return [$('provinceOk')];
  return [$(name)];
}

function renderErrors() {
  for (const name of FIELD_ORDER) {
    const message = errors[name];
    const el = $(`err-${name}`);
    el.hidden = !message;
    el.textContent = !message ? '' : typeof message === 'string' ? t(message) : local(message);
    for (const control of controlsOf(name)) {
      if (message) control.setAttribute('aria-invalid', 'true');
      else control.removeAttribute('aria-invalid');
    }
  }
  renderCitizenHint();
}

function clearError(name) {
  if (!errors[name]) return;
  delete errors[name];
  renderErrors();
}

/** Shows the step of the first error and puts the keyboard on its control. */
function showErrors(next) {
  errors = next;
  const first = FIELD_ORDER.find((name) => errors[name]);
  showView(CHOICE_FIELDS.includes(first) ? 'choose' : 'person');
  const control = controlsOf(first).find((c) => !c.disabled) ?? controlsOf(first)[0];
  control?.focus();
  announce(t('formErrors', Object.keys(errors).length));
}

// ---- steps ----

function goChoose() {
  if (!tokenUsable()) return block(claims ? 'expired' : 'noAccess');
  if (peopleLeft() === 0) return block('exhausted');
  showView('choose');
}

function submitChoice(event) {
  event.preventDefault();
  const form = $('view-choose');
  const picked = {
    groupCode: form.elements.groupCode?.value,
    siteId: $('site').value,
    day: $('day').value,
    slotId: form.elements.slotId?.value,
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
  errors = {};
  showView('person');
  $('firstName').focus();
}

function submitPerson(event) {
  event.preventDefault();
  readPerson();
  const p = session.person;
  const next = {};
  if (!p.firstName?.trim()) next.firstName = 'required';
  if (!p.lastName?.trim()) next.lastName = 'required';
  const id = citizenIdState(p.citizenId);
  if (id.state !== 'ok') next.citizenId = id.state === 'bad' ? 'idBad' : 'errCitizenId';
  if (!validBirthDate(p.birthDate)) next.birthDate = 'errBirth';
  if (!thaiMobile(p.phone)) next.phone = 'errPhone';
  if (provinceCode() && !p.provinceOk) next.provinceCode = 'errProvince';
  if (Object.keys(next).length) return showErrors(next);
  errors = {};
  $('confirm-error').hidden = true;
  showView('confirm');
  $('confirm-title').setAttribute('tabindex', '-1');
  $('confirm-title').focus();
}

function readPerson() {
  for (const name of PERSON_FIELDS) session.person[name] = $(name).value;
  session.person.provinceOk = $('provinceOk').checked;
  save();
}

function fillPerson() {
  for (const name of PERSON_FIELDS) $(name).value = session.person[name] ?? '';
  $('provinceOk').checked = Boolean(session.person.provinceOk);
}

async function loadSlots(siteId) {
  const before = slotsBySite.get(siteId);
  slotsBySite.set(siteId, { days: before?.days ?? new Map(), total: before?.total ?? 0, loading: true });
  renderSlots();
  for (let attempt = 0; ; attempt++) {
    try {
      const answer = await api.slots(campaignId, siteId);
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
      showConnection(error.status === 0 ? 'reconnecting' : 'busy');
      await sleep(backoff(attempt, error.retryAfterSeconds));
      if (session.choice.siteId !== siteId) return;
    }
  }
  if (session.choice.siteId === siteId && currentView() === 'choose') renderSlots();
}

// ---- submit and follow ----

let submitting = false;

async function submit() {
  if (submitting) return;
  submitting = true;
  $('submit').disabled = true;
  $('confirm-error').hidden = true;
  const { choice, person } = session;
  const body = {
    campaignId,
    citizenId: digitsOf(person.citizenId),
    firstName: person.firstName.trim(),
    lastName: person.lastName.trim(),
    birthDate: person.birthDate,
    phone: thaiMobile(person.phone) ?? person.phone,
    groupCode: choice.groupCode,
    siteId: choice.siteId,
    slotId: choice.slotId,
  };
  if (provinceCode() && person.provinceOk) body.provinceCode = provinceCode();
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        const answer = await api.book(token, body);
        showConnection('');
        const name = `${body.firstName} ${body.lastName}`;
        session.pending = {
          requestId: answer.requestId,
          name,
          siteId: body.siteId,
          startsAt: choice.startsAt,
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
        showConnection(error.status === 0 ? 'reconnecting' : 'busy');
        await sleep(backoff(attempt, error.retryAfterSeconds));
      }
    }
  } finally {
    submitting = false;
    $('submit').disabled = false;
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

async function poll() {
  const pending = session.pending;
  if (!pending) return;
  try {
    const answer = await api.requestStatus(pending.requestId);
    showConnection('');
    pollFailures = 0;
    if (!answer || answer.status === 'pending') return schedulePoll(jitter(answer?.pollAfterSeconds ?? 2));
    finish(pending, answer);
  } catch (error) {
    pollFailures++;
    const retriable = !(error instanceof ApiError) || error.retriable;
    // A request only just queued may not be visible yet: a few more tries before giving up.
    if (!retriable && !(error.status === 404 && pollFailures < 5)) {
      session.pending = null;
      save();
      return showError(local(error.problem?.message) || t('errorTitle'));
    }
    if (retriable) showConnection(error.status === 0 ? 'reconnecting' : 'busy');
    schedulePoll(backoff(pollFailures, error.retryAfterSeconds));
  }
}

function finish(pending, answer) {
  const result = {
    requestId: pending.requestId,
    name: pending.name,
    siteId: pending.siteId,
    startsAt: pending.startsAt,
    status: answer.status,
    reason: answer.reason,
    message: answer.message,
    booking: answer.booking,
    standby: answer.standby,
  };
  session.results = session.results.filter((r) => r.requestId !== result.requestId).concat(result);
  session.pending = null;
  session.last = result.requestId;
  // A rejected request keeps the person's details, to be corrected and sent again.
  if (result.status !== 'rejected') session.person = {};
  save();
  if (result.status !== 'rejected') fillPerson();
  showView('outcome');
  $('outcome-title').focus();
  announce(`${outcomeTitle(result)}. ${$('outcome-body').innerText}`);
}

async function refreshCampaign() {
  try {
    campaign = await api.campaign(campaignId);
  } catch {
    // The snapshot we have is good enough for the next person's choices.
  }
}

const loadCampaign = () =>
  retryUntilAnswered(async () => {
    campaign = await api.campaign(campaignId);
  }, showConnection);

// ---- wiring ----

function wire() {
  $('lang').addEventListener('click', () => {
    setLang(lang === 'th' ? 'en' : 'th');
    render();
  });
  $('view-choose').addEventListener('submit', submitChoice);
  $('view-person').addEventListener('submit', submitPerson);
  $('groups').addEventListener('change', (event) => {
    session.choice.groupCode = event.target.value;
    save();
    clearError('groupCode');
  });
  $('site').addEventListener('change', () => {
    const siteId = $('site').value;
    if (siteId === session.choice.siteId) return;
    session.choice = { groupCode: session.choice.groupCode, siteId };
    save();
    clearError('siteId');
    void loadSlots(siteId);
  });
  $('day').addEventListener('change', () => {
    session.choice.day = $('day').value;
    delete session.choice.slotId;
    save();
    clearError('day');
    renderSlots();
  });
  $('times').addEventListener('change', (event) => {
    session.choice.slotId = event.target.value;
    save();
    clearError('slotId');
  });
  for (const name of PERSON_FIELDS) {
    $(name).addEventListener('input', () => {
      readPerson();
      clearError(name);
      if (name === 'citizenId') renderCitizenHint();
    });
  }
  $('citizenId').addEventListener('blur', () => {
    const digits = digitsOf($('citizenId').value);
    if (digits.length === 13) $('citizenId').value = groupCitizenId(digits);
  });
  $('provinceOk').addEventListener('change', () => {
    readPerson();
    clearError('provinceCode');
  });
  for (const button of document.querySelectorAll('[data-back]')) {
    button.addEventListener('click', () => {
      showView(button.dataset.back);
      (button.dataset.back === 'choose' ? $('site') : $('firstName')).focus();
    });
  }
  $('submit').addEventListener('click', () => void submit());
  $('retry').addEventListener('click', () => {
    if (session.choice.siteId) void loadSlots(session.choice.siteId);
    goChoose();
  });
  $('family').addEventListener('click', async () => {
    session.person = {};
    session.last = null;
    errors = {};
    save();
    fillPerson();
    await refreshCampaign();
    if (session.choice.siteId) void loadSlots(session.choice.siteId);
    goChoose();
    $('view-choose').querySelector('input, select')?.focus();
  });
  // An access token that ran out while the form was open: the note goes, the gateway says 401.
  setInterval(renderAccessNote, 30_000);
}

async function main() {
  wire();
  if (!campaignId) return showError(t('noCampaign'));
  restore();
  const queueUrl = `/queue/?campaign=${encodeURIComponent(campaignId)}`;
  for (const link of document.querySelectorAll('.queue-link')) link.href = queueUrl;
  $('lookup-link').href = `/lookup/?campaign=${encodeURIComponent(campaignId)}`;
  fillPerson();
  if (!(await loadCampaign())) return showError(t('noCampaign'));
  standby ||= campaign.state === 'sold_out' || campaign.remainingDoses === 0;
  if (session.pending) {
    showView('pending');
    return poll();
  }
  if (session.last) return showView('outcome');
  goChoose();
  if (session.choice.siteId && currentView() === 'choose') void loadSlots(session.choice.siteId);
}

void main();
