import { z } from 'zod';
import {
  campaignId,
  channel,
  citizenId,
  e164Phone,
  enteredBy,
  isoDate,
  isoDateTime,
  language,
  localized,
} from './primitives';

const envelope = {
  schemaVersion: z.literal(1),
  eventId: z.uuid(),
  occurredAt: isoDateTime,
  campaignId,
  /** Kafka key: one booking's events stay in one partition, in order. Null before a booking exists. */
  bookingId: z.uuid().nullable(),
  requestId: z.string().min(1),
};

const appointment = z.object({
  siteId: z.string(),
  siteName: localized,
  slotId: z.string(),
  startsAt: isoDateTime,
});

const person = z.object({
  citizenId,
  firstName: z.string(),
  lastName: z.string(),
  birthDate: isoDate,
  phone: e164Phone,
  groupCode: z.string(),
});

/** Who entered the booking (absent: the person); the language the person chose (absent: the campaign's). */
const origin = { enteredBy: enteredBy.optional(), language: language.optional() };

export const BookingConfirmed = z.object({
  ...envelope,
  type: z.literal('BookingConfirmed'),
  bookingId: z.uuid(),
  data: z.object({ reference: z.string(), channel, ...origin, person, appointment }),
});

export const BookingPromoted = z.object({
  ...envelope,
  type: z.literal('BookingPromoted'),
  bookingId: z.uuid(),
  data: z.object({
    reference: z.string(),
    channel,
    ...origin,
    person,
    appointment,
    standbyPosition: z.number().int(),
  }),
});

export const BookingRescheduled = z.object({
  ...envelope,
  type: z.literal('BookingRescheduled'),
  bookingId: z.uuid(),
  data: z.object({ reference: z.string(), phone: e164Phone, from: appointment, appointment }),
});

export const BookingCancelled = z.object({
  ...envelope,
  type: z.literal('BookingCancelled'),
  bookingId: z.uuid(),
  data: z.object({
    reference: z.string(),
    phone: e164Phone,
    appointment,
    cancelledBy: z.enum(['resident', 'staff', 'ops', 'agent']),
  }),
});

export const BookingStandby = z.object({
  ...envelope,
  type: z.literal('BookingStandby'),
  data: z.object({ person, position: z.number().int().min(1) }),
});

export const BookingRejected = z.object({
  ...envelope,
  type: z.literal('BookingRejected'),
  data: z.object({ reason: z.string(), phone: e164Phone.nullable() }),
});

export const BookingEvent = z.discriminatedUnion('type', [
  BookingConfirmed,
  BookingPromoted,
  BookingRescheduled,
  BookingCancelled,
  BookingStandby,
  BookingRejected,
]);
export type BookingEvent = z.infer<typeof BookingEvent>;
export type BookingEventType = BookingEvent['type'];
export type BookingConfirmedEvent = z.infer<typeof BookingConfirmed>;

const smsEnvelope = {
  schemaVersion: z.literal(1),
  eventId: z.uuid(),
  occurredAt: isoDateTime,
  campaignId,
  bookingId: z.uuid(),
  smsId: z.uuid(),
};

export const NotificationEvent = z.discriminatedUnion('type', [
  z.object({
    ...smsEnvelope,
    type: z.literal('SmsSent'),
    data: z.object({ kind: z.string(), provider: z.string(), segments: z.number().int().min(1) }),
  }),
  z.object({ ...smsEnvelope, type: z.literal('SmsDelivered'), data: z.object({ deliveredAt: isoDateTime }) }),
  z.object({
    ...smsEnvelope,
    type: z.literal('SmsFailed'),
    data: z.object({ reason: z.string(), permanent: z.boolean() }),
  }),
]);
export type NotificationEvent = z.infer<typeof NotificationEvent>;

/** Which topic each event type goes to (logical name; a namespace prefix is added by the relay). */
export const TOPIC_OF_EVENT: Record<BookingEventType, 'booking.events'> = {
  BookingConfirmed: 'booking.events',
  BookingPromoted: 'booking.events',
  BookingRescheduled: 'booking.events',
  BookingCancelled: 'booking.events',
  BookingStandby: 'booking.events',
  BookingRejected: 'booking.events',
};
