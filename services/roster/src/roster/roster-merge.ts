import type { BookingEvent, NotificationEvent } from '@khiw/contracts';

/**
 * One roster row as stored (roster.entries, snake_case: it travels to and from PostgreSQL as
 * JSON). Timestamps are ISO strings, birth_date YYYY-MM-DD.
 */
export interface EntryRow {
  booking_id: string;
  campaign_id: string;
  reference: string;
  citizen_id: string | null;
  birth_date: string | null;
  first_name: string | null;
  last_name: string | null;
  group_code: string | null;
  phone: string | null;
  channel: string | null;
  entered_by: string | null;
  language: string | null;
  site_id: string;
  site_name_th: string | null;
  site_name_en: string | null;
  slot_id: string;
  starts_at: string;
  status: RosterStatus;
  appointment_kind: AppointmentKind;
  appointment_at: string;
  cancelled_at: string | null;
  cancelled_by: string | null;
  checked_in_at: string | null;
  checked_in_by: string | null;
  last_event_id: string;
  last_event_at: string;
  created_at: string;
  updated_at: string;
}

export type AppointmentKind = 'confirmed' | 'promoted' | 'rescheduled' | 'cancelled';
export type RosterStatus = AppointmentKind | 'checked_in';

/** Within one millisecond, the later step of a booking's life wins. */
const KIND_RANK: Record<AppointmentKind, number> = {
  confirmed: 1,
  promoted: 1,
  rescheduled: 2,
  cancelled: 3,
};

const KIND_OF: Partial<Record<BookingEvent['type'], AppointmentKind>> = {
  BookingConfirmed: 'confirmed',
  BookingPromoted: 'promoted',
  BookingRescheduled: 'rescheduled',
  BookingCancelled: 'cancelled',
};

export type RosterBookingEvent = Extract<
  BookingEvent,
  { type: 'BookingConfirmed' | 'BookingPromoted' | 'BookingRescheduled' | 'BookingCancelled' }
>;

export function isRosterBookingEvent(event: BookingEvent): event is RosterBookingEvent {
  return KIND_OF[event.type] !== undefined;
}

const ms = (iso: string) => Date.parse(iso);
const iso = (value: string) => new Date(value).toISOString();

/**
 * The ordering key of an appointment-setting event: (occurredAt, kind rank). Two reschedules
 * of one booking in the same millisecond cannot be told apart (the first applied stays);
 * the booking worker serialises a booking's changes, so it does not produce them.
 */
function newer(a: { at: string; kind: AppointmentKind }, b: { at: string; kind: AppointmentKind }): boolean {
  const byTime = ms(a.at) - ms(b.at);
  if (byTime !== 0) return byTime > 0;
  return KIND_RANK[a.kind] > KIND_RANK[b.kind];
}

/**
 * Merges one booking event into the booking's row (null: no row yet) and returns the new
 * row. Each part has its own rule, so the result is the same in any arrival order:
 * - the person (citizen ID, names, birth date, group, channel, who entered it, language) comes from the creation event
 *   (confirmed or promoted) and never changes;
 * - the appointment (site, slot, time) comes from the event with the greatest
 *   (occurredAt, kind rank, eventId): an older reschedule never replaces a newer one;
 * - a cancellation is final (a booking is never un-cancelled; booking again makes a new one);
 * - check-in is roster's own fact, kept whatever events arrive later.
 */
