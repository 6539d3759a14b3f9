import type { BookingEvent } from '@khiw/contracts';
import type { PrismaClient } from '@khiw/db';

export type ApplyResult = 'applied' | 'duplicate' | 'stale' | 'ignored';

const CONSUMER = 'roster';

/**
 * Applies one booking event to the roster, once: the event id is recorded in the same
 * transaction as the change, so a redelivered event is a no-op. An event older than the
 * entry's last applied event never overwrites it (safe against reordering).
 */
export class ApplyBookingEvent {
  constructor(private readonly prisma: PrismaClient) {}

  async execute(event: BookingEvent): Promise<ApplyResult> {
    if (event.type !== 'BookingConfirmed') return 'ignored';
    return this.prisma.$transaction(async (tx) => {
      const claimed = await tx.rosterProcessedEvent.createMany({
        data: [{ eventId: event.eventId, consumer: CONSUMER }],
        skipDuplicates: true,
      });
      if (claimed.count === 0) return 'duplicate';
      const occurredAt = new Date(event.occurredAt);
      const { person, appointment, reference } = event.data;
      const fields = {
        campaignId: event.campaignId,
        reference,
        citizenId: person.citizenId,
        birthDate: new Date(`${person.birthDate}T00:00:00Z`),
        firstName: person.firstName,
        lastName: person.lastName,
        groupCode: person.groupCode,
        siteId: appointment.siteId,
        slotId: appointment.slotId,
        startsAt: new Date(appointment.startsAt),
        status: 'confirmed',
        lastEventId: event.eventId,
        lastEventAt: occurredAt,
      };
      const existing = await tx.rosterEntry.findUnique({
        where: { bookingId: event.bookingId },
        select: { lastEventAt: true },
      });
      if (existing && existing.lastEventAt > occurredAt) return 'stale';
      await tx.rosterEntry.upsert({
        where: { bookingId: event.bookingId },
        create: { bookingId: event.bookingId, ...fields },
        update: fields,
      });
      return 'applied';
    });
  }
}
