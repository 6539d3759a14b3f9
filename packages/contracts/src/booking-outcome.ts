import { z } from 'zod';
import { isoDateTime, localized } from './primitives';

/**
 * Why a request did not become a booking or a standby place. Stable codes: the gateway
 * answers with the code and its Thai and English text (REJECTION_MESSAGES), the booking
 * page shows the text, logs and metrics carry the code.
 */
export const REJECTION_CODES = [
  'NOT_ELIGIBLE_PROVINCE',
  'NOT_ELIGIBLE_AGE',
  'ALREADY_VACCINATED',
  'ALREADY_BOOKED',
  'SLOT_FULL',
  'SOLD_OUT',
  'CAMPAIGN_CLOSED',
  'UNKNOWN_CAMPAIGN',
  'UNKNOWN_GROUP',
  'UNKNOWN_SITE',
  'UNKNOWN_SLOT',
  'SITE_MISMATCH',
  'PROCESSING_FAILED',
] as const;
export const RejectionCode = z.enum(REJECTION_CODES);
export type RejectionCode = z.infer<typeof RejectionCode>;

export const REJECTION_MESSAGES: Record<RejectionCode, { th: string; en: string }> = {
  NOT_ELIGIBLE_PROVINCE: {
    th: 'สิทธิ์นี้สำหรับผู้มีทะเบียนบ้านในจังหวัดของแคมเปญเท่านั้น',
    en: 'This campaign is only for people registered as living in its province.',
  },
  NOT_ELIGIBLE_AGE: {
    th: 'อายุไม่อยู่ในเกณฑ์ของแคมเปญหรือกลุ่มที่เลือก',
    en: 'Your age is outside what this campaign or group allows.',
  },
  ALREADY_VACCINATED: {
    th: 'ทะเบียนกลางแจ้งว่าท่านได้รับวัคซีนแล้ว จึงจองซ้ำไม่ได้',
    en: 'The national registry says you are already vaccinated, so you cannot book again.',
  },
  ALREADY_BOOKED: {
    th: 'เลขบัตรประชาชนนี้มีการจองในแคมเปญนี้แล้ว ตรวจสอบนัดได้ที่หน้าตรวจสอบนัดหมาย',
    en: 'This citizen ID already has a booking in this campaign; check it on the look-up page.',
  },
  SLOT_FULL: {
    th: 'รอบเวลาที่เลือกเต็มแล้ว กรุณาเลือกรอบอื่น',
    en: 'The time slot you chose is full; please choose another.',
  },
  SOLD_OUT: {
    th: 'วัคซีนหมดแล้ว และรายชื่อสำรองเต็มแล้ว',
    en: 'All doses are taken and the standby list is full.',
  },
  CAMPAIGN_CLOSED: { th: 'แคมเปญนี้ปิดรับจองแล้ว', en: 'This campaign is closed for booking.' },
  UNKNOWN_CAMPAIGN: { th: 'ไม่พบแคมเปญนี้', en: 'No such campaign.' },
  UNKNOWN_GROUP: { th: 'ไม่พบกลุ่มที่เลือก', en: 'No such priority group in this campaign.' },
  UNKNOWN_SITE: { th: 'ไม่พบสถานที่ฉีดที่เลือก', en: 'No such vaccination site in this campaign.' },
  UNKNOWN_SLOT: { th: 'ไม่พบรอบเวลาที่เลือก', en: 'No such time slot in this campaign.' },
  SITE_MISMATCH: {
    th: 'รอบเวลาที่เลือกไม่ได้อยู่ที่สถานที่ฉีดที่เลือก',
    en: 'The chosen time slot is not at the chosen site.',
  },
  PROCESSING_FAILED: {
    th: 'ระบบไม่สามารถดำเนินการคำขอได้ กรุณาลองใหม่',
    en: 'Your request could not be processed; please try again.',
  },
};

/** Codes after which the same person may send a corrected request (new site, slot...). */
export const RETRYABLE_REJECTIONS: ReadonlySet<RejectionCode> = new Set<RejectionCode>([
  'SLOT_FULL',
  'UNKNOWN_GROUP',
  'UNKNOWN_SITE',
  'UNKNOWN_SLOT',
  'SITE_MISMATCH',
  'NOT_ELIGIBLE_PROVINCE',
  'NOT_ELIGIBLE_AGE',
  'PROCESSING_FAILED',
]);

/** An appointment as the resident sees it. */
export const Appointment = z.object({
  bookingId: z.uuid(),
  reference: z.string(),
  status: z.enum(['confirmed', 'cancelled']),
  groupCode: z.string(),
  siteId: z.string(),
  siteName: localized,
  slotId: z.string(),
  startsAt: isoDateTime,
});
export type Appointment = z.infer<typeof Appointment>;

/**
 * What the booking worker made of one request: the BullMQ job's return value, and what
 * `GET /api/bookings/requests/:requestId` reports once the job is done.
 */
export const BookingOutcome = z.discriminatedUnion('status', [
  z.object({ status: z.literal('confirmed'), booking: Appointment }),
  z.object({
    status: z.literal('standby'),
    standby: z.object({ standbyId: z.uuid(), position: z.number().int().min(1), siteId: z.string() }),
  }),
  z.object({ status: z.literal('rejected'), reason: RejectionCode }),
]);
export type BookingOutcome = z.infer<typeof BookingOutcome>;