export function mergeBookingEvent(row: EntryRow | null, event: RosterBookingEvent, now: string): EntryRow {
  const kind = KIND_OF[event.type]!;
  const at = iso(event.occurredAt);
  const { appointment } = event.data;
  const next: EntryRow = row
    ? { ...row }
    : {
        booking_id: event.bookingId,
        campaign_id: event.campaignId,
        reference: event.data.reference,
        citizen_id: null,
        birth_date: null,
        first_name: null,
        last_name: null,
        group_code: null,
        phone: null,
        channel: null,
        entered_by: null,
        language: null,
        site_id: appointment.siteId,
        site_name_th: appointment.siteName.th,
        site_name_en: appointment.siteName.en,
        slot_id: appointment.slotId,
        starts_at: iso(appointment.startsAt),
        status: kind,
        appointment_kind: kind,
        appointment_at: at,
        cancelled_at: null,
        cancelled_by: null,
        checked_in_at: null,
        checked_in_by: null,
        last_event_id: event.eventId,
        last_event_at: at,
        created_at: now,
        updated_at: now,
      };

  if (event.type === 'BookingConfirmed' || event.type === 'BookingPromoted') {
    const { person, channel, enteredBy, language } = event.data;
    next.citizen_id = person.citizenId;
    next.birth_date = person.birthDate;
    next.first_name = person.firstName;
    next.last_name = person.lastName;
    next.group_code = person.groupCode;
    next.phone = person.phone;
    next.channel = channel;
    next.entered_by = enteredBy ?? null;
    next.language = language ?? null;
  } else if (next.phone === null) {
    next.phone = event.data.phone;
  }

  if (!row || newer({ at, kind }, { at: row.appointment_at, kind: row.appointment_kind })) {
    next.site_id = appointment.siteId;
    next.site_name_th = appointment.siteName.th;
    next.site_name_en = appointment.siteName.en;
    next.slot_id = appointment.slotId;
    next.starts_at = iso(appointment.startsAt);
    next.appointment_kind = kind;
    next.appointment_at = at;
  }

  if (event.type === 'BookingCancelled' && (next.cancelled_at === null || ms(at) < ms(next.cancelled_at))) {
    next.cancelled_at = at;
    next.cancelled_by = event.data.cancelledBy;
  }

  if (
    !row ||
    ms(at) > ms(row.last_event_at) ||
    (ms(at) === ms(row.last_event_at) && event.eventId > row.last_event_id)
  ) {
    next.last_event_id = event.eventId;
    next.last_event_at = at;
  }
  next.status = statusOf(next);
  next.updated_at = now;
  return next;
}

/** What staff and residents see: cancelled beats checked in beats the appointment's kind. */
export function statusOf(
  row: Pick<EntryRow, 'cancelled_at' | 'checked_in_at' | 'appointment_kind'>,
): RosterStatus {
  if (row.cancelled_at !== null) return 'cancelled';
  if (row.checked_in_at !== null) return 'checked_in';
  return row.appointment_kind;
}

export interface SmsStateRow {
  booking_id: string;
  sms_id: string;
  status: 'sent' | 'delivered' | 'failed';
  kind: string | null;
  status_at: string;
  updated_at: string;
}

const SMS_STATUS = { SmsSent: 'sent', SmsDelivered: 'delivered', SmsFailed: 'failed' } as const;
const SMS_RANK = { sent: 1, delivered: 2, failed: 2 } as const;

/**
 * The booking's SMS state: the newest SMS event wins, except that for the same SMS a final
 * state (delivered, failed) is never replaced by "sent", whatever order they arrive in.
 */
export function mergeSmsEvent(row: SmsStateRow | null, event: NotificationEvent, now: string): SmsStateRow {
  const status = SMS_STATUS[event.type];
  const at = iso(event.occurredAt);
  const candidate: SmsStateRow = {
    booking_id: event.bookingId,
    sms_id: event.smsId,
    status,
    kind: event.type === 'SmsSent' ? event.data.kind : row?.sms_id === event.smsId ? row.kind : null,
    status_at: at,
    updated_at: now,
  };
  if (!row) return candidate;
  if (row.sms_id === event.smsId) {
    const byRank = SMS_RANK[status] - SMS_RANK[row.status];
    if (byRank > 0 || (byRank === 0 && ms(at) > ms(row.status_at))) return candidate;
    if (byRank < 0 && event.type === 'SmsSent' && row.kind === null) return { ...row, kind: event.data.kind };
    return row;
  }
  return ms(at) > ms(row.status_at) ? candidate : row;
}
