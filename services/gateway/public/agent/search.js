// A person's bookings (from the roster) by citizen ID or phone, each with cancel (asked twice),
// reschedule (the person's own route: their citizen ID and birth date prove it) and a slip.
import { $ } from '../shared/dom.js';
import { fetchSlots, request } from '../shared/http.js';
import { formatDay, formatTime, formatWhen, local } from '../shared/i18n-core.js';
import { digitsOf, thaiMobile } from '../shared/resident-input.js';
import { typedBirthDate } from './birth-date.js';
import { api, desk, refreshMe, siteOf } from './desk.js';
import { t } from './i18n.js';
import { fillSlip } from './slip.js';

let found = null; // { by: {citizenId}|{phone}, bookings }
const open = new Map(); // bookingId → 'cancel' | 'move'
const moveSlots = new Map(); // bookingId → slots at its site
let note = '';

function button(label, onClick, className = 'button secondary') {
  const b = Object.assign(document.createElement('button'), {
    type: 'button',
    className,
    textContent: label,
  });
  b.addEventListener('click', onClick);
  return b;
}

function field(id, label, value, attrs = {}) {
  const wrap = document.createElement('div');
  const l = Object.assign(document.createElement('label'), { htmlFor: id, textContent: label });
  const input = Object.assign(document.createElement(attrs.tag ?? 'input'), { id, ...attrs.props });
  if (attrs.tag !== 'select') input.value = value ?? '';
  wrap.append(l, input);
  return wrap;
}

function cancelBox(b) {
  const box = document.createElement('div');
  box.className = 'confirm';
  box.append(
    Object.assign(document.createElement('p'), { textContent: t('cancelSure') }),
    button(t('cancelYes'), () => void cancel(b), 'button danger'),
    button(t('cancelNo'), () => {
      open.delete(b.bookingId);
      renderResults();
    }),
  );
  return box;
}

function moveBox(b) {
  const box = document.createElement('form');
  box.className = 'move';
  const id = b.bookingId.slice(0, 8);
  const slots = (moveSlots.get(b.bookingId) ?? []).filter((s) => s.id !== b.slotId);
  box.append(
    Object.assign(document.createElement('p'), { className: 'hint', textContent: t('moveIdentity') }),
    field(`move-cid-${id}`, t('citizenId'), found.by.citizenId ?? '', { props: { inputMode: 'numeric' } }),
    field(`move-birth-${id}`, t('birthDate'), b.birthDate, { props: { inputMode: 'numeric' } }),
    field(`move-slot-${id}`, t('newSlot'), '', { tag: 'select' }),
  );
  const select = box.querySelector('select');
  select.name = 'slotId';
  select.append(
    ...slots.map((s) => {
      const at = new Date(s.startsAt);
      const option = new Option(`${formatDay(at)} ${formatTime(at)}`, s.id);
      option.disabled = s.remaining <= 0;
      return option;
    }),
  );
  const save = button(t('moveSave'), () => undefined, 'button');
  save.type = 'submit';
  box.append(save);
  box.addEventListener('submit', (event) => {
    event.preventDefault();
    void move(b, {
      citizenId: digitsOf(box.querySelector(`#move-cid-${id}`).value),
      birthDate:
        typedBirthDate(box.querySelector(`#move-birth-${id}`).value) ??
        box.querySelector(`#move-birth-${id}`).value,
      slotId: select.value,
    });
  });
  return box;
}

function item(b) {
  const li = document.createElement('li');
  li.className = `result card ${b.status}`;
  li.dataset.booking = b.bookingId;
  const site = local(siteOf(b.siteId)?.name) || b.siteId;
  const head = document.createElement('p');
  head.className = 'result-head';
  head.append(
    Object.assign(document.createElement('strong'), { textContent: `${b.firstName} ${b.lastName}` }),
    Object.assign(document.createElement('span'), { className: 'ref', textContent: b.reference }),
    Object.assign(document.createElement('span'), {
      className: `status status-${b.status}`,
      textContent: t(`status_${b.status}`) ?? b.status,
    }),
  );
  const where = Object.assign(document.createElement('p'), {
    textContent: `${site} · ${formatWhen(new Date(b.startsAt))}`,
  });
  li.append(head, where);
  if (b.status === 'confirmed') {
    const actions = document.createElement('p');
    actions.className = 'actions';
    actions.append(
      button(t('cancel'), () => {
        open.set(b.bookingId, 'cancel');
        renderResults();
        document.querySelector(`[data-booking="${b.bookingId}"] .confirm .danger`)?.focus();
      }),
      button(t('reschedule'), () => void startMove(b)),
      button(t('print'), () => {
        fillSlip({ ...b, name: `${b.firstName} ${b.lastName}` });
        window.print();
      }),
    );
    li.append(actions);
    if (open.get(b.bookingId) === 'cancel') li.append(cancelBox(b));
    if (open.get(b.bookingId) === 'move') li.append(moveBox(b));
  }
  return li;
}

export function renderResults() {
  $('find-note').textContent = note;
  $('results').replaceChildren(...(found?.bookings ?? []).map(item));
}

function say(text) {
  note = text;
  $('find-note').textContent = text;
}

async function search(event) {
  event?.preventDefault();
  const q = $('q').value;
  const digits = digitsOf(q);
  const by = digits.length === 13 ? { citizenId: digits } : thaiMobile(q) ? { phone: thaiMobile(q) } : null;
  if (!by) return say(t('findBad'));
  const [[key, value]] = Object.entries(by);
  try {
    const answer = await api(
      `/api/agent/bookings?campaignId=${encodeURIComponent(desk.campaignId)}&${key}=${encodeURIComponent(value)}`,
    );
    found = { by, bookings: answer.bookings ?? [] };
    open.clear();
    note = found.bookings.length ? t('matches', found.bookings.length) : t('noMatch');
    renderResults();
  } catch (error) {
    say(local(error?.problem?.message) || t('error'));
  }
}

async function cancel(b) {
  try {
    await api(`/api/appointments/${b.bookingId}/cancel`, { method: 'POST', body: {} });
    b.status = 'cancelled';
    open.delete(b.bookingId);
    note = t('cancelledNow', b.reference);
    renderResults();
    refreshMe();
  } catch (error) {
    say(local(error?.problem?.message) || t('error'));
  }
}

async function startMove(b) {
  try {
    const answer = await fetchSlots(desk.campaignId, b.siteId);
    moveSlots.set(b.bookingId, answer.slots ?? []);
    open.set(b.bookingId, 'move');
    renderResults();
    document.querySelector(`[data-booking="${b.bookingId}"] .move input`)?.focus();
  } catch (error) {
    say(local(error?.problem?.message) || t('error'));
  }
}

async function move(b, body) {
  try {
    // The resident's own route, without the agent's token: the person's identity proves it.
    const answer = await request(`/api/appointments/${b.bookingId}/reschedule`, { method: 'POST', body });
    const moved = answer.booking ?? answer;
    Object.assign(b, { slotId: moved.slotId ?? body.slotId, startsAt: moved.startsAt ?? b.startsAt });
    open.delete(b.bookingId);
    note = t('movedNow', b.reference);
    renderResults();
  } catch (error) {
    say(local(error?.problem?.message) || t('error'));
  }
}

export function wireSearch() {
  $('search').addEventListener('submit', (event) => void search(event));
}
