import { randomUUID } from 'node:crypto';
import type {
  Appointment,
  CancelRequest,
  RejectionCode,
  RescheduleRequest,
  ResidentIdentity,
  ResidentState,
  StandbyPlace,
} from '@khiw/contracts';
import type { Prisma, PrismaClient } from '@khiw/db';
import {
  appointmentOf,
  cancelledEvent,
  insertOutbox,
  promotedEvent,
  rescheduledEvent,
} from './booking-events';
import { newBookingReference } from './booking-reference';
import { eligibilityProblem, type EligibilityRules } from './eligibility';

type Tx = Prisma.TransactionClient;

/** A self-service request that cannot be done: the HTTP layer maps the code to a status. */
export class SelfServiceError extends Error {
  constructor(readonly code: 'NOT_FOUND' | 'ALREADY_CANCELLED' | RejectionCode) {
    super(code);
    this.name = 'SelfServiceError';
  }
}

interface BookingRow {
  id: string;
  campaign_id: string;
  reference: string;
  request_id: string;
  citizen_id: string;
  birth_date: Date;
  phone: string;
  group_code: string;
  province_code: string | null;
  status: 'confirmed' | 'cancelled';
  slot_id: string;
  site_id: string;
  starts_at: Date;
  name_th: string;
  name_en: string;
}

const BOOKING_COLUMNS = `b.id, b.campaign_id, b.reference, b.request_id, b.citizen_id, b.birth_date, b.phone,
  b.group_code, b.province_code, b.status, b.slot_id, b.site_id, sl.starts_at, si.name_th, si.name_en`;
const BOOKING_FROM = `booking.bookings b
  JOIN booking.slots sl ON sl.campaign_id = b.campaign_id AND sl.id = b.slot_id
  JOIN booking.sites si ON si.campaign_id = b.campaign_id AND si.id = b.site_id`;

const dateKey = (d: Date) => d.toISOString().slice(0, 10);

function toAppointment(row: BookingRow): Appointment {
  return {
    bookingId: row.id,
    reference: row.reference,
    status: row.status,
    groupCode: row.group_code,
    ...appointmentOf(row),
  };
}

/** Both fields must match; a mismatch looks exactly like "no such booking". */
function matches(row: { citizen_id: string; birth_date: Date }, who: ResidentIdentity): boolean {
  return row.citizen_id === who.citizenId && dateKey(row.birth_date) === who.birthDate;
}

/**
 * Look-up, cancellation and rescheduling for residents (checked by citizen ID + birth date)
 * and for staff. Every change locks the campaign row first, like booking batches do, so
 * counters and the standby list change in one order; a cancellation frees the dose and
 * promotes the first standby person who still fits, in the same transaction.
 */
export class SelfService {
  constructor(private readonly prisma: PrismaClient) {}

  async lookup(campaignId: string, who: ResidentIdentity): Promise<ResidentState> {
    const rows = await this.prisma.$queryRawUnsafe<BookingRow[]>(
      `SELECT ${BOOKING_COLUMNS} FROM ${BOOKING_FROM}
       WHERE b.campaign_id = $1 AND b.citizen_id = $2
       ORDER BY (b.status = 'confirmed') DESC, b.created_at DESC LIMIT 1`,
      campaignId,
      who.citizenId,
    );
    const booking = rows[0] && matches(rows[0], who) ? toAppointment(rows[0]) : null;
    const standby =
      booking?.status === 'confirmed'
        ? null
        : await this.waitingPlace(this.prisma, campaignId, { citizen: who });
    if (!booking && !standby) throw new SelfServiceError('NOT_FOUND');
    return { campaignId, booking, standby };
  }

  /** What became of a request, now (a standby place may have been promoted since). */
  async request(requestId: string): Promise<ResidentState> {
    const rows = await this.prisma.$queryRawUnsafe<BookingRow[]>(
      `SELECT ${BOOKING_COLUMNS} FROM ${BOOKING_FROM}
       WHERE b.request_id = $1 ORDER BY (b.status = 'confirmed') DESC, b.created_at DESC LIMIT 1`,
      requestId,
    );
    if (rows[0]) return { campaignId: rows[0].campaign_id, booking: toAppointment(rows[0]), standby: null };
    const [entry] = await this.prisma.$queryRaw<{ campaign_id: string }[]>`
      SELECT campaign_id FROM booking.standby_entries WHERE request_id = ${requestId} AND status = 'waiting'`;
    if (!entry) throw new SelfServiceError('NOT_FOUND');
    const standby = await this.waitingPlace(this.prisma, entry.campaign_id, { requestId });
    return { campaignId: entry.campaign_id, booking: null, standby };
  }

