import { randomUUID } from 'node:crypto';
import { CheckedIn } from '@khiw/contracts';
import type { PrismaClient } from '@khiw/db';
import { TOPICS } from '@khiw/kafka';

export interface CheckInCommand {
  campaignId: string;
  /** The staff member's site: a booking at another site is not found. */
  siteId: string;
  bookingId: string;
  /** Who checked the person in, as recorded and published. */
  operator: string;
}

export type CheckInResult =
  | { outcome: 'checked_in' | 'already_checked_in'; checkedInAt: string; checkedInBy: string }
  | { outcome: 'not_found' | 'cancelled' };

/**
 * Records that a person came, once, and writes the CheckedIn event to the roster's outbox in
 * the same transaction (the relay publishes it to roster.events). Scoped: a booking at
 * another site is "not found" for this site's staff. Checking in twice answers with the
 * first check-in; a cancelled booking cannot be checked in.
 */
export class CheckIn {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly onRecorded: () => void = () => undefined,
  ) {}

  async execute(input: CheckInCommand): Promise<CheckInResult> {
    const result = await this.prisma.$transaction(async (tx) => {
      const [row] = await tx.$queryRaw<
        {
          reference: string;
          slot_id: string;
          cancelled_at: Date | null;
          checked_in_at: Date | null;
          checked_in_by: string | null;
        }[]
      >`
        SELECT reference, slot_id, cancelled_at, checked_in_at, checked_in_by FROM roster.entries
        WHERE booking_id = ${input.bookingId}::uuid AND campaign_id = ${input.campaignId}
          AND site_id = ${input.siteId} AND citizen_id IS NOT NULL
        FOR UPDATE`;
      if (!row) return { outcome: 'not_found' } as const;
      if (row.cancelled_at) return { outcome: 'cancelled' } as const;
      if (row.checked_in_at) {
        return {
          outcome: 'already_checked_in',
          checkedInAt: row.checked_in_at.toISOString(),
          checkedInBy: row.checked_in_by ?? '',
        } as const;
      }
      const at = new Date();
      await tx.$executeRaw`
        UPDATE roster.entries SET checked_in_at = ${at}, checked_in_by = ${input.operator},
          status = 'checked_in', updated_at = now()
        WHERE booking_id = ${input.bookingId}::uuid`;
      const event = CheckedIn.parse({
        schemaVersion: 1,
        eventId: randomUUID(),
        occurredAt: at.toISOString(),
        campaignId: input.campaignId,
        bookingId: input.bookingId,
        type: 'CheckedIn',
        data: {
          reference: row.reference,
          siteId: input.siteId,
          slotId: row.slot_id,
          checkedInBy: input.operator,
        },
      });
      await tx.$executeRaw`
        INSERT INTO roster.outbox_events (id, topic, key, payload)
        VALUES (${event.eventId}::uuid, ${TOPICS.rosterEvents}, ${input.bookingId}, ${JSON.stringify(event)}::jsonb)`;
      return { outcome: 'checked_in', checkedInAt: at.toISOString(), checkedInBy: input.operator } as const;
    });
    if (result.outcome === 'checked_in') this.onRecorded();
    return result;
  }
}
