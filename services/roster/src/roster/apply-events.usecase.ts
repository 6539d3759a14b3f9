import type { BookingEvent, NotificationEvent } from '@khiw/contracts';
import type { PrismaClient } from '@khiw/db';
import {
  isRosterBookingEvent,
  mergeBookingEvent,
  mergeSmsEvent,
  type EntryRow,
  type SmsStateRow,
} from './roster-merge';

export type RosterInput =
  { topic: 'booking'; event: BookingEvent } | { topic: 'notification'; event: NotificationEvent };

export interface ApplyEventsCommand {
  /** One consumed chunk, in partition order; may hold redeliveries. */
  inputs: RosterInput[];
}

export interface ApplyOutcome {
  applied: number;
  duplicate: number;
  /** Events the roster has no use for (standby, rejected): recorded as processed. */
  ignored: number;
}

const CONSUMER = 'roster';

/**
 * Applies a batch of events in one transaction: claims the event ids (a redelivered event is
 * a no-op), locks the rows of the bookings involved, merges the events in memory
 * (roster-merge.ts: the same result in any order) and writes each changed row once. The
 * consumer commits the Kafka offsets only after this returns.
 */
export class ApplyEvents {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async execute({ inputs }: ApplyEventsCommand): Promise<ApplyOutcome> {
    if (inputs.length === 0) return { applied: 0, duplicate: 0, ignored: 0 };
    return this.prisma.$transaction(
      async (tx) => {
        const ids = [...new Set(inputs.map((i) => i.event.eventId))];
        const claimed = await tx.$queryRaw<{ event_id: string }[]>`
          INSERT INTO roster.processed_events (event_id, consumer)
          SELECT id, ${CONSUMER} FROM unnest(${ids}::uuid[]) AS id
          ON CONFLICT (event_id) DO NOTHING RETURNING event_id`;
        const fresh = new Set(claimed.map((r) => r.event_id));
        const outcome: ApplyOutcome = { applied: 0, duplicate: 0, ignored: 0 };
        const bookingEvents = [];
        const smsEvents: NotificationEvent[] = [];
        for (const input of inputs) {
          if (!fresh.delete(input.event.eventId)) {
            outcome.duplicate++;
          } else if (input.topic === 'notification') {
            smsEvents.push(input.event);
          } else if (isRosterBookingEvent(input.event)) {
            bookingEvents.push(input.event);
          } else {
            outcome.ignored++;
          }
        }
        const now = this.now().toISOString();

        if (bookingEvents.length > 0) {
          const bookingIds = [...new Set(bookingEvents.map((e) => e.bookingId))].sort();
          const current = await tx.$queryRaw<{ row: EntryRow }[]>`
            SELECT row_to_json(e) AS row FROM roster.entries e
            WHERE booking_id = ANY(${bookingIds}::uuid[]) ORDER BY booking_id FOR UPDATE`;
          const rows = new Map(current.map(({ row }) => [row.booking_id, row]));
          for (const event of bookingEvents) {
            rows.set(event.bookingId, mergeBookingEvent(rows.get(event.bookingId) ?? null, event, now));
          }
          const changed = bookingIds.map((id) => rows.get(id)!);
          await tx.$executeRaw`
            INSERT INTO roster.entries SELECT * FROM json_populate_recordset(NULL::roster.entries, ${JSON.stringify(changed)}::json)
            ON CONFLICT (booking_id) DO UPDATE SET
              reference = EXCLUDED.reference, citizen_id = EXCLUDED.citizen_id, birth_date = EXCLUDED.birth_date,
              first_name = EXCLUDED.first_name, last_name = EXCLUDED.last_name, group_code = EXCLUDED.group_code,
              phone = EXCLUDED.phone, channel = EXCLUDED.channel, entered_by = EXCLUDED.entered_by,
              language = EXCLUDED.language, site_id = EXCLUDED.site_id,
              site_name_th = EXCLUDED.site_name_th, site_name_en = EXCLUDED.site_name_en, slot_id = EXCLUDED.slot_id,
              starts_at = EXCLUDED.starts_at, status = EXCLUDED.status, appointment_kind = EXCLUDED.appointment_kind,
              appointment_at = EXCLUDED.appointment_at, cancelled_at = EXCLUDED.cancelled_at,
              cancelled_by = EXCLUDED.cancelled_by, checked_in_at = EXCLUDED.checked_in_at,
              checked_in_by = EXCLUDED.checked_in_by, last_event_id = EXCLUDED.last_event_id,
              last_event_at = EXCLUDED.last_event_at, updated_at = EXCLUDED.updated_at`;
          outcome.applied += bookingEvents.length;
        }

        if (smsEvents.length > 0) {
          const bookingIds = [...new Set(smsEvents.map((e) => e.bookingId))].sort();
          const current = await tx.$queryRaw<{ row: SmsStateRow }[]>`
            SELECT row_to_json(s) AS row FROM roster.sms_states s
            WHERE booking_id = ANY(${bookingIds}::uuid[]) ORDER BY booking_id FOR UPDATE`;
          const rows = new Map(current.map(({ row }) => [row.booking_id, row]));
          for (const event of smsEvents) {
            rows.set(event.bookingId, mergeSmsEvent(rows.get(event.bookingId) ?? null, event, now));
          }
          const changed = bookingIds.map((id) => rows.get(id)!);
          await tx.$executeRaw`
            INSERT INTO roster.sms_states SELECT * FROM json_populate_recordset(NULL::roster.sms_states, ${JSON.stringify(changed)}::json)
            ON CONFLICT (booking_id) DO UPDATE SET sms_id = EXCLUDED.sms_id, status = EXCLUDED.status,
              kind = EXCLUDED.kind, status_at = EXCLUDED.status_at, updated_at = EXCLUDED.updated_at`;
          outcome.applied += smsEvents.length;
        }
        return outcome;
      },
      { timeout: 60_000, maxWait: 30_000 },
    );
  }
}
