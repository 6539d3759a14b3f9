// The appointment slip for the person to take home, in Thai and English at once whatever the
// page's language (an elderly person's family may read either). Only the name and the
// reference identify them: no citizen ID, birth date or phone on paper left lying about.
import { $ } from '../shared/dom.js';
import { desk, siteOf } from './desk.js';

const ZONE = { timeZone: 'Asia/Bangkok' };
const thaiDay = new Intl.DateTimeFormat('th-TH-u-ca-buddhist-nu-latn', {
  ...ZONE,
  weekday: 'long',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
});
const englishDay = new Intl.DateTimeFormat('en-GB', {
  ...ZONE,
  weekday: 'long',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
});
const clock = new Intl.DateTimeFormat('en-GB', {
  ...ZONE,
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

const BRING = [
  ['บัตรประชาชนตัวจริง (หรือเอกสารที่ใช้จอง)', 'Your ID card (or the document used to book)'],
  ['ใบนัดนี้ หรือ SMS ยืนยันการจอง', 'This slip or the confirmation SMS'],
  ['มาก่อนเวลานัด 15 นาที', 'Come 15 minutes before your time'],
];

function el(tag, className, text, lang) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  if (lang) node.lang = lang;
  return node;
}

function pair(label, th, en) {
  const row = el('div', 'slip-row');
  row.append(el('p', 'slip-label', label), el('p', 'slip-th', th, 'th'), el('p', 'slip-en', en, 'en'));
  return row;
}

/** `{ reference, name, siteId, siteName?, startsAt }`: the slip printed next. */
export function fillSlip(booking) {
  const at = new Date(booking.startsAt);
  const site = booking.siteName ?? siteOf(booking.siteId)?.name ?? { th: booking.siteId, en: booking.siteId };
  const campaign = desk.campaign?.name ?? { th: '', en: '' };
  const time = clock.format(at);
  const bring = el('ul', 'slip-bring');
  for (const [th, en] of BRING) {
    const li = el('li');
    li.append(el('span', '', th, 'th'), el('span', 'slip-en', en, 'en'));
    bring.append(li);
  }
  $('slip').replaceChildren(
    el('h1', 'slip-title', 'ใบนัดฉีดวัคซีน · Vaccination appointment'),
    el('p', 'slip-campaign', [campaign.th, campaign.en].filter(Boolean).join(' · ')),
    el('p', 'slip-name', booking.name),
    el('p', 'slip-label', 'รหัสการจอง · Reference'),
    el('p', 'slip-reference', booking.reference),
    pair('สถานที่ · Site', site.th, site.en),
    pair(
      'วันและเวลา · Date and time',
      `${thaiDay.format(at)} เวลา ${time} น.`,
      `${englishDay.format(at)} at ${time}`,
    ),
    el('p', 'slip-label', 'สิ่งที่ต้องนำมา · What to bring'),
    bring,
  );
  $('slip').dataset.ready = 'true';
}
