// The queue page's strings and formats; the language: ../shared/i18n-core.js.
import { lang, translate, translator } from '../shared/i18n-core.js';

const STRINGS = {
  th: {
    title: 'คิวจองวัคซีน',
    home: 'khiw คิว',
    joining: 'กำลังเข้าคิว…',
    joiningHint: 'กรุณาเปิดหน้านี้ไว้ ระบบกำลังจัดลำดับคิวให้คุณ อาจใช้เวลาสักครู่',
    prequeueTitle: 'ลงชื่อรอแล้ว รอเปิดคิว',
    prequeueBody: 'เมื่อถึงเวลาเปิด ทุกคนที่มารอก่อนเวลาจะได้รับลำดับแบบสุ่มอย่างเท่าเทียม หลังจากนั้นใครมาก่อนได้ก่อน',
    opensIn: 'เปิดคิวในอีก',
    opening: 'กำลังเปิดคิว…',
    waitingTitle: 'คุณอยู่ในคิวแล้ว',
    yourNumber: 'หมายเลขคิวของคุณ',
    position: 'ลำดับของคุณ',
    ahead: 'คนก่อนหน้าคุณ',
    wait: 'เวลารอโดยประมาณ',
    progress: 'ความคืบหน้าตั้งแต่เข้าคิว',
    keepOpen: 'หน้านี้อัปเดตเอง ไม่ต้องรีเฟรช หากรีเฟรชหรือเปิดแท็บใหม่ ลำดับของคุณยังคงเดิม',
    updated: (time) => `อัปเดตล่าสุด ${time} น.`,
    admittedTitle: 'ถึงคิวของคุณแล้ว',
    admittedBody: 'กดปุ่มด้านล่างเพื่อกรอกข้อมูลจองวัคซีน (จองให้สมาชิกในครอบครัวได้) กรุณาดำเนินการภายในเวลาที่กำหนด',
    admittedUntil: (time, n) => `สิทธิ์เข้าจองใช้ได้ถึง ${time} น. จองได้สูงสุด ${n} คน`,
    paused: 'เจ้าหน้าที่หยุดเรียกคิวชั่วคราว ลำดับของคุณยังอยู่ ไม่ต้องรีเฟรช',
    waitUnknown: 'รอเริ่มเรียกคิว',
    continue: 'ไปที่แบบฟอร์มจอง',
    soldOutTitle: 'วัคซีนรอบนี้ถูกจองครบแล้ว',
    soldOutBody: 'ขออภัย วัคซีนในรอบนี้ถูกจองเต็มแล้ว',
    standbyBody: 'แคมเปญนี้มีรายชื่อสำรอง หากมีผู้ยกเลิก ผู้ที่อยู่ในรายชื่อสำรองจะได้รับแจ้งทาง SMS ตามลำดับ',
    standbyContinue: 'ลงชื่อสำรอง',
    closedTitle: 'ปิดรับจองแล้ว',
    closedBody: 'การจองรอบนี้ปิดแล้ว โปรดติดตามประกาศรอบถัดไปจากหน่วยงานของท่าน',
    expiredTitle: 'ลำดับคิวของคุณหมดอายุแล้ว',
    expiredBody: 'คุณไม่ได้ดำเนินการต่อภายในเวลาที่กำหนด กดปุ่มด้านล่างเพื่อเข้าคิวใหม่',
    rejoin: 'เข้าคิวใหม่',
    errorTitle: 'ไม่สามารถเข้าคิวได้',
    noCampaign: 'ไม่พบแคมเปญนี้ กรุณาตรวจสอบลิงก์อีกครั้ง',
    backHome: 'กลับไปหน้าแรก',
    reconnecting: 'กำลังเชื่อมต่อใหม่… ลำดับคิวของคุณยังอยู่ ไม่ต้องรีเฟรช',
    busy: 'มีผู้ใช้งานจำนวนมาก ระบบจะลองใหม่ให้อัตโนมัติ ลำดับของคุณยังไม่หายไป',
    waitUnderMinute: 'ไม่ถึง 1 นาที',
    waitMinutes: (m) => `ประมาณ ${m} นาที`,
    waitHours: (h, m) => `ประมาณ ${h} ชม. ${m} นาที`,
    people: (n) => `${n} คน`,
    days: (d) => `${d} วัน `,
    announce: (p, a, w) => `ลำดับของคุณ ${p} มีคนก่อนหน้า ${a} คน รอประมาณ ${w}`,
  },
  en: {
    title: 'Vaccine booking queue',
    home: 'khiw queue',
    joining: 'Joining the queue…',
    joiningHint: 'Please keep this page open while we give you a place in the queue. This can take a moment.',
    prequeueTitle: 'You are registered; the queue opens soon',
    prequeueBody:
      'At opening time everyone who arrived early gets a fair, random place; after that it is first come, first served.',
    opensIn: 'Opens in',
    opening: 'Opening the queue…',
    waitingTitle: 'You are in the queue',
    yourNumber: 'Your queue number',
    position: 'Your position',
    ahead: 'People ahead of you',
    wait: 'Estimated wait',
    progress: 'Progress since you joined',
    keepOpen: 'This page updates itself; no need to refresh. A refresh or another tab keeps your place.',
    updated: (time) => `Last updated ${time}`,
    admittedTitle: "It's your turn",
    admittedBody:
      'Continue to the booking form (you can book for family members too). Please start before your turn expires.',
    admittedUntil: (time, n) => `Your access lasts until ${time}; up to ${n} people can be booked.`,
    paused: 'Staff have paused the queue for a moment. Your place is kept; no need to refresh.',
    waitUnknown: 'waiting for the queue to move',
    continue: 'Continue to booking',
    soldOutTitle: 'All doses in this round are taken',
    soldOutBody: 'Sorry, every dose in this round has been booked.',
    standbyBody:
      'This campaign keeps a standby list: if someone cancels, people on it are told by SMS, in order.',
    standbyContinue: 'Join the standby list',
    closedTitle: 'Booking is closed',
    closedBody: 'Booking for this round has closed. Please watch for the next round from your local office.',
    expiredTitle: 'Your place has expired',
    expiredBody: 'You did not continue in time. Join the queue again to get a new place.',
    rejoin: 'Join the queue again',
    errorTitle: 'Could not join the queue',
    noCampaign: 'This campaign was not found. Please check the link.',
    backHome: 'Back to the home page',
    reconnecting: 'Reconnecting… your place is kept, no need to refresh.',
    busy: 'Many people are connecting; we will retry for you. Your place is not lost.',
    waitUnderMinute: 'under a minute',
    waitMinutes: (m) => `about ${m} min`,
    waitHours: (h, m) => `about ${h} h ${m} min`,
    people: (n) => `${n}`,
    days: (d) => `${d} d `,
    announce: (p, a, w) => `Your position ${p}, ${a} people ahead, wait ${w}`,
  },
  // Fetched when first needed: the page stays light for the opening-day surge.
  my: () => import('./i18n-my.js'),
};

/** The string (or formatter result) for `key` in the current language. */
export const t = translator(STRINGS);

export function formatWait(seconds) {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds)) return t('waitUnknown');
  if (seconds < 60) return t('waitUnderMinute');
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return t('waitMinutes', minutes);
  return t('waitHours', Math.floor(minutes / 60), minutes % 60);
}

export function formatClock(date) {
  return date.toLocaleTimeString(lang === 'th' ? 'th-TH' : 'en-GB', { hour: '2-digit', minute: '2-digit' });
}

/** `2 วัน 03:04:05` style countdown. */
export function formatCountdown(ms) {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const days = Math.floor(total / 86400);
  const pad = (n) => String(n).padStart(2, '0');
  const hms = `${pad(Math.floor((total % 86400) / 3600))}:${pad(Math.floor((total % 3600) / 60))}:${pad(total % 60)}`;
  return days ? t('days', days) + hms : hms;
}

export const applyLang = (root = document) => translate(t, root);
