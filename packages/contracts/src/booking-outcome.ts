import { z } from 'zod';
import { REJECTION_CODES } from '@khiw/errors';
import { isoDateTime, localized } from './primitives';

/**
 * Why a request did not become a booking or a standby place. Stable codes (the list is
 * @khiw/errors' REJECTION_CODES): logs and metrics carry the code, and the gateway answers
 * it with its Thai and English text.
 */
export const RejectionCode = z.enum(REJECTION_CODES);
export type RejectionCode = z.infer<typeof RejectionCode>;

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
