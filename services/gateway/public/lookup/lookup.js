// Self-service for a resident: look the appointment up by citizen ID + birth date, cancel it,
// or move it to another time at the same site (the site is never swapped for a default).
import { renderDays, renderTimes, slotsByDay } from '../shared/choice-controls.js';
import { $, facts } from '../shared/dom.js';
import { ApiError, fetchSlots, request } from '../shared/http.js';
import { formatWhen, lang, languageSwitch, local, translate, translator } from '../shared/i18n-core.js';
import { citizenIdState, validBirthDate } from '../shared/resident-input.js';

const STRINGS = {
  th: {
    title: 'ตรวจสอบ ยกเลิก หรือเลื่อนนัด',
    lead: 'กรอกเลขประจำตัวประชาชนและวันเกิดของผู้ที่จองไว้',
    citizenId: 'เลขประจำตัวประชาชน 13 หลัก',
    birthDate: 'วันเกิด',
    find: 'ตรวจสอบ',
    errCitizenId: 'เลขประจำตัวประชาชนไม่ถูกต้อง',
    errBirth: 'กรุณากรอกวันเกิดที่ถูกต้อง',
    notFound: 'ไม่พบนัดหมายที่ตรงกับเลขบัตรและวันเกิดนี้',
    booked: 'นัดหมายของท่าน',
    cancelled: 'นัดหมายนี้ถูกยกเลิกแล้ว',
    standby: (n) => `ท่านอยู่ในรายชื่อสำรอง ลำดับที่ ${n}`,
    reference: 'รหัสการจอง',
    site: 'สถานที่ฉีดวัคซีน',
    when: 'วันและเวลา',
    cancel: 'ยกเลิกนัด',
    cancelSure: 'กดอีกครั้งเพื่อยืนยันการยกเลิก',
    reschedule: 'เลื่อนนัด (สถานที่เดิม)',
    moveSave: 'ยืนยันเวลาใหม่',
    newDay: 'วันที่ใหม่',
    newTime: 'เวลาใหม่',
    choose: 'กรุณาเลือกเวลาใหม่',
    error: 'เกิดข้อผิดพลาด กรุณาลองใหม่',
  },
  en: {
    title: 'Look up, cancel or reschedule',
    lead: 'Enter the citizen ID and date of birth of the person booked.',
    citizenId: '13-digit citizen ID',
    birthDate: 'Date of birth',
    find: 'Look up',
    errCitizenId: 'This citizen ID is not valid',
    errBirth: 'Please enter a valid date of birth',
    notFound: 'No appointment matches this citizen ID and date of birth.',
    booked: 'Your appointment',
    cancelled: 'This appointment is cancelled',
    standby: (n) => `You are on the standby list, position ${n}`,
    reference: 'Booking reference',
    site: 'Vaccination site',
    when: 'Date and time',
    cancel: 'Cancel appointment',
    cancelSure: 'Press again to confirm the cancellation',
    reschedule: 'Reschedule (same site)',
    moveSave: 'Confirm the new time',
    newDay: 'New date',
    newTime: 'New time',
    choose: 'Please choose a new time',
    error: 'Something went wrong; please try again',
  },
  my: () => import('./i18n-my.js'),
};
const tt = translator(STRINGS);
const campaignId = new URLSearchParams(location.search).get('campaign') ?? '';
let who = null; // { citizenId, birthDate } that matched
let state = null; // { booking, standby }
let days = new Map();
let moving = false;
let cancelArmed = false;

function apply() {
  translate(tt);
  if (moving) $('reschedule').textContent = tt('moveSave');
  if (cancelArmed) $('cancel').textContent = tt('cancelSure');
  if (state) renderState();
}

function fail(el, error) {
  el.hidden = false;
  el.textContent =
    error instanceof ApiError && error.status === 404
      ? tt('notFound')
      : local(error?.problem?.message) || tt('error');
}

