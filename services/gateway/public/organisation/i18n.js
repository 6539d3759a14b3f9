// The organisation page's words; the language (one choice for every page): ../shared/i18n-core.js.
import { translate, translator } from '../shared/i18n-core.js';

const STRINGS = {
  th: {
    area: 'องค์กร',
    title: 'จองวัคซีนจากรายชื่อขององค์กร',
    token: 'รหัสผ่านขององค์กร (โทเคน)',
    signIn: 'เข้าสู่ระบบ',
    file: 'ไฟล์รายชื่อ (CSV UTF-8, ไม่เกิน 5,000 คน)',
    columns:
      'คอลัมน์: citizen_id, first_name, last_name, birth_date, phone, group, site, slot (หรือ date และ time), province_code, language',
    upload: 'อัปโหลดและจอง',
    download: 'ดาวน์โหลดผลทุกแถว (CSV)',
    refusedTitle: 'แถวที่จองไม่ได้',
    line: 'บรรทัด',
    name: 'ชื่อ-นามสกุล',
    citizenId: 'เลขบัตร',
    reason: 'เหตุผล',
    sending: 'กำลังส่งไฟล์…',
    running: (done, total) => `กำลังจอง ${done} จาก ${total} แถว`,
    done: (total) => `เสร็จแล้ว ทั้งหมด ${total} แถว`,
    stopped: (done, total) => `หยุดก่อนครบ: ได้ผล ${done} จาก ${total} แถว อัปโหลดไฟล์เดิมอีกครั้งได้ ไม่มีการจองซ้ำ`,
    booked: 'จองได้',
    already_booked: 'จองไว้แล้ว (ไม่นับซ้ำ)',
    standby: 'รายชื่อสำรอง',
    refused: 'จองไม่ได้',
    pending: 'ยังไม่ทราบผล',
    malformed: 'ไฟล์ไม่ถูกต้อง ไม่มีการจองใด ๆ:',
    lineOf: (n) => (n ? `บรรทัด ${n}` : 'ทั้งไฟล์'),
    badToken: 'โทเคนไม่ถูกต้องหรือหมดอายุ',
    error: 'เกิดข้อผิดพลาด กรุณาลองใหม่',
    switchTo: 'English',
  },
  en: {
    area: 'Organisation',
    title: "Book vaccinations from your organisation's list",
    token: 'Organisation token',
    signIn: 'Sign in',
    file: 'List file (CSV UTF-8, at most 5,000 people)',
    columns:
      'Columns: citizen_id, first_name, last_name, birth_date, phone, group, site, slot (or date and time), province_code, language',
    upload: 'Upload and book',
    download: 'Download every row’s result (CSV)',
    refusedTitle: 'Rows not booked',
    line: 'Line',
    name: 'Name',
    citizenId: 'Citizen ID',
    reason: 'Reason',
    sending: 'Sending the file…',
    running: (done, total) => `Booking: ${done} of ${total} rows`,
    done: (total) => `Done: all ${total} rows`,
    stopped: (done, total) =>
      `Stopped early: ${done} of ${total} rows have a result. Upload the same file again; nobody is booked twice`,
    booked: 'Booked',
    already_booked: 'Already booked (not counted again)',
    standby: 'Standby',
    refused: 'Not booked',
    pending: 'No answer yet',
    malformed: 'The file is malformed; nothing was booked:',
    lineOf: (n) => (n ? `Line ${n}` : 'The file'),
    badToken: 'The token is not valid or has expired',
    error: 'Something went wrong; please try again',
    switchTo: 'ภาษาไทย',
  },
};

export const t = translator(STRINGS);

export const applyLang = () => translate(t);