  async cancel(
    bookingId: string,
    request: CancelRequest,
  ): Promise<{ booking: Appointment; promoted: boolean; requestId: string; campaignId: string }> {
    const campaignId = await this.campaignOf(bookingId);
    return this.prisma.$transaction(
      async (tx) => {
        await lockCampaign(tx, campaignId);
        const row = await this.lockBooking(tx, bookingId, request.actor === 'resident' ? request : null);
        if (row.status === 'cancelled') throw new SelfServiceError('ALREADY_CANCELLED');
        const cancelledBy =
          request.actor === 'resident' ? 'resident' : `${request.actor}:${request.operator}`;
        await tx.$executeRaw`
          UPDATE booking.bookings SET status = 'cancelled', cancelled_at = now(), cancelled_by = ${cancelledBy},
            updated_at = now() WHERE id = ${bookingId}::uuid`;
        await tx.$executeRaw`
          UPDATE booking.slots SET booked = booked - 1 WHERE campaign_id = ${campaignId} AND id = ${row.slot_id}`;
        await tx.$executeRaw`
          UPDATE booking.priority_groups SET booked = booked - 1
          WHERE campaign_id = ${campaignId} AND code = ${row.group_code}`;
        await tx.$executeRaw`
          UPDATE booking.campaigns SET booked_doses = booked_doses - 1,
            state = CASE WHEN state = 'sold_out' THEN 'open' ELSE state END, updated_at = now()
          WHERE id = ${campaignId}`;
        await insertOutbox(tx, [
          cancelledEvent({
            campaignId,
            requestId: row.request_id,
            bookingId,
            reference: row.reference,
            phone: row.phone,
            appointment: appointmentOf(row),
            cancelledBy: request.actor,
          }),
        ]);
        const promoted = await promoteStandby(tx, campaignId, 1, row.slot_id);
        return {
          booking: { ...toAppointment(row), status: 'cancelled' as const },
          promoted: promoted > 0,
          requestId: row.request_id,
          campaignId,
        };
      },
      { timeout: 15_000, maxWait: 15_000 },
    );
  }

  async reschedule(
    bookingId: string,
    request: RescheduleRequest,
  ): Promise<{ booking: Appointment; campaignId: string }> {
    const campaignId = await this.campaignOf(bookingId);
    return this.prisma.$transaction(
      async (tx) => {
        const campaign = await lockCampaign(tx, campaignId);
        const row = await this.lockBooking(tx, bookingId, request);
        if (row.status === 'cancelled') throw new SelfServiceError('ALREADY_CANCELLED');
        if (row.slot_id === request.slotId) return { booking: toAppointment(row), campaignId };
        const [slot] = await tx.$queryRaw<
          { site_id: string; starts_at: Date; name_th: string; name_en: string }[]
        >`
          SELECT sl.site_id, sl.starts_at, si.name_th, si.name_en
          FROM booking.slots sl JOIN booking.sites si ON si.campaign_id = sl.campaign_id AND si.id = sl.site_id
          WHERE sl.campaign_id = ${campaignId} AND sl.id = ${request.slotId}`;
        if (!slot) throw new SelfServiceError('UNKNOWN_SLOT');
        const [group] = await tx.$queryRaw<{ min_age_years: number | null; max_age_years: number | null }[]>`
          SELECT min_age_years, max_age_years FROM booking.priority_groups
          WHERE campaign_id = ${campaignId} AND code = ${row.group_code}`;
        const problem = eligibilityProblem(
          { ...campaign.eligibility, excludeAlreadyVaccinated: false },
          { minAgeYears: group?.min_age_years ?? null, maxAgeYears: group?.max_age_years ?? null },
          {
            birthDate: dateKey(row.birth_date),
            provinceCode: row.province_code ?? undefined,
            alreadyVaccinated: false,
          },
          slot.starts_at,
        );
        if (problem === 'NOT_ELIGIBLE_AGE') throw new SelfServiceError(problem);
        const moved = await tx.$executeRaw`
          UPDATE booking.slots SET booked = booked + 1
          WHERE campaign_id = ${campaignId} AND id = ${request.slotId} AND booked < capacity`;
        if (moved !== 1) throw new SelfServiceError('SLOT_FULL');
        await tx.$executeRaw`
          UPDATE booking.slots SET booked = booked - 1 WHERE campaign_id = ${campaignId} AND id = ${row.slot_id}`;
        await tx.$executeRaw`
          UPDATE booking.bookings SET slot_id = ${request.slotId}, site_id = ${slot.site_id}, updated_at = now()
          WHERE id = ${bookingId}::uuid`;
        const to = {
          site_id: slot.site_id,
          name_th: slot.name_th,
          name_en: slot.name_en,
          slot_id: request.slotId,
          starts_at: slot.starts_at,
        };
        await insertOutbox(tx, [
          rescheduledEvent({
            campaignId,
            requestId: row.request_id,
            bookingId,
            reference: row.reference,
            phone: row.phone,
            from: appointmentOf(row),
            appointment: appointmentOf(to),
          }),
        ]);
        // The freed place in the old slot may be what a standby person at that site needs.
        await promoteStandby(tx, campaignId, 1, row.slot_id);
        return { booking: toAppointment({ ...row, ...to }), campaignId };
      },
      { timeout: 15_000, maxWait: 15_000 },
    );
  }