function renderState() {
  const { booking, standby } = state;
  const body = [];
  if (booking) {
    $('result-title').textContent = tt(booking.status === 'cancelled' ? 'cancelled' : 'booked');
    body.push(
      facts([
        [tt('reference'), booking.reference],
        [tt('site'), local(booking.siteName) || booking.siteId],
        [tt('when'), formatWhen(new Date(booking.startsAt))],
      ]),
    );
  } else if (standby) {
    $('result-title').textContent = tt('standby', standby.position);
  }
  $('result-body').replaceChildren(...body);
  $('actions').hidden = !(booking && booking.status === 'confirmed');
}

async function find(event) {
  event.preventDefault();
  const citizenId = citizenIdState($('citizenId').value);
  const birthDate = $('birthDate').value;
  $('err-citizenId').hidden = citizenId.state === 'ok';
  $('err-citizenId').textContent = tt('errCitizenId');
  $('err-birthDate').hidden = validBirthDate(birthDate);
  $('err-birthDate').textContent = tt('errBirth');
  $('find-error').hidden = true;
  if (citizenId.state !== 'ok') return $('citizenId').focus();
  if (!validBirthDate(birthDate)) return $('birthDate').focus();
  try {
    const body = { campaignId, citizenId: citizenId.digits, birthDate };
    state = await request('/api/appointments/lookup', { method: 'POST', body, idempotent: true });
    who = { citizenId: citizenId.digits, birthDate };
    // A press armed for the previous person must not cancel this one's booking.
    moving = false;
    cancelArmed = false;
    $('action-error').hidden = true;
    $('move').hidden = true;
    $('result').hidden = false;
    apply();
    $('result-title').focus();
  } catch (error) {
    // Nothing of an earlier match stays behind the hidden result (a language switch redraws it).
    state = null;
    who = null;
    cancelArmed = false;
    $('result').hidden = true;
    fail($('find-error'), error);
  }
}

async function cancel() {
  if (!cancelArmed) {
    cancelArmed = true;
    return apply();
  }
  cancelArmed = false;
  $('action-error').hidden = true;
  try {
    const answer = await request(`/api/appointments/${state.booking.bookingId}/cancel`, {
      method: 'POST',
      body: who,
    });
    state = { ...state, booking: answer.booking ?? { ...state.booking, status: 'cancelled' } };
    $('move').hidden = true;
    apply();
    $('announce').textContent = tt('cancelled');
  } catch (error) {
    fail($('action-error'), error);
  }
  $('cancel').textContent = tt('cancel');
}

async function reschedule() {
  $('action-error').hidden = true;
  const { booking } = state;
  if (cancelArmed) {
    cancelArmed = false;
    $('cancel').textContent = tt('cancel');
  }
  if (!moving) {
    try {
      const site = await fetchSlots(campaignId, booking.siteId);
      days = slotsByDay((site.slots ?? []).filter((s) => s.id !== booking.slotId));
      renderDays($('day'), days, undefined, false);
      renderTimes($('times'), [], undefined, false);
      moving = true;
      $('move').hidden = false;
      apply();
      $('day').focus();
    } catch (error) {
      fail($('action-error'), error);
    }
    return;
  }
  const slotId = document.querySelector('#times input:checked')?.value;
  if (!slotId) {
    $('action-error').hidden = false;
    $('action-error').textContent = tt('choose');
    return;
  }
  try {
    const answer = await request(`/api/appointments/${booking.bookingId}/reschedule`, {
      method: 'POST',
      body: { ...who, slotId },
    });
    state = { ...state, booking: answer.booking ?? answer };
    moving = false;
    $('move').hidden = true;
    $('reschedule').textContent = tt('reschedule');
    apply();
    $('result-title').focus();
  } catch (error) {
    fail($('action-error'), error);
  }
}

await tt.load(lang).catch(() => undefined); // Thai words stand in
languageSwitch($('lang'), tt, apply);
$('find').addEventListener('submit', find);
$('cancel').addEventListener('click', () => void cancel());
$('reschedule').addEventListener('click', () => void reschedule());
$('day').addEventListener('change', () =>
  renderTimes($('times'), days.get($('day').value) ?? [], undefined, false),
);
apply();
