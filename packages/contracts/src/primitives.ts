import { z } from 'zod';

export const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD');
export const isoDateTime = z.iso.datetime({ offset: true });
export const e164Phone = z.string().regex(/^\+66[689]\d{8}$/, 'Thai mobile in E.164 (+66...)');
export const citizenId = z.string().regex(/^\d{13}$/, '13 digits');
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