  private async campaignOf(bookingId: string): Promise<string> {
    if (!/^[0-9a-f-]{36}$/i.test(bookingId)) throw new SelfServiceError('NOT_FOUND');
    const [row] = await this.prisma.$queryRaw<{ campaign_id: string }[]>`
      SELECT campaign_id FROM booking.bookings WHERE id = ${bookingId}::uuid`;
    if (!row) throw new SelfServiceError('NOT_FOUND');
    return row.campaign_id;
  }

  private async lockBooking(tx: Tx, bookingId: string, who: ResidentIdentity | null): Promise<BookingRow> {
    const [row] = await tx.$queryRawUnsafe<BookingRow[]>(
      `SELECT ${BOOKING_COLUMNS} FROM ${BOOKING_FROM} WHERE b.id = $1::uuid FOR UPDATE OF b`,
      bookingId,
    );
    if (!row || (who && !matches(row, who))) throw new SelfServiceError('NOT_FOUND');
    return row;
  }

  private async waitingPlace(
    db: Tx | PrismaClient,
    campaignId: string,
    by: { citizen: ResidentIdentity } | { requestId: string },
  ): Promise<StandbyPlace | null> {
    type Row = {
      id: string;
      position: number;
      group_code: string;
      site_id: string;
      slot_id: string;
      citizen_id: string;
      birth_date: Date;
    };
    const [entry] =
      'citizen' in by
        ? await db.$queryRaw<Row[]>`
            SELECT id, position, group_code, site_id, slot_id, citizen_id, birth_date FROM booking.standby_entries
            WHERE campaign_id = ${campaignId} AND citizen_id = ${by.citizen.citizenId} AND status = 'waiting'`
        : await db.$queryRaw<Row[]>`
            SELECT id, position, group_code, site_id, slot_id, citizen_id, birth_date FROM booking.standby_entries
            WHERE request_id = ${by.requestId} AND status = 'waiting'`;
    if (!entry) return null;
    if ('citizen' in by && !matches(entry, by.citizen)) return null;
    const [ahead] = await db.$queryRaw<{ n: number }[]>`
      SELECT count(*)::int AS n FROM booking.standby_entries
      WHERE campaign_id = ${campaignId} AND status = 'waiting' AND position < ${entry.position}`;
    return {
      standbyId: entry.id,
      position: (ahead?.n ?? 0) + 1,
      groupCode: entry.group_code,
      siteId: entry.site_id,
      slotId: entry.slot_id,
    };
  }
}

async function lockCampaign(tx: Tx, campaignId: string): Promise<{ eligibility: EligibilityRules }> {
  const [campaign] = await tx.$queryRaw<{ eligibility: EligibilityRules }[]>`
    SELECT eligibility FROM booking.campaigns WHERE id = ${campaignId} FOR UPDATE`;
  if (!campaign) throw new SelfServiceError('NOT_FOUND');
  return campaign;
}

interface StandbyRow {
  id: string;
  position: number;
  request_id: string;
  citizen_id: string;
  first_name: string;
  last_name: string;
  birth_date: Date;
  phone: string;
  province_code: string | null;
  group_code: string;
  site_id: string;
  slot_id: string;
  channel: 'web' | 'call-center' | 'walk-in' | 'bulk';
}

/**
 * Moves up to `max` standby people, first come first, into free doses: a person fits when
 * their group has quota left and a slot at THEIR chosen site has room (their own slot
 * first, then the slot just freed, then the earliest with room). Someone the national
 * registry has listed as vaccinated since is withdrawn from the list instead. Runs inside
 * the caller's transaction, with the campaign row already locked. Returns how many moved.
 */
