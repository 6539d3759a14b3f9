import type { Response } from 'express';
import type { z } from 'zod';
import { sendProblem, type Problem } from './problem';

export type Localized = { th: string; en: string };
export type FieldErrors = Record<string, Localized>;

/**
 * What a resident reads under each form field. Schemas raise these keys as their issue
 * message; anything else zod says (an unexpected type, say) falls back to `invalid`.
 */
export const FIELD_MESSAGES = {
  required: { th: 'กรุณากรอกข้อมูลนี้', en: 'This field is required' },
  invalid: { th: 'ข้อมูลไม่ถูกต้อง', en: 'This value is not valid' },
  notText: { th: 'ต้องเป็นข้อความ', en: 'Must be text' },
  body: {
    th: 'ข้อมูลที่ส่งมาต้องเป็น JSON object',
    en: 'The request body must be a JSON object',
  },
  citizenIdFormat: {
    th: 'เลขประจำตัวประชาชนต้องเป็นตัวเลข 13 หลัก',
    en: 'A Thai citizen ID has 13 digits',
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
  codeFormat: { th: 'รหัสไม่ถูกต้อง', en: 'This code is not valid' },
  unknownGroup: { th: 'ไม่พบกลุ่มที่เลือกในแคมเปญนี้', en: 'No such priority group in this campaign' },
  unknownSite: { th: 'ไม่พบสถานที่ฉีดที่เลือกในแคมเปญนี้', en: 'No such vaccination site in this campaign' },
  unknownSlot: { th: 'ไม่พบรอบเวลาที่เลือกในแคมเปญนี้', en: 'No such time slot in this campaign' },
  slotAtOtherSite: {
    th: 'รอบเวลาที่เลือกไม่ได้อยู่ที่สถานที่ฉีดที่เลือก กรุณาเลือกรอบเวลาใหม่',
    en: 'The chosen time slot is not at the chosen site; please choose a slot there',
  },
  bookingId: { th: 'รหัสการจองไม่ถูกต้อง', en: 'This booking id is not valid' },
} as const satisfies Record<string, Localized>;
export type FieldMessageKey = keyof typeof FIELD_MESSAGES;

export function isFieldMessageKey(value: string): value is FieldMessageKey {
  return Object.prototype.hasOwnProperty.call(FIELD_MESSAGES, value);
}

/** One message per field: the first issue zod found for it. */
export function fieldErrorsOf(error: z.ZodError): FieldErrors {
  const fields: FieldErrors = {};
  for (const issue of error.issues) {
    const field = issue.path.length ? issue.path.map(String).join('.') : '(body)';
    if (fields[field]) continue;
    if (isFieldMessageKey(issue.message)) fields[field] = FIELD_MESSAGES[issue.message];
    else if (issue.code === 'invalid_type' && issue.input === undefined)
      fields[field] = FIELD_MESSAGES.required;
    else if (field === '(body)') fields[field] = FIELD_MESSAGES.body;
    else
      fields[field] = { th: FIELD_MESSAGES.invalid.th, en: `${FIELD_MESSAGES.invalid.en}: ${issue.message}` };
  }
  return fields;
}

export function invalidInput(fields: FieldErrors): Problem {
  return {
    code: 'INVALID_INPUT',
    message: {
      th: 'ข้อมูลบางช่องไม่ถูกต้อง กรุณาตรวจสอบและแก้ไข',
      en: 'Some fields are not valid; please check and correct them',
    },
    fields,
  };
}

/** The parsed value, or undefined after answering 400 with the field errors. */
export function parseInput<S extends z.ZodType>(
  res: Response,
  schema: S,
  source: unknown,
): z.infer<S> | undefined {
  const parsed = schema.safeParse(source);
  if (parsed.success) return parsed.data;
  res.set('Cache-Control', 'no-store');
  sendProblem(res, 400, invalidInput(fieldErrorsOf(parsed.error)));
  return undefined;
}
