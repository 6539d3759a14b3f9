import { z } from 'zod';

export const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD');
export const isoDateTime = z.iso.datetime({ offset: true });
export const e164Phone = z.string().regex(/^\+66[689]\d{8}$/, 'Thai mobile in E.164 (+66...)');
export const citizenId = z.string().regex(/^\d{13}$/, '13 digits');
export const campaignId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lower-case id');
export const localized = z.object({ th: z.string().min(1), en: z.string().min(1) });
export const channel = z.enum(['web', 'call-center', 'walk-in', 'bulk']);
export type Channel = z.infer<typeof channel>;
