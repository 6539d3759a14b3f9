import { z } from 'zod';
import { campaignId, e164Phone, isoDateTime } from './primitives';

export const SMS_KINDS = ['confirmation', 'promotion', 'reschedule', 'cancellation', 'reminder'] as const;
export type SmsKind = (typeof SMS_KINDS)[number];

/**
 * One job on the `sms` queue. Its BullMQ job id is `smsId`: the causing event's id, or for a
 * reminder an id derived from the booking and the appointment time, so a redelivered event
 * never sends twice. The message row (notification.sms_messages) with the same id is what the
 * sender claims; the job only says which row to send and when.
 */
export const SmsJob = z.object({
  schemaVersion: z.literal(1),
  smsId: z.uuid(),
  bookingId: z.uuid(),
  campaignId,
  kind: z.enum(SMS_KINDS),
  phone: e164Phone,
  text: z.string().min(1).max(1000),
  /** When the booking event happened (the booking was committed): latency is measured from it. */
  causedAt: isoDateTime.optional(),
  /** A reminder's due time; the job is delayed until then. */
  dueAt: isoDateTime.optional(),
});
export type SmsJob = z.infer<typeof SmsJob>;
