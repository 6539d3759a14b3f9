import { createHash, randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type {
  BookingCancelled,
  BookingConfirmed,
  BookingPromoted,
  BookingRejected as BookingRejectedEvent,
  BookingRescheduled,
  BookingStandby,
  BookingEvent,
  Channel,
  Language,
} from '@khiw/contracts';
import { TOPIC_OF_EVENT } from '@khiw/contracts';

// Events are built to their contract types, not parsed: this runs for every booking in the
// hot path, and booking-events.test.ts proves each builder's output passes the schema.

/** One row of booking.outbox_events, ready to insert in the transaction it announces. */
export interface OutboxRow {
  id: string;
  topic: string;
  /** Kafka key: one booking's (or one standby place's) events stay in order. */
  key: string;
  type: BookingEvent['type'];
  payload: BookingEvent;
}

export interface PersonFacts {
  citizenId: string;
  firstName: string;
  lastName: string;
  birthDate: string;
  phone: string;
  groupCode: string;
}

export interface AppointmentFacts {
  siteId: string;
  siteName: { th: string; en: string };
  slotId: string;
  startsAt: string;
}

/** A slot row as the booking queries read it (with its site's names). */
export interface SlotFacts {
  site_id: string;
  name_th: string;
  name_en: string;
  slot_id: string;
  starts_at: Date;
}

export function appointmentOf(row: SlotFacts): AppointmentFacts {
  return {
    siteId: row.site_id,
    siteName: { th: row.name_th, en: row.name_en },
    slotId: row.slot_id,
    startsAt: row.starts_at.toISOString(),
  };
}

const base = (campaignId: string, requestId: string, eventId: string = randomUUID()) => ({
  schemaVersion: 1 as const,
  eventId,
  occurredAt: new Date().toISOString(),
  campaignId,
  requestId,
});

function row(event: BookingEvent, key: string): OutboxRow {
  return { id: event.eventId, topic: TOPIC_OF_EVENT[event.type], key, type: event.type, payload: event };
}

export function confirmedEvent(b: {
  campaignId: string;
  requestId: string;
  bookingId: string;
  reference: string;
  channel: Channel;
  /** Who entered it for the person (absent: the person), and the person's language. */
  enteredBy?: string | undefined;
  language?: Language | undefined;
  person: PersonFacts;
  appointment: AppointmentFacts;
}): OutboxRow {
  const event: z.infer<typeof BookingConfirmed> = {
    ...base(b.campaignId, b.requestId),
    type: 'BookingConfirmed',
    bookingId: b.bookingId,
    data: {
      reference: b.reference,
      channel: b.channel,
      ...(b.enteredBy !== undefined && { enteredBy: b.enteredBy }),
      ...(b.language !== undefined && { language: b.language }),
      person: b.person,
      appointment: b.appointment,
    },
  };
  return row(event, b.bookingId);
}

export function promotedEvent(
  b: Parameters<typeof confirmedEvent>[0] & { standbyPosition: number },
): OutboxRow {
  const event: z.infer<typeof BookingPromoted> = {
    ...base(b.campaignId, b.requestId),
    type: 'BookingPromoted',
    bookingId: b.bookingId,
    data: {
      reference: b.reference,
      channel: b.channel,
      ...(b.enteredBy !== undefined && { enteredBy: b.enteredBy }),
      ...(b.language !== undefined && { language: b.language }),
      person: b.person,
      appointment: b.appointment,
      standbyPosition: b.standbyPosition,
    },
  };
  return row(event, b.bookingId);
}

export function standbyEvent(s: {
  campaignId: string;
  requestId: string;
  standbyId: string;
  position: number;
  person: PersonFacts;
}): OutboxRow {
  const event: z.infer<typeof BookingStandby> = {
    ...base(s.campaignId, s.requestId),
    type: 'BookingStandby',
    bookingId: null,
    data: { person: s.person, position: s.position },
  };
  return row(event, s.standbyId);
}

/**
 * The id of a rejection event is derived from the request and what was asked, so a retried
 * job that is rejected again writes the same outbox row (ON CONFLICT DO NOTHING), while a
 * corrected resubmission (another slot, a later submittedAt) is a new event.
 */
export function rejectedEvent(r: {
  campaignId: string;
  requestId: string;
  reason: string;
  phone: string;
  submittedAt: string;
  slotId: string;
}): OutboxRow {
  const eventId = uuidFrom(`${r.requestId}|${r.submittedAt}|${r.slotId}|${r.reason}`);
  const event: z.infer<typeof BookingRejectedEvent> = {
    ...base(r.campaignId, r.requestId, eventId),
    type: 'BookingRejected',
    bookingId: null,
    data: { reason: r.reason, phone: r.phone },
  };
  return row(event, r.requestId);
}

export function cancelledEvent(c: {
  campaignId: string;
  requestId: string;
  bookingId: string;
  reference: string;
  phone: string;
  appointment: AppointmentFacts;
  cancelledBy: 'resident' | 'staff' | 'ops' | 'agent';
}): OutboxRow {
  const event: z.infer<typeof BookingCancelled> = {
    ...base(c.campaignId, c.requestId),
    type: 'BookingCancelled',
    bookingId: c.bookingId,
    data: { reference: c.reference, phone: c.phone, appointment: c.appointment, cancelledBy: c.cancelledBy },
  };
  return row(event, c.bookingId);
}

export function rescheduledEvent(r: {
  campaignId: string;
  requestId: string;
  bookingId: string;
  reference: string;
  phone: string;
  from: AppointmentFacts;
  appointment: AppointmentFacts;
}): OutboxRow {
  const event: z.infer<typeof BookingRescheduled> = {
    ...base(r.campaignId, r.requestId),
    type: 'BookingRescheduled',
    bookingId: r.bookingId,
    data: { reference: r.reference, phone: r.phone, from: r.from, appointment: r.appointment },
  };
  return row(event, r.bookingId);
}

/** A UUID (version 8, RFC 9562: vendor-specific) from SHA-256 of a name. */
function uuidFrom(name: string): string {
  const bytes = createHash('sha256').update(name).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x80;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
