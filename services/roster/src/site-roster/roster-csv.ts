import { formatBangkokTime } from '@khiw/thai';
import { csvLine, UTF8_BOM } from '../ops/csv';
import type { SiteDayRoster } from './list-day-roster.usecase';

const STATUS_TH: Record<string, string> = {
  confirmed: 'จองแล้ว',
  promoted: 'จองแล้ว (จากรายชื่อสำรอง)',
  rescheduled: 'จองแล้ว (เลื่อนนัด)',
  cancelled: 'ยกเลิก',
  checked_in: 'มาแล้ว',
};

/** The day's list for the site, as a spreadsheet opens it: UTF-8 with BOM, Thai headers first. */
export function siteRosterCsv(roster: SiteDayRoster): string {
  let out =
    UTF8_BOM +
    csvLine([
      'เวลา (time)',
      'รหัสการจอง (reference)',
      'ชื่อ (first name)',
      'นามสกุล (last name)',
      'เลขบัตร (citizen ID, masked)',
      'วันเกิด (birth date)',
      'กลุ่ม (group)',
      'สถานะ (status)',
      'เวลาที่มา (checked in at)',
    ]);
  for (const slot of roster.slots) {
    for (const e of slot.entries) {
      out += csvLine([
        formatBangkokTime(new Date(e.startsAt)),
        e.reference,
        e.firstName,
        e.lastName,
        e.citizenId,
        e.birthDate,
        e.groupCode,
        `${STATUS_TH[e.status] ?? e.status} (${e.status})`,
        e.checkedInAt ? formatBangkokTime(new Date(e.checkedInAt)) : '',
      ]);
    }
  }
  return out;
}
