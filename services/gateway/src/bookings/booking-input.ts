import { z } from 'zod';
import { campaignId, language } from '@khiw/contracts';
import { fieldErrorsOf, type FieldErrors } from '../http/field-errors';
import {
  birthDateField,
  citizenIdField,
  codeField,
  nameField,
  phoneField,
  provinceCodeField,
} from '../http/resident-fields';

/** The body of `POST /api/bookings`: one person. Unknown fields are ignored. */
export const BookingInput = z.object(
  {
    /** Optional: the access token names the campaign; when sent, the two must agree. */
    campaignId: campaignId.optional(),
    citizenId: citizenIdField,
    firstName: nameField,
    lastName: nameField,
    birthDate: birthDateField,
    phone: phoneField,
    groupCode: codeField(40),
    siteId: codeField(40),
    slotId: codeField(60),
    provinceCode: provinceCodeField.optional(),
    /** The language of the person's SMS (th, en, my); Thai when not sent. */
    language: language.optional(),
  },
  { error: 'body' },
);
export type BookingInput = z.infer<typeof BookingInput>;

/** The fields the campaign checks read (the choice, and what eligibility needs). */
type CheckedField = 'groupCode' | 'siteId' | 'slotId' | 'birthDate' | 'provinceCode';
const CHECKED_FIELDS = ['groupCode', 'siteId', 'slotId', 'birthDate', 'provinceCode'] as const;

export type ParsedBookingInput =
  | { ok: true; input: BookingInput }
  | { ok: false; fields: FieldErrors; partial: Partial<Pick<BookingInput, CheckedField>> };

/**
 * Every field is checked, not just the first wrong one, so the form can mark them all. The
 * campaign checks (group, site, slot, province, age) want the fields they read, each parsed
 * on its own, even when others are wrong.
 */
export function parseBookingInput(body: unknown): ParsedBookingInput {
  const parsed = BookingInput.safeParse(body);
  if (parsed.success) return { ok: true, input: parsed.data };
  const fields = fieldErrorsOf(parsed.error);
  const partial: Partial<Pick<BookingInput, CheckedField>> = {};
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    for (const key of CHECKED_FIELDS) {
      const value = BookingInput.shape[key].safeParse((body as Record<string, unknown>)[key]);
      if (!fields[key] && value.success && value.data !== undefined) partial[key] = value.data;
    }
  }
  return { ok: false, fields, partial };
}
