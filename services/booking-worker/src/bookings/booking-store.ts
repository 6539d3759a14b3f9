import type { Prisma } from '@khiw/db';
import type { OutboxRow } from './booking-events';
import type { EligibilityRules } from './eligibility';
import { insertOutbox } from './outbox-insert';

/** A booking with its slot's time and its site's names. */
export interface BookingRow {
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

export interface SlotWithSite {
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

/**
 * booking.bookings and the counters a booking holds, for self-service (look-up, cancel,
 * reschedule), through Prisma: on the client, or on a transaction whose campaign row the
 * caller has locked (lockCampaign) before it changes anything.
 */
export class BookingStore {
  constructor(private readonly db: Prisma.TransactionClient) {}

  /** The citizen's active booking in the campaign, else their latest cancelled one. */
  async latestOfCitizen(campaignId: string, citizenId: string): Promise<BookingRow | undefined> {
    const rows = await this.db.$queryRawUnsafe<BookingRow[]>(
      `SELECT ${BOOKING_COLUMNS} FROM ${BOOKING_FROM}
       WHERE b.campaign_id = $1 AND b.citizen_id = $2
       ORDER BY (b.status = 'confirmed') DESC, b.created_at DESC LIMIT 1`,
      campaignId,
      citizenId,
    );
    return rows[0];
  }

  /** The request's active booking, else its latest cancelled one. */
  async latestOfRequest(requestId: string): Promise<BookingRow | undefined> {
    const rows = await this.db.$queryRawUnsafe<BookingRow[]>(
      `SELECT ${BOOKING_COLUMNS} FROM ${BOOKING_FROM}
       WHERE b.request_id = $1 ORDER BY (b.status = 'confirmed') DESC, b.created_at DESC LIMIT 1`,
      requestId,
    );
    return rows[0];
  }

  /** The booking's campaign; undefined for an unknown booking or an id that is no UUID. */
  async campaignOf(bookingId: string): Promise<string | undefined> {
    if (!/^[0-9a-f-]{36}$/i.test(bookingId)) return undefined;
    const [row] = await this.db.$queryRaw<{ campaign_id: string }[]>`
      SELECT campaign_id FROM booking.bookings WHERE id = ${bookingId}::uuid`;
    return row?.campaign_id;
  }

  /** Locks the campaign row first, as booking batches do: counters change in one order. */
  async lockCampaign(campaignId: string): Promise<{ eligibility: EligibilityRules } | undefined> {
    const [campaign] = await this.db.$queryRaw<{ eligibility: EligibilityRules }[]>`
      SELECT eligibility FROM booking.campaigns WHERE id = ${campaignId} FOR UPDATE`;
    return campaign;
  }

  async lockBooking(bookingId: string): Promise<BookingRow | undefined> {
    const [row] = await this.db.$queryRawUnsafe<BookingRow[]>(
      `SELECT ${BOOKING_COLUMNS} FROM ${BOOKING_FROM} WHERE b.id = $1::uuid FOR UPDATE OF b`,
      bookingId,
    );
    return row;
  }

  async markCancelled(bookingId: string, cancelledBy: string): Promise<void> {
    await this.db.$executeRaw`
      UPDATE booking.bookings SET status = 'cancelled', cancelled_at = now(), cancelled_by = ${cancelledBy},
        updated_at = now() WHERE id = ${bookingId}::uuid`;
  }

  /** Gives a cancelled booking's dose back to its slot, group and campaign (which reopens if sold out). */
  async releaseDose(campaignId: string, slotId: string, groupCode: string): Promise<void> {
    await this.freePlace(campaignId, slotId);
    await this.db.$executeRaw`
      UPDATE booking.priority_groups SET booked = booked - 1
      WHERE campaign_id = ${campaignId} AND code = ${groupCode}`;
    await this.db.$executeRaw`
      UPDATE booking.campaigns SET booked_doses = booked_doses - 1,
        state = CASE WHEN state = 'sold_out' THEN 'open' ELSE state END, updated_at = now()
      WHERE id = ${campaignId}`;
  }

  async slotWithSite(campaignId: string, slotId: string): Promise<SlotWithSite | undefined> {
    const [slot] = await this.db.$queryRaw<SlotWithSite[]>`
      SELECT sl.site_id, sl.starts_at, si.name_th, si.name_en
      FROM booking.slots sl JOIN booking.sites si ON si.campaign_id = sl.campaign_id AND si.id = sl.site_id
      WHERE sl.campaign_id = ${campaignId} AND sl.id = ${slotId}`;
    return slot;
  }

  async groupAges(
    campaignId: string,
    groupCode: string,
  ): Promise<{ min_age_years: number | null; max_age_years: number | null } | undefined> {
    const [group] = await this.db.$queryRaw<{ min_age_years: number | null; max_age_years: number | null }[]>`
      SELECT min_age_years, max_age_years FROM booking.priority_groups
      WHERE campaign_id = ${campaignId} AND code = ${groupCode}`;
    return group;
  }

  /** Takes one place in the slot if it has room; false when it is full. */
  async takePlace(campaignId: string, slotId: string): Promise<boolean> {
    const moved = await this.db.$executeRaw`
      UPDATE booking.slots SET booked = booked + 1
      WHERE campaign_id = ${campaignId} AND id = ${slotId} AND booked < capacity`;
    return moved === 1;
  }

  async freePlace(campaignId: string, slotId: string): Promise<void> {
    await this.db.$executeRaw`
      UPDATE booking.slots SET booked = booked - 1 WHERE campaign_id = ${campaignId} AND id = ${slotId}`;
  }

  async moveBooking(bookingId: string, slotId: string, siteId: string): Promise<void> {
    await this.db.$executeRaw`
      UPDATE booking.bookings SET slot_id = ${slotId}, site_id = ${siteId}, updated_at = now()
      WHERE id = ${bookingId}::uuid`;
  }

  insertOutbox(rows: OutboxRow[]): Promise<void> {
    return insertOutbox(this.db, rows);
  }
}
