import type { PersonFacingCode } from '@khiw/errors';

export type Localized = { th: string; en: string };

/**
 * Every word khiw shows a person about an error, in Thai and English: the gateway's own
 * refusals and the codes the booking worker and roster answer with (they send codes only).
 * Keyed by the whole PersonFacingCode list, so a new code without words fails the typecheck.
 */
export const PROBLEM_MESSAGES: { readonly [C in PersonFacingCode]: Localized } = {
  // Rejections of a booking request (the booking worker decides them).
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
  DOCUMENT_NOT_ACCEPTED: {
    th: 'แคมเปญนี้ไม่รับเอกสารประเภทนี้ (เช่น หนังสือเดินทาง) กรุณาใช้เอกสารที่แคมเปญกำหนด',
    en: 'This campaign does not accept this kind of document (a passport, say); please use one it accepts.',
  },
  CHANNEL_NOT_OFFERED: {
    th: 'แคมเปญนี้ไม่เปิดรับจองผ่านช่องทางนี้ กรุณาใช้ช่องทางอื่นที่แคมเปญประกาศ',
    en: 'This campaign does not take bookings through this channel; please use one it announced.',
  },
  CHANNEL_CLOSED: {
    th: 'ช่องทางนี้อยู่นอกเวลาทำการ กรุณาจองในเวลาที่แคมเปญประกาศ',
    en: 'This channel is outside its opening hours; please book during the hours the campaign announced.',
  },
  PROCESSING_FAILED: {
    th: 'ระบบไม่สามารถดำเนินการคำขอได้ กรุณาลองใหม่',
    en: 'Your request could not be processed; please try again.',
  },

  // Requests.
  INVALID_INPUT: {
    th: 'ข้อมูลบางช่องไม่ถูกต้อง กรุณาตรวจสอบและแก้ไข',
    en: 'Some fields are not valid; please check and correct them',
  },
  MALFORMED_JSON: { th: 'ข้อมูลที่ส่งมาไม่ถูกต้อง', en: 'The request body is not valid JSON' },
  BODY_TOO_LARGE: { th: 'ข้อมูลที่ส่งมามีขนาดใหญ่เกินไป', en: 'The request body is too large' },
  MALFORMED_REQUEST: { th: 'คำขอไม่ถูกต้อง', en: 'The request is not valid HTTP' },
  HEADERS_TOO_LARGE: { th: 'ส่วนหัวของคำขอมีขนาดใหญ่เกินไป', en: 'The request headers are too large' },
  REQUEST_TIMEOUT: { th: 'คำขอใช้เวลานานเกินไป กรุณาลองใหม่', en: 'The request took too long; please try again' },
  UNAUTHORIZED: { th: 'ไม่มีสิทธิ์', en: 'Not allowed' },
  NOT_FOUND: { th: 'ไม่พบข้อมูลที่ต้องการ', en: 'Not found' },
  ALREADY_CANCELLED: { th: 'การจองนี้ถูกยกเลิกไปแล้ว', en: 'This booking is already cancelled.' },
  QUOTA_BELOW_BOOKED: {
    th: 'โควตาต่ำกว่าจำนวนที่จองไปแล้วไม่ได้',
    en: 'A quota cannot go below what its group has booked.',
  },
  QUOTAS_OVER_TOTAL: {
    th: 'โควตารวมทุกกลุ่มเกินจำนวนวัคซีนของแคมเปญ',
    en: 'The quotas would add up to more than the campaign’s doses.',
  },
  SITE_SCOPE_REQUIRED: {
    th: 'บัตรผ่านของเจ้าหน้าที่ต้องระบุสถานที่ฉีด',
    en: 'A staff token must name its vaccination site',
  },
  SITE_FORBIDDEN: {
    th: 'บัตรผ่านนี้ใช้ได้เฉพาะสถานที่ฉีดของตนเท่านั้น',
    en: 'This token is for another vaccination site',
  },
  CAMPAIGN_FORBIDDEN: {
    th: 'บัตรผ่านนี้ใช้ได้เฉพาะแคมเปญที่ระบุไว้ในบัตรเท่านั้น',
    en: 'This token is for another campaign',
  },
  // Partner apps and stores (machine clients): their developers read these.
  PARTNER_CREDENTIALS_INVALID: {
    th: 'รหัสประจำตัวหรือกุญแจของพันธมิตรไม่ถูกต้อง',
    en: 'The partner credentials (client id, API key or signed assertion) are not valid',
  },
  PARTNER_CHANNEL_FORBIDDEN: {
    th: 'ช่องทางของพันธมิตรนี้ใช้รายการนี้ไม่ได้',
    en: "This partner's channel (app or store) may not call this route",
  },
  PARTNER_TICKET_FORBIDDEN: {
    th: 'บัตรคิวนี้เป็นของผู้ใช้ของพันธมิตรรายอื่น',
    en: "This ticket or access token is not one of this partner's users'",
  },
  IMPORT_ABORTED: {
    th: 'การอัปโหลดไม่สมบูรณ์ ไม่มีข้อมูลถูกนำเข้า',
    en: 'The upload broke off before its end; nothing was imported',
  },
  RATE_LIMITED: {
    th: 'มีการทำรายการมากเกินไป กรุณารอสักครู่แล้วลองใหม่',
    en: 'Too many attempts; please wait a moment and try again',
  },
  ORGANISATION_LIST_MALFORMED: {
    th: 'ไฟล์รายชื่อไม่ถูกต้อง ไม่มีการจองใด ๆ กรุณาแก้ไขตามบรรทัดที่แจ้งแล้วอัปโหลดใหม่',
    en: 'The list is malformed and nothing was booked; fix the lines listed and upload it again',
  },
  ORGANISATION_NOT_REGISTERED: {
    th: 'องค์กรนี้ยังไม่ได้รับโควตาในแคมเปญนี้ กรุณาติดต่อเจ้าหน้าที่',
    en: 'This organisation has no cap in this campaign yet; please contact the campaign staff',
  },
  ORGANISATION_CAP_REACHED: {
    th: 'องค์กรจองครบจำนวนที่ได้รับอนุญาตในแคมเปญนี้แล้ว',
    en: 'The organisation has booked as many people as its cap in this campaign allows',
  },
  DUPLICATE_IN_LIST: {
    th: 'เลขบัตรประชาชนนี้ซ้ำกับแถวก่อนหน้าในไฟล์',
    en: 'This citizen ID is already on an earlier line of the list',
  },

  // The waiting room's refusals: tickets, access and ops tokens, challenges.
  TOKEN_MISSING: { th: 'ไม่พบบัตรคิว กรุณาเข้าคิวใหม่', en: 'No queue ticket was sent; please join the queue' },
  TOKEN_INVALID: {
    th: 'บัตรคิวไม่ถูกต้องหรือถูกแก้ไข กรุณาเข้าคิวใหม่',
    en: 'The token is not valid (bad signature or format); please join the queue again',
  },
  TOKEN_EXPIRED: {
    th: 'บัตรคิวหมดอายุแล้ว กรุณาเข้าคิวใหม่',
    en: 'The token has expired; please join the queue again',
  },
  TOKEN_WRONG_AUDIENCE: {
    th: 'บัตรคิวนี้เป็นของแคมเปญอื่น ใช้กับแคมเปญนี้ไม่ได้',
    en: 'This token belongs to another campaign and cannot be used here',
  },
  TOKEN_WRONG_TYPE: { th: 'ใช้บัตรผิดประเภท', en: 'This kind of token cannot be used here' },
  TICKET_UNKNOWN: {
    th: 'ไม่พบคิวของบัตรนี้ กรุณาเข้าคิวใหม่',
    en: 'This ticket has no place in the queue; please join again',
  },
  TICKET_TAMPERED: {
    th: 'หมายเลขคิวในบัตรไม่ตรงกับที่ระบบบันทึกไว้',
    en: 'The queue number in this ticket does not match our record',
  },
  ROLE_FORBIDDEN: { th: 'คุณไม่มีสิทธิ์ทำรายการนี้', en: 'Your role does not allow this' },
  CHALLENGE_INVALID: {
    th: 'รหัสยืนยันหมดอายุหรือถูกใช้แล้ว กรุณาลองใหม่',
    en: 'The challenge is missing, used or expired; get a new one and try again',
  },
  PROOF_OF_WORK_INVALID: {
    th: 'การยืนยันไม่ถูกต้อง กรุณาลองใหม่',
    en: 'The proof of work is wrong; please try again',
  },
  CAMPAIGN_NOT_FOUND: { th: 'ไม่พบแคมเปญนี้', en: 'No such campaign' },
  QUEUE_FINAL: { th: 'คิวปิดแล้ว', en: 'The queue is closed' },
  QUEUE_ALREADY_STARTED: {
    th: 'คิวเริ่มแล้ว เปลี่ยนเวลาเปิดไม่ได้',
    en: 'The queue has started; its opening time can no longer change',
  },
  ACCESS_EXPIRED: {
    th: 'สิทธิ์เข้าจองหมดเวลาแล้ว กรุณาเข้าคิวใหม่',
    en: 'Your booking access has expired; please join the queue again',
  },
  ACCESS_EXHAUSTED: { th: 'ใช้สิทธิ์จองครบจำนวนแล้ว', en: 'Every booking this access allows has been used' },

  // Something khiw depends on is away or busy: try again.
  TEMPORARILY_UNAVAILABLE: {
    th: 'ระบบไม่พร้อมให้บริการชั่วคราว กรุณาลองใหม่อีกครั้ง',
    en: 'Temporarily unavailable, please try again',
  },
  BOOKING_SERVICE_UNAVAILABLE: {
    th: 'ระบบจองไม่พร้อมให้บริการชั่วคราว กรุณาลองใหม่ในอีกสักครู่',
    en: 'The booking service is temporarily unavailable; please try again in a moment',
  },
  // Another submit of the same person holds the lock: to the resident, a moment's wait.
  SUBMIT_BUSY: {
    th: 'ระบบไม่พร้อมให้บริการชั่วคราว กรุณาลองใหม่อีกครั้ง',
    en: 'Temporarily unavailable, please try again',
  },
  INTERNAL: { th: 'เกิดข้อผิดพลาด กรุณาลองใหม่อีกครั้ง', en: 'Something went wrong, please try again' },
};

