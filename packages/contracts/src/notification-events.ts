import { z } from 'zod';
import { campaignId, isoDateTime } from './primitives';
import { SMS_KINDS } from './sms-job';

/**
 * notification.events as the notification service publishes them (keyed by booking id). Each
 * is a superset of the matching member of `NotificationEvent` in events.ts, so a consumer that
 * parses with that union keeps working; these add what the roster and ops find useful (which
 * kind of message, when). Event ids are derived from the message and the type, so a republished
 * event carries the same id and consumers drop it by id.
 */
const envelope = {
  schemaVersion: z.literal(1),
  eventId: z.uuid(),
  occurredAt: isoDateTime,
  campaignId,
  bookingId: z.uuid(),
  smsId: z.uuid(),
};
const kind = z.enum(SMS_KINDS);

/** The gateway accepted the message (Kannel answered 202, or reported it accepted by the SMSC). */
export const SmsSent = z.object({
  ...envelope,
  type: z.literal('SmsSent'),
  data: z.object({
    kind,
    provider: z.string(),
    segments: z.number().int().min(1),
    sentAt: isoDateTime,
  }),
});

/** The handset received it (delivery report). */
export const SmsDelivered = z.object({
  ...envelope,
  type: z.literal('SmsDelivered'),
  data: z.object({ kind, deliveredAt: isoDateTime }),
});

/** It will not arrive: refused (permanent, e.g. an invalid number), undeliverable, or out of retries. */
export const SmsFailed = z.object({
  ...envelope,
  type: z.literal('SmsFailed'),
  data: z.object({ kind, reason: z.string(), permanent: z.boolean() }),
});

export const SmsNotificationEvent = z.discriminatedUnion('type', [SmsSent, SmsDelivered, SmsFailed]);
export type SmsNotificationEvent = z.infer<typeof SmsNotificationEvent>;
export type SmsNotificationEventType = SmsNotificationEvent['type'];
