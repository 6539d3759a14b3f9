import { z } from 'zod';

export const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD');
export const isoDateTime = z.iso.datetime({ offset: true });
export const e164Phone = z.string().regex(/^\+66[689]\d{8}$/, 'Thai mobile in E.164 (+66...)');
/**
 * A person's identity document in one string, the key of "one person, one booking" and of the
 * registry: a Thai-issued 13-digit number (Thai citizens, and migrant workers' Thai-issued
 * numbers: the same check digit), or a passport as `P-<nationality ISO 3166 alpha-3>-<number>`
 * (`P-MMR-MA1234567`), so two passports of two countries with one number stay two people.
 */
export const citizenId = z
  .string()
  .regex(/^(\d{13}|P-[A-Z]{3}-[A-Z0-9]{5,15})$/, '13 digits or P-NAT-NUMBER');
/** The documents a campaign may accept (its eligibility's `documents`; Thai IDs only when absent). */
export const DOCUMENT_TYPES = ['thai_citizen_id', 'passport'] as const;
export const documentType = z.enum(DOCUMENT_TYPES);
export type DocumentType = z.infer<typeof documentType>;
export function documentTypeOf(id: string): DocumentType {
  return id.startsWith('P-') ? 'passport' : 'thai_citizen_id';
}
export function passportDocumentId(nationality: string, number: string): string {
  return `P-${nationality}-${number}`;
}
export const campaignId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lower-case id');
export const localized = z.object({ th: z.string().min(1), en: z.string().min(1) });
/**
 * How a booking came in (issue 11): the resident's own browser (`web`), a partner's app
 * (`app`) or store terminal (`store`), a call-centre agent (`call_center`), a clerk at a
 * walk-in counter (`walk_in`), an organisation's uploaded list (`organisation`).
 */
export const CHANNELS = ['web', 'app', 'store', 'call_center', 'walk_in', 'organisation'] as const;
export const channel = z.enum(CHANNELS);
export type Channel = z.infer<typeof channel>;
/** Who entered a booking for the person: `agent:<id>`, `organisation:<id>`, `partner:<id>`; none for the person's own. */
export const enteredBy = z.string().regex(/^(agent|organisation|partner):[A-Za-z0-9._@-]{1,80}$/, 'kind:id');
/** The language a person reads their pages and SMS in: Thai, English, Burmese (Myanmar script). */
export const language = z.enum(['th', 'en', 'my']);
export type Language = z.infer<typeof language>;
