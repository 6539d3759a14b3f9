import { z } from 'zod';
import { campaignId, e164Phone } from './primitives';

/** One job on the `sms` queue; its BullMQ job id is `smsId` (the causing event's id), so a redelivered event never sends twice. */
export const SmsJob = z.object({
  schemaVersion: z.literal(1),
  smsId: z.uuid(),
  bookingId: z.uuid(),
  campaignId,
  kind: z.enum(['confirmation', 'promotion', 'reschedule', 'cancellation', 'reminder']),
  phone: e164Phone,
  text: z.string().min(1).max(1000),
});
export type SmsJob = z.infer<typeof SmsJob>;
