// The booking form's strings and formats; the language: ../shared/i18n-core.js.
import { lang, local, translate, translator } from '../shared/i18n-core.js';

export { formatNumber, lang, local, setLang } from '../shared/i18n-core.js';

const STRINGS = {
  th: {
    title: 'จองวัคซีน',
    switchTo: 'English',
    loading: 'กำลังโหลดข้อมูล…',
    standbyMode: 'วัคซีนรอบนี้ถูกจองครบแล้ว แบบฟอร์มนี้ใช้ลงชื่อสำรอง หากมีผู้ยกเลิกจะแจ้งทาง SMS ตามลำดับ',
    stepChoose: '1. เลือกกลุ่ม สถานที่ และเวลา',
    stepPerson: '2. ข้อมูลผู้รับวัคซีน',
    stepConfirm: '3. ตรวจสอบและยืนยัน',
    group: 'กลุ่มเป้าหมาย',
    site: 'สถานที่ฉีดวัคซีน',
    pickSite: '— เลือกสถานที่ —',
    day: 'วันที่',
    pickDay: '— เลือกวันที่ —',
    time: 'รอบเวลา',
    left: (n) => `เหลือ ${n} ที่`,
    full: 'เต็มแล้ว',
    siteLeft: (n) => `สถานที่นี้เหลือ ${n} ที่ในทุกรอบ`,
    loadingSlots: 'กำลังโหลดรอบเวลา…',
    noSlots: 'สถานที่นี้ไม่มีรอบเวลาว่าง กรุณาเลือกสถานที่อื่น',
    next: 'ถัดไป',
    back: 'ย้อนกลับ',
    edit: 'แก้ไข',
    firstName: 'ชื่อ',
    lastName: 'นามสกุล',
    citizenId: 'เลขประจำตัวประชาชน 13 หลัก',
    birthDate: 'วันเกิด',
    phone: 'เบอร์โทรศัพท์มือถือ (สำหรับรับ SMS)',
    phoneHint: 'เช่น 081 234 5678',
    province: (p) => `ข้าพเจ้ามีทะเบียนบ้านอยู่ในจังหวัด${p}`,
    provinceThis: 'ข้าพเจ้ามีทะเบียนบ้านอยู่ในจังหวัดของแคมเปญนี้',
    idMore: (n) => `กรอกอีก ${n} หลัก`,
    idOk: 'เลขตรวจสอบถูกต้อง',
    idBad: 'เลขหลักสุดท้าย (เลขตรวจสอบ) ไม่ตรง กรุณาตรวจสอบเลขบัตรอีกครั้ง',
    required: 'กรุณากรอกข้อมูลนี้',
    choose: 'กรุณาเลือก',
    errCitizenId: 'เลขประจำตัวประชาชนไม่ถูกต้อง กรุณาตรวจสอบอีกครั้ง',
    errPhone: 'กรุณากรอกเบอร์มือถือ 10 หลักที่ขึ้นต้นด้วย 06 08 หรือ 09',
    errBirth: 'กรุณากรอกวันเกิดที่ถูกต้อง',
    errProvince: 'แคมเปญนี้สำหรับผู้มีทะเบียนบ้านในจังหวัดนี้เท่านั้น',
    formErrors: (n) => `กรุณาแก้ไขข้อมูล ${n} รายการ`,
    confirmLead: 'กรุณาตรวจสอบว่าถูกต้อง แล้วกดยืนยัน',
    when: 'วันและเวลา',
    name: 'ชื่อ-นามสกุล',
    submit: 'ยืนยันการจอง',
    submitStandby: 'ยืนยันลงชื่อสำรอง',
    pendingTitle: 'กำลังดำเนินการจอง…',
    pendingBody: 'ระบบได้รับคำขอแล้ว กรุณาเปิดหน้านี้ไว้ หากรีเฟรช ระบบจะติดตามผลต่อให้',
    confirmedTitle: 'จองสำเร็จ',
    reference: 'รหัสการจอง',
    smsFollows: 'ท่านจะได้รับ SMS ยืนยันนัดหมายทางเบอร์ที่ให้ไว้ กรุณาแสดงรหัสนี้ในวันรับวัคซีน',
    standbyTitle: 'ลงชื่อสำรองแล้ว',
    standbyPosition: (n) => `ลำดับสำรองของท่าน: ${n}`,
    standbyBody: 'หากมีผู้ยกเลิก ระบบจะจัดนัดให้ตามลำดับและแจ้งทาง SMS',
    rejectedTitle: 'ไม่สามารถจองได้',
    soldOutTitle: 'วัคซีนถูกจองครบแล้ว',
    tryAgain: 'แก้ไขแล้วส่งใหม่',
    family: (n) => `จองให้สมาชิกในครอบครัวอีกคน (เหลือ ${n} คน)`,
    familyDone: 'ใช้สิทธิ์จองครบจำนวนแล้ว',
    lookup: 'ตรวจสอบ / ยกเลิก / เลื่อนนัด',
    bookedSoFar: 'ผลการจองในครั้งนี้',
    noAccessTitle: 'ยังไม่ได้รับสิทธิ์เข้าจอง',
    noAccessBody: 'กรุณาเข้าคิวก่อน เมื่อถึงคิวแล้วระบบจะพามาที่แบบฟอร์มนี้',
    expiredTitle: 'สิทธิ์เข้าจองหมดเวลาแล้ว',
    expiredBody: 'กรุณากลับไปที่หน้าคิวเพื่อเข้าคิวใหม่',
    exhausted: 'สิทธิ์เข้าจองนี้ใช้จองครบจำนวนคนแล้ว',
    toQueue: 'กลับไปหน้าคิว',
    errorTitle: 'เกิดข้อผิดพลาด',
    noCampaign: 'ไม่พบแคมเปญนี้ กรุณาตรวจสอบลิงก์อีกครั้ง',
    busy: 'มีผู้ใช้งานจำนวนมาก ระบบจะลองส่งใหม่ให้อัตโนมัติ ข้อมูลของท่านยังอยู่',
    reconnecting: 'กำลังเชื่อมต่อใหม่… ข้อมูลของท่านยังอยู่ ไม่ต้องรีเฟรช',
    at: (day, time) => `${day} เวลา ${time} น.`,
    expiresAt: (time, n) => `สิทธิ์เข้าจองใช้ได้ถึง ${time} น. จองได้อีก ${n} คน`,
  },
  en: {
    title: 'Vaccine booking',
    switchTo: 'ภาษาไทย',
    loading: 'Loading…',
    standbyMode:
      'All doses of this round are taken. This form puts you on the standby list; if someone cancels you will be told by SMS, in order.',
    stepChoose: '1. Group, site and time',
    stepPerson: '2. The person to vaccinate',
    stepConfirm: '3. Check and confirm',
    group: 'Priority group',
    site: 'Vaccination site',
    pickSite: '— Choose a site —',
    day: 'Date',
    pickDay: '— Choose a date —',
    time: 'Time',
    left: (n) => `${n} left`,
    full: 'full',
    siteLeft: (n) => `${n} places left at this site across all times`,
    loadingSlots: 'Loading times…',
    noSlots: 'This site has no free times; please choose another site.',
    next: 'Next',
    back: 'Back',
    edit: 'Change',
    firstName: 'First name',
    lastName: 'Last name',
    citizenId: '13-digit citizen ID',
    birthDate: 'Date of birth',
    phone: 'Mobile number (for the SMS)',
    phoneHint: 'e.g. 081 234 5678',
    province: (p) => `I live in ${p} (house registration)`,
    provinceThis: 'I live in this campaign’s province (house registration)',
    idMore: (n) => `${n} more digit${n === 1 ? '' : 's'}`,
    idOk: 'Check digit is correct',
    idBad: 'The last digit (check digit) does not match; please check the ID again',
    required: 'Please fill this in',
    choose: 'Please choose one',
    errCitizenId: 'This citizen ID is not valid; please check it',
    errPhone: 'Please enter a 10-digit mobile number starting 06, 08 or 09',
    errBirth: 'Please enter a valid date of birth',
    errProvince: 'This campaign is only for people registered as living in its province',
    formErrors: (n) => `Please correct ${n} field${n === 1 ? '' : 's'}`,
    confirmLead: 'Please check the details, then confirm.',
    when: 'Date and time',
    name: 'Name',
    submit: 'Confirm booking',
    submitStandby: 'Join the standby list',
    pendingTitle: 'Booking…',
    pendingBody:
      'Your request was received. Keep this page open; after a refresh it keeps following the request.',
    confirmedTitle: 'Booked',
    reference: 'Booking reference',
    smsFollows: 'An SMS confirming the appointment will follow. Show this reference on the day.',
    standbyTitle: 'On the standby list',
    standbyPosition: (n) => `Your standby position: ${n}`,
    standbyBody: 'If someone cancels, you get their place in order and are told by SMS.',
    rejectedTitle: 'Could not book',
    soldOutTitle: 'All doses are taken',
    tryAgain: 'Change and send again',
    family: (n) => `Book for another family member (${n} left)`,
    familyDone: 'Every booking this access allows has been used',
    lookup: 'Look up / cancel / reschedule',
    bookedSoFar: 'Bookings made this time',
    noAccessTitle: 'You have not been let in yet',
    noAccessBody: 'Please join the queue first; when it is your turn it brings you to this form.',
    expiredTitle: 'Your booking time has run out',
    expiredBody: 'Please go back to the queue page and join again.',
    exhausted: 'Every booking this access allows has been used.',
    toQueue: 'Back to the queue',
    errorTitle: 'Something went wrong',
    noCampaign: 'This campaign was not found. Please check the link.',
    busy: 'Many people are booking; we will resend for you. Your details are kept.',
    reconnecting: 'Reconnecting… your details are kept, no need to refresh.',
    at: (day, time) => `${day} at ${time}`,
    expiresAt: (time, n) => `Your access lasts until ${time}; ${n} more people can be booked.`,
  },
};

