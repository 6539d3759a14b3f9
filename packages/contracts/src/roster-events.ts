import { z } from 'zod';
import { campaignId, isoDateTime } from './primitives';

/**
 * Events the roster publishes on `roster.events`, keyed by booking id. CheckedIn: a person
 * came to the site and staff checked them in (the national-registry export and dashboards
 * follow it; the notification service may stop reminders).
 */
export const CheckedIn = z.object({
  schemaVersion: z.literal(1),
  eventId: z.uuid(),
  occurredAt: isoDateTime,
  campaignId,
  bookingId: z.uuid(),
  type: z.literal('CheckedIn'),
  data: z.object({
    reference: z.string(),
    siteId: z.string(),
    slotId: z.string(),
    /** Staff subject from the token (who checked the person in). */
    checkedInBy: z.string(),
  }),
});
export type CheckedIn = z.infer<typeof CheckedIn>;

export const RosterEvent = z.discriminatedUnion('type', [CheckedIn]);
export type RosterEvent = z.infer<typeof RosterEvent>;