export async function promoteStandby(
  tx: Tx,
  campaignId: string,
  max: number,
  freedSlotId?: string,
): Promise<number> {
  let promoted = 0;
  while (promoted < max) {
    const [campaign] = await tx.$queryRaw<{ total_doses: number; booked_doses: number }[]>`
      SELECT total_doses, booked_doses FROM booking.campaigns WHERE id = ${campaignId}`;
    if (!campaign || campaign.booked_doses >= campaign.total_doses) break;
    const [entry] = await tx.$queryRaw<StandbyRow[]>`
      SELECT s.id, s.position, s.request_id, s.citizen_id, s.first_name, s.last_name, s.birth_date, s.phone,
        s.province_code, s.group_code, s.site_id, s.slot_id, s.channel
      FROM booking.standby_entries s
      JOIN booking.priority_groups g ON g.campaign_id = s.campaign_id AND g.code = s.group_code
      WHERE s.campaign_id = ${campaignId} AND s.status = 'waiting' AND g.booked < g.quota
        AND EXISTS (SELECT 1 FROM booking.slots sl
                    WHERE sl.campaign_id = s.campaign_id AND sl.site_id = s.site_id AND sl.booked < sl.capacity)
      ORDER BY s.position LIMIT 1`;
    if (!entry) break;
    const [listed] = await tx.$queryRaw<{ n: number }[]>`
      SELECT count(*)::int AS n FROM booking.registry_vaccinated WHERE citizen_id = ${entry.citizen_id}`;
    const [active] = await tx.$queryRaw<{ n: number }[]>`
      SELECT count(*)::int AS n FROM booking.bookings
      WHERE campaign_id = ${campaignId} AND citizen_id = ${entry.citizen_id} AND status <> 'cancelled'`;
    if ((listed?.n ?? 0) > 0 || (active?.n ?? 0) > 0) {
      await tx.$executeRaw`
        UPDATE booking.standby_entries SET status = 'withdrawn', updated_at = now() WHERE id = ${entry.id}::uuid`;
      await tx.$executeRaw`
        UPDATE booking.campaigns SET standby_count = standby_count - 1 WHERE id = ${campaignId}`;
      continue;
    }
    const [slot] = await tx.$queryRaw<
      { id: string; starts_at: Date; site_id: string; name_th: string; name_en: string }[]
    >`
      SELECT sl.id, sl.starts_at, sl.site_id, si.name_th, si.name_en
      FROM booking.slots sl JOIN booking.sites si ON si.campaign_id = sl.campaign_id AND si.id = sl.site_id
      WHERE sl.campaign_id = ${campaignId} AND sl.site_id = ${entry.site_id} AND sl.booked < sl.capacity
      ORDER BY (sl.id = ${entry.slot_id}) DESC, (sl.id = ${freedSlotId ?? ''}) DESC, sl.starts_at
      LIMIT 1 FOR UPDATE OF sl`;
    if (!slot) break;
    const bookingId = randomUUID();
    const reference = newBookingReference();
    // Guarded like every booking: the CHECK constraints refuse what the queries above missed.
    await tx.$executeRaw`
      UPDATE booking.slots SET booked = booked + 1 WHERE campaign_id = ${campaignId} AND id = ${slot.id}`;
    await tx.$executeRaw`
      UPDATE booking.priority_groups SET booked = booked + 1
      WHERE campaign_id = ${campaignId} AND code = ${entry.group_code}`;
    await tx.$executeRaw`
      UPDATE booking.campaigns SET booked_doses = booked_doses + 1, standby_count = standby_count - 1,
        state = CASE WHEN booked_doses + 1 = total_doses AND state IN ('scheduled', 'open') THEN 'sold_out' ELSE state END,
        updated_at = now()
      WHERE id = ${campaignId}`;
    await tx.$executeRaw`
      INSERT INTO booking.bookings (id, campaign_id, reference, request_id, citizen_id, first_name, last_name,
        birth_date, phone, group_code, site_id, slot_id, status, channel, province_code, standby_id)
      VALUES (${bookingId}::uuid, ${campaignId}, ${reference}, ${entry.request_id}, ${entry.citizen_id},
        ${entry.first_name}, ${entry.last_name}, ${entry.birth_date}::date, ${entry.phone}, ${entry.group_code},
        ${slot.site_id}, ${slot.id}, 'confirmed', ${entry.channel}, ${entry.province_code}, ${entry.id}::uuid)`;
    await tx.$executeRaw`
      UPDATE booking.standby_entries SET status = 'promoted', booking_id = ${bookingId}::uuid, updated_at = now()
      WHERE id = ${entry.id}::uuid`;
    await insertOutbox(tx, [
      promotedEvent({
        campaignId,
        requestId: entry.request_id,
        bookingId,
        reference,
        channel: entry.channel,
        standbyPosition: entry.position,
        person: {
          citizenId: entry.citizen_id,
          firstName: entry.first_name,
          lastName: entry.last_name,
          birthDate: dateKey(entry.birth_date),
          phone: entry.phone,
          groupCode: entry.group_code,
        },
        appointment: appointmentOf({ ...slot, slot_id: slot.id }),
      }),
    ]);
    promoted += 1;
  }
  return promoted;
}