/**
 * Where one code reads differently on some routes. `identity`: self-service proven by
 * citizen ID and birth date, where a miss must not say which of the two was wrong; `queue`:
 * joining the waiting room; `operator`: staff and ops tools.
 */
export const MESSAGE_VARIANTS = {
  identity: {
    NOT_FOUND: {
      th: 'ไม่พบข้อมูลที่ตรงกับเลขบัตรประชาชนและวันเกิดนี้',
      en: 'Nothing matches this citizen ID and birth date.',
    },
  },
  queue: {
    INVALID_INPUT: { th: 'ข้อมูลที่ส่งมาไม่ถูกต้อง', en: 'The request is not valid' },
    RATE_LIMITED: {
      th: 'มีการเข้าคิวจากเครือข่ายนี้มากเกินไป กรุณารอสักครู่',
      en: 'Too many joins from this network; please wait a moment',
    },
  },
  operator: {
    INVALID_INPUT: { th: 'ข้อมูลไม่ถูกต้อง', en: 'Invalid input' },
  },
} as const satisfies Record<string, Partial<Record<PersonFacingCode, Localized>>>;
export type MessageVariant = keyof typeof MESSAGE_VARIANTS;

/** For a code this gateway has no words for yet (a newer booking worker or roster). */
export const UNKNOWN_PROBLEM: Localized = {
  th: 'ไม่สามารถดำเนินการตามคำขอได้ กรุณาลองใหม่อีกครั้ง',
  en: 'The request could not be completed; please try again',
};

