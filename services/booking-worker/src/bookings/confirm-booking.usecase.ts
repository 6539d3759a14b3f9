import { randomUUID } from 'node:crypto';
import { Prisma, type PrismaClient } from '@khiw/db';
import { BookingConfirmed, TOPIC_OF_EVENT, type BookingRequestJob } from '@khiw/contracts';
import { BookingRejected, type RejectionCode } from './booking-errors';
import { newBookingReference } from './booking-reference';

export type BookingOutcome =
  | {
      status: 'confirmed';
      bookingId: string;
      reference: string;
      siteId: string;
      slotId: string;
      startsAt: string;
    }
  | { status: 'rejected'; reason: RejectionCode | 'ALREADY_BOOKED' };

type Tx = Prisma.TransactionClient;

/**
 * Reserves one dose for one request: slot capacity, group quota and campaign total are each
 * taken by a guarded UPDATE (`booked < limit`), so PostgreSQL itself refuses an overbooking
 * whatever the caller does; the booking row and its BookingConfirmed outbox event are written
 * in the same transaction. Re-running the same request returns the booking it already made.
 */
export class ConfirmBooking {
  constructor(private readonly prisma: PrismaClient) {}

  async execute(request: BookingRequestJob): Promise<BookingOutcome> {
    const previous = await this.findByRequest(this.prisma, request.requestId);
    if (previous) return previous;
    try {
      return await this.prisma.$transaction((tx) => this.reserve(tx, request));
    } catch (error) {
      if (error instanceof BookingRejected) return { status: 'rejected', reason: error.code };
      if (isUniqueViolation(error)) {
        // Same request committed by another attempt (a retried or stalled job): same answer.
        const existing = await this.findByRequest(this.prisma, request.requestId);
        if (existing) return existing;
        if (uniqueTarget(error).includes('citizen')) return { status: 'rejected', reason: 'ALREADY_BOOKED' };
      }
      throw error;
    }
  }

  private async reserve(tx: Tx, request: BookingRequestJob): Promise<BookingOutcome> {
    const { campaignId, slotId, siteId, groupCode } = request;
    const slot = await tx.slot.findUnique({
      where: { campaignId_id: { campaignId, id: slotId } },
      include: { site: true },
    });
    if (!slot) throw new BookingRejected('UNKNOWN_SLOT');
    // The slot must belong to the site the resident chose: never book a different site.
    if (slot.siteId !== siteId) throw new BookingRejected('SITE_MISMATCH');

    await take(
      tx,
      'SLOT_FULL',
      Prisma.sql`UPDATE booking.slots SET booked = booked + 1
      WHERE campaign_id = ${campaignId} AND id = ${slotId} AND booked < capacity`,
    );
    await take(
      tx,
      'GROUP_QUOTA_FULL',
      Prisma.sql`UPDATE booking.priority_groups SET booked = booked + 1
      WHERE campaign_id = ${campaignId} AND code = ${groupCode} AND booked < quota`,
      async () => {
        const group = await tx.priorityGroup.findUnique({
          where: { campaignId_code: { campaignId, code: groupCode } },
        });
        return group ? 'GROUP_QUOTA_FULL' : 'UNKNOWN_GROUP';
      },
    );
    await take(
      tx,
      'SOLD_OUT',
      Prisma.sql`UPDATE booking.campaigns SET booked_doses = booked_doses + 1, updated_at = now()
      WHERE id = ${campaignId} AND booked_doses < total_doses`,
    );

    const booking = await tx.booking.create({
      data: {
        campaignId,
        reference: newBookingReference(),
        requestId: request.requestId,
        citizenId: request.citizenId,
        firstName: request.firstName,
        lastName: request.lastName,
        birthDate: new Date(`${request.birthDate}T00:00:00Z`),
        phone: request.phone,
        groupCode,
        siteId,
        slotId,
        status: 'confirmed',
        channel: request.channel,
      },
    });

    const event = BookingConfirmed.parse({
      schemaVersion: 1,
      eventId: randomUUID(),
      type: 'BookingConfirmed',
      occurredAt: new Date().toISOString(),
      campaignId,
      bookingId: booking.id,
      requestId: request.requestId,
      data: {
        reference: booking.reference,
        channel: request.channel,
        person: {
          citizenId: request.citizenId,
          firstName: request.firstName,
          lastName: request.lastName,
          birthDate: request.birthDate,
          phone: request.phone,
          groupCode,
        },
        appointment: {
          siteId,
          siteName: { th: slot.site.nameTh, en: slot.site.nameEn },
          slotId,
          startsAt: slot.startsAt.toISOString(),
        },
      },
    });
    await tx.outboxEvent.create({
      data: {
        id: event.eventId,
        topic: TOPIC_OF_EVENT[event.type],
        key: booking.id,
        type: event.type,
        payload: event,
      },
    });

    return {
      status: 'confirmed',
      bookingId: booking.id,
      reference: booking.reference,
      siteId,
      slotId,
      startsAt: slot.startsAt.toISOString(),
    };
  }

  private async findByRequest(db: Tx | PrismaClient, requestId: string): Promise<BookingOutcome | undefined> {
    const booking = await db.booking.findUnique({ where: { requestId }, include: { slot: true } });
    if (!booking || booking.status !== 'confirmed') return undefined;
    return {
      status: 'confirmed',
      bookingId: booking.id,
      reference: booking.reference,
      siteId: booking.siteId,
      slotId: booking.slotId,
      startsAt: booking.slot.startsAt.toISOString(),
    };
  }
}

async function take(
  tx: Tx,
  code: RejectionCode,
  update: Prisma.Sql,
  explain?: () => Promise<RejectionCode>,
): Promise<void> {
  const updated = await tx.$executeRaw(update);
  if (updated === 1) return;
  throw new BookingRejected(explain ? await explain() : code);
}

function isUniqueViolation(error: unknown): error is Prisma.PrismaClientKnownRequestError {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
}

function uniqueTarget(error: Prisma.PrismaClientKnownRequestError): string {
  return JSON.stringify(error.meta ?? {});
}
