// Around the steps: what the form knows, which view shows, the notes and field errors.
import { $, switchView } from '../shared/dom.js';
import { formatTime, local, showLocal, translate } from '../shared/i18n-core.js';
import { t } from './i18n.js';

const params = new URLSearchParams(location.search);

export const form = {
  campaignId: params.get('campaign'),
  standby: params.get('standby') === '1',
  campaign: null,
  token: '',
  claims: null,
};

/** Survives a reload (sessionStorage of this tab). */
export const session = { choice: {}, person: {}, pending: null, results: [], last: null };

const storageKey = () => `khiw:book:${form.campaignId}`;

export function save() {
  try {
    sessionStorage.setItem(storageKey(), JSON.stringify(session));
  } catch {
    // Storage blocked: the page still works until it is reloaded.
  }
}

export function restore() {
  try {
    Object.assign(session, JSON.parse(sessionStorage.getItem(storageKey()) ?? 'null'));
    form.token = sessionStorage.getItem(`khiw:access:${form.campaignId}`) ?? '';
  } catch {
    form.token = '';
  }
  form.claims = form.token ? tokenClaims(form.token) : null;
}

/** The token's claims, read without verifying (the gateway verifies). */
function tokenClaims(token) {
  try {
    const payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const json = decodeURIComponent(
      [...window.atob(payload)].map((c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`).join(''),
    );
    return JSON.parse(json);
  } catch {
    return null;
  }
}

export const tokenUsable = () =>
  Boolean(form.claims) && (!form.claims.exp || form.claims.exp * 1000 > Date.now());

export const peopleLeft = () =>
  Math.max(0, (Number(form.claims?.maxBookings) || 1) - session.results.length - (session.pending ? 1 : 0));

export const provinceCode = () =>
  form.campaign?.provinceCode ?? form.campaign?.eligibility?.provinceCode ?? null;
export const siteOf = (id) => form.campaign?.sites?.find((s) => s.id === id);
export const groupOf = (code) => form.campaign?.groups?.find((g) => g.code === code);
/** No dose left: whatever is sent goes on the standby list (the worker decides). */
export const dosesGone = (campaign) => campaign?.state === 'sold_out' || campaign?.remainingDoses === 0;

export const CHOICE_FIELDS = ['groupCode', 'siteId', 'day', 'slotId'];
export const PERSON_FIELDS = ['firstName', 'lastName', 'citizenId', 'birthDate', 'phone'];
export const FIELD_ORDER = [...CHOICE_FIELDS, ...PERSON_FIELDS, 'provinceCode'];
export const FORM_VIEWS = ['choose', 'person', 'confirm'];
const BLOCKED = {
  noAccess: ['noAccessTitle', 'noAccessBody'],
  expired: ['expiredTitle', 'expiredBody'],
  exhausted: ['familyDone', 'lookup'],
};
const drawers = {}; // view → its step's render
let connection = '';
let blocked = '';
let errors = {}; // field → i18n key, or {th, en} from the gateway

export const drawView = (view, draw) => (drawers[view] = draw);
export const currentView = () => document.body.dataset.state;

export function showView(name) {
  switchView(name);
  $('results').hidden = name !== 'outcome' || session.results.length === 0;
  render();
}

export function render() {
  translate(t);
  showLocal($('campaign-name'), form.campaign?.name);
  document.title = `${$('campaign-name').textContent} · khiw`;
  if (connection) showConnection(connection);
  const view = currentView();
  $('standby-note').hidden = !form.standby || !FORM_VIEWS.includes(view);
  renderAccessNote();
  drawers[view]?.();
  if (view === 'blocked') {
    const [title, text] = BLOCKED[blocked];
    $('blocked-title').textContent = t(title);
    $('blocked-text').textContent = t(text);
  }
  renderErrors();
}

export function renderAccessNote() {
  const usable = tokenUsable() && peopleLeft() > 0 && FORM_VIEWS.includes(currentView());
  const { exp } = form.claims ?? {};
  $('access-note').hidden = !usable || !exp;
  if (usable && exp)
    $('access-note').textContent = t('expiresAt', formatTime(new Date(exp * 1000)), peopleLeft());
}

export function showConnection(kind) {
  connection = kind;
  $('connection').hidden = !kind;
  $('connection').textContent = kind ? t(kind) : '';
}

export const announce = (text) => ($('announce').textContent = text);

export function showError(text) {
  $('error-text').textContent = text;
  showView('error');
}

/** No usable token: back to the queue. */
export function block(kind) {
  blocked = kind;
  showView('blocked');
}

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
  // The citizen ID's live hint gives way to its error: one message, not two.
  $('citizenId-hint').hidden = Boolean(errors.citizenId);
}

export const clearErrors = () => (errors = {});

/** One field's error, shown without moving the keyboard (a time that filled up meanwhile). */
export function setError(name, message) {
  errors[name] = message;
  renderErrors();
}

export function clearError(name) {
  if (!errors[name]) return;
  delete errors[name];
  renderErrors();
}

/** The first error's step, with the keyboard on its control. */
export function showErrors(next) {
  errors = next;
  const first = FIELD_ORDER.find((name) => errors[name]);
  showView(CHOICE_FIELDS.includes(first) ? 'choose' : 'person');
  const control = controlsOf(first).find((c) => !c.disabled) ?? controlsOf(first)[0];
  control?.focus();
  announce(t('formErrors', Object.keys(errors).length));
}