export function isPersonFacingCode(code: string): code is PersonFacingCode {
  return Object.prototype.hasOwnProperty.call(PROBLEM_MESSAGES, code);
}

/** The words for `code` on a route of `variant`; the generic ones for a code we do not know. */
export function problemMessage(code: string, variant?: MessageVariant): Localized {
  if (!isPersonFacingCode(code)) return UNKNOWN_PROBLEM;
  const special: Partial<Record<PersonFacingCode, Localized>> | undefined = variant
    ? MESSAGE_VARIANTS[variant]
    : undefined;
  return special?.[code] ?? PROBLEM_MESSAGES[code];
}

/**
 * What a resident reads under each form field. Schemas raise these keys as their issue
 * message, and the booking worker and roster send them as field values; anything else
 * (an unexpected type, an English detail) falls back to `invalid`.
 */
export const FIELD_MESSAGES = {
  required: { th: 'กรุณากรอกข้อมูลนี้', en: 'This field is required' },
  invalid: { th: 'ข้อมูลไม่ถูกต้อง', en: 'This value is not valid' },
  notText: { th: 'ต้องเป็นข้อความ', en: 'Must be text' },
  body: {
    th: 'ข้อมูลที่ส่งมาต้องเป็น JSON object',
    en: 'The request body must be a JSON object',
  },
  bodyNotJson: { th: 'ข้อมูลที่ส่งมาไม่ใช่ JSON ที่ถูกต้อง', en: 'The request body is not valid JSON' },
  bodyTooLarge: { th: 'ข้อมูลที่ส่งมามีขนาดใหญ่เกินไป', en: 'The request body is too large' },
  citizenIdFormat: {
    th: 'เลขประจำตัวประชาชนต้องเป็นตัวเลข 13 หลัก',
    en: 'A Thai citizen ID has 13 digits',
  },
  passportNumber: {
    th: 'เลขหนังสือเดินทางต้องเป็นตัวอักษรภาษาอังกฤษหรือตัวเลข 5 ถึง 15 ตัว',
    en: 'A passport number has 5 to 15 letters (A-Z) and digits',
  },
  nationality: {
    th: 'กรุณาเลือกประเทศที่ออกหนังสือเดินทาง (รหัส 3 ตัวอักษร เช่น MMR)',
    en: 'Choose the country that issued the passport (3-letter code, e.g. MMR)',
  },
  documentNotAccepted: {
    th: 'แคมเปญนี้ไม่รับหนังสือเดินทาง กรุณาใช้เลขประจำตัว 13 หลักที่ออกโดยทางการไทย',
    en: 'This campaign does not take passports; please use a Thai-issued 13-digit ID number',
  },
  citizenIdCheckDigit: {
    th: 'เลขประจำตัวประชาชนไม่ถูกต้อง (หลักสุดท้ายไม่ตรงกับเลขตรวจสอบ) กรุณาตรวจสอบอีกครั้ง',
    en: 'This citizen ID is not valid (its last digit, the check digit, does not match); please check it',
  },
  nameLength: { th: 'กรุณากรอกชื่อไม่เกิน 100 ตัวอักษร', en: 'Enter a name of at most 100 characters' },
  nameCharacters: {
    th: 'ชื่อต้องเป็นตัวอักษร (ไทยหรืออังกฤษ) เท่านั้น',
    en: 'A name may only contain letters, spaces, dots, hyphens and apostrophes',
  },
  birthDateFormat: {
    th: 'วันเกิดต้องอยู่ในรูปแบบ ปปปป-ดด-วว เช่น 1980-01-31',
    en: 'Write the birth date as YYYY-MM-DD, e.g. 1980-01-31',
  },
  birthDateImpossible: {
    th: 'ไม่มีวันที่นี้ในปฏิทิน กรุณาตรวจสอบวันเกิด',
    en: 'This date does not exist; please check the birth date',
  },
  birthDateFuture: {
    th: 'วันเกิดต้องไม่เป็นวันในอนาคต',
    en: 'The birth date cannot be in the future',
  },
  phone: {
    th: 'กรุณากรอกเบอร์โทรศัพท์มือถือไทย 10 หลัก เช่น 081-234-5678',
    en: 'Enter a Thai mobile number, e.g. 081-234-5678',
  },
  provinceCode: {
    th: 'รหัสจังหวัดต้องเป็นตัวเลข 2 หลัก',
    en: 'The province code has 2 digits',
  },
  // Eligibility the gateway can see before queueing (@khiw/contracts eligibility rule).
  provinceRequired: {
    th: 'แคมเปญนี้สำหรับผู้มีทะเบียนบ้านในจังหวัดของแคมเปญ กรุณายืนยันจังหวัดตามทะเบียนบ้าน',
    en: 'Required for this campaign, which is only for people registered as living in its province',
  },
  provinceOutside: {
    th: 'แคมเปญนี้สำหรับผู้มีทะเบียนบ้านในจังหวัดของแคมเปญเท่านั้น',
    en: 'This campaign is only for people registered as living in its province',
  },
  ageOutside: {
    th: 'อายุ ณ วันนัดไม่อยู่ในเกณฑ์ของแคมเปญหรือกลุ่มที่เลือก',
    en: 'On the appointment day your age is outside what this campaign or the chosen group allows',
  },
  codeFormat: { th: 'รหัสไม่ถูกต้อง', en: 'This code is not valid' },
  unknownGroup: { th: 'ไม่พบกลุ่มที่เลือกในแคมเปญนี้', en: 'No such priority group in this campaign' },
  unknownSite: { th: 'ไม่พบสถานที่ฉีดที่เลือกในแคมเปญนี้', en: 'No such vaccination site in this campaign' },
  unknownSlot: { th: 'ไม่พบรอบเวลาที่เลือกในแคมเปญนี้', en: 'No such time slot in this campaign' },
  slotAtOtherSite: {
    th: 'รอบเวลาที่เลือกไม่ได้อยู่ที่สถานที่ฉีดที่เลือก กรุณาเลือกรอบเวลาใหม่',
    en: 'The chosen time slot is not at the chosen site; please choose a slot there',
  },
  bookingId: { th: 'รหัสการจองไม่ถูกต้อง', en: 'This booking id is not valid' },
  siteRequired: { th: 'กรุณาระบุสถานที่ฉีด', en: 'site is required' },
  dateFormat: { th: 'วันที่ต้องเป็น ปปปป-ดด-วว', en: 'date must be YYYY-MM-DD' },
} as const satisfies Record<string, Localized>;
export type FieldMessageKey = keyof typeof FIELD_MESSAGES;