export const t = translator(STRINGS);

const ZONE = 'Asia/Bangkok';
const formats = {};
/** `part(type)` of `date` formatted as `kind` in Bangkok. */
function partsOf(kind, date) {
  const key = `${lang}:${kind}`;
  if (!formats[key]) {
    const locale = lang === 'th' ? 'th-TH-u-ca-buddhist-nu-latn' : 'en-GB';
    const options =
      kind === 'day'
        ? { weekday: 'long', day: 'numeric', month: 'short', year: 'numeric' }
        : { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };
    formats[key] = new Intl.DateTimeFormat(locale, { timeZone: ZONE, ...options });
  }
  const parts = formats[key].formatToParts(date);
  return (type) => parts.find((p) => p.type === type)?.value ?? '';
}

/** 'จันทร์ 2 ส.ค. 2564' (Buddhist era) or 'Monday 2 Aug 2021', for the day in Bangkok. */
export function formatDay(date) {
  const part = partsOf('day', date);
  const weekday = part('weekday').replace(/^วัน/, '');
  return `${weekday} ${part('day')} ${part('month')} ${part('year')}`;
}

/** '09:00' in Bangkok. */
export function formatTime(date) {
  const part = partsOf('time', date);
  return `${part('hour')}:${part('minute')}`;
}

/** 'จันทร์ 2 ส.ค. 2564 เวลา 09:00 น.' */
export const formatWhen = (date) => t('at', formatDay(date), formatTime(date));

/** The Bangkok calendar day of an instant, 'YYYY-MM-DD', to group slots by day. */
export const bangkokDay = (date) => new Date(date.getTime() + 7 * 3600_000).toISOString().slice(0, 10);

export const applyLang = (root = document) => translate(t, root);

/** The gateway sends each rejection's text; the code alone only if it did not. */
export function reasonText(code, message) {
  return message ? local(message) : `${t('rejectedTitle')} (${code})`;
}
