import type { Channel, Language } from '@khiw/contracts';
import type { Prisma } from '@khiw/db';
import type { OutboxRow } from './booking-events';
import { insertOutbox } from './outbox-insert';

/** A waiting place as a resident's look-up reads it. */
export interface WaitingEntryRow {
  id: string;
  position: number;
  group_code: string;
  site_id: string;
  slot_id: string;
  citizen_id: string;
  birth_date: Date;
}

/** A waiting place with everything its booking copies, should it be promoted. */
export interface StandbyEntryRow {
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
  channel: Channel;
  entered_by: string | null;
  language: Language | null;
}

/** A slot with room, locked, with its site's names. */
export interface FreeSlotRow {
  id: string;
  starts_at: Date;
  site_id: string;
  name_th: string;
  name_en: string;
}

/**
 * booking.standby_entries: residents' places in line, and promotion into free doses, through
 * Prisma. Promotion runs on a transaction whose campaign row the caller has locked.
 */
export class StandbyStore {
  constructor(private readonly db: Prisma.TransactionClient) {}

  async waitingOfCitizen(campaignId: string, citizenId: string): Promise<WaitingEntryRow | undefined> {
    const [entry] = await this.db.$queryRaw<WaitingEntryRow[]>`
      SELECT id, position, group_code, site_id, slot_id, citizen_id, birth_date FROM booking.standby_entries
      WHERE campaign_id = ${campaignId} AND citizen_id = ${citizenId} AND status = 'waiting'`;
    return entry;
  }

  async waitingOfRequest(requestId: string): Promise<WaitingEntryRow | undefined> {
    const [entry] = await this.db.$queryRaw<WaitingEntryRow[]>`
      SELECT id, position, group_code, site_id, slot_id, citizen_id, birth_date FROM booking.standby_entries
      WHERE request_id = ${requestId} AND status = 'waiting'`;
    return entry;
  }

  /** The campaign of the request's waiting place, if it has one. */
  async campaignOfWaitingRequest(requestId: string): Promise<string | undefined> {
    const [entry] = await this.db.$queryRaw<{ campaign_id: string }[]>`
      SELECT campaign_id FROM booking.standby_entries WHERE request_id = ${requestId} AND status = 'waiting'`;
    return entry?.campaign_id;
  }

  /** How many are still waiting ahead of `position`. */
  async waitingAhead(campaignId: string, position: number): Promise<number> {
    const [ahead] = await this.db.$queryRaw<{ n: number }[]>`
      SELECT count(*)::int AS n FROM booking.standby_entries
      WHERE campaign_id = ${campaignId} AND status = 'waiting' AND position < ${position}`;
    return ahead?.n ?? 0;
  }

  /** Whether the campaign has a dose left (false for an unknown campaign). */
  async hasDoseLeft(campaignId: string): Promise<boolean> {
    const [campaign] = await this.db.$queryRaw<{ total_doses: number; booked_doses: number }[]>`
      SELECT total_doses, booked_doses FROM booking.campaigns WHERE id = ${campaignId}`;
    return campaign !== undefined && campaign.booked_doses < campaign.total_doses;
  }

  /** The first waiting place whose group has quota left and whose chosen site has a slot with room. */
  async firstThatFits(campaignId: string): Promise<StandbyEntryRow | undefined> {
    const [entry] = await this.db.$queryRaw<StandbyEntryRow[]>`
      SELECT s.id, s.position, s.request_id, s.citizen_id, s.first_name, s.last_name, s.birth_date, s.phone,
        s.province_code, s.group_code, s.site_id, s.slot_id, s.channel, s.entered_by, s.language
      FROM booking.standby_entries s
      JOIN booking.priority_groups g ON g.campaign_id = s.campaign_id AND g.code = s.group_code
      JOIN booking.campaign_channels cc ON cc.campaign_id = s.campaign_id AND cc.channel = s.channel
      WHERE s.campaign_id = ${campaignId} AND s.status = 'waiting' AND g.booked < g.quota
        -- the channel's own reserve, or an unreserved dose (booking.campaign_channels)
        AND (cc.booked < cc.reserved OR (
          SELECT sum(greatest(x.booked - x.reserved, 0)) < c.total_doses - sum(x.reserved)
          FROM booking.campaign_channels x JOIN booking.campaigns c ON c.id = x.campaign_id
          WHERE x.campaign_id = s.campaign_id GROUP BY c.total_doses))
        AND EXISTS (SELECT 1 FROM booking.slots sl
                    WHERE sl.campaign_id = s.campaign_id AND sl.site_id = s.site_id AND sl.booked < sl.capacity)
      ORDER BY s.position LIMIT 1`;
    return entry;
  }

  async isListedVaccinated(citizenId: string): Promise<boolean> {
    const [listed] = await this.db.$queryRaw<{ n: number }[]>`
      SELECT count(*)::int AS n FROM booking.registry_vaccinated WHERE citizen_id = ${citizenId}`;
    return (listed?.n ?? 0) > 0;
  }

  async hasActiveBooking(campaignId: string, citizenId: string): Promise<boolean> {
    const [active] = await this.db.$queryRaw<{ n: number }[]>`
      SELECT count(*)::int AS n FROM booking.bookings
      WHERE campaign_id = ${campaignId} AND citizen_id = ${citizenId} AND status <> 'cancelled'`;
    return (active?.n ?? 0) > 0;
  }

  /** Takes the place off the list: its holder may no longer be promoted. */
  async withdraw(campaignId: string, entryId: string): Promise<void> {
    await this.db.$executeRaw`
      UPDATE booking.standby_entries SET status = 'withdrawn', updated_at = now() WHERE id = ${entryId}::uuid`;
    await this.db.$executeRaw`
      UPDATE booking.campaigns SET standby_count = standby_count - 1 WHERE id = ${campaignId}`;
  }

  /**
   * A slot with room at the entry's chosen site, locked: its own slot first, then the slot
   * just freed, then the earliest.
   */
  async lockFreeSlot(
    campaignId: string,
    entry: Pick<StandbyEntryRow, 'site_id' | 'slot_id'>,
    freedSlotId: string | undefined,
  ): Promise<FreeSlotRow | undefined> {
    const [slot] = await this.db.$queryRaw<FreeSlotRow[]>`
      SELECT sl.id, sl.starts_at, sl.site_id, si.name_th, si.name_en
      FROM booking.slots sl JOIN booking.sites si ON si.campaign_id = sl.campaign_id AND si.id = sl.site_id
      WHERE sl.campaign_id = ${campaignId} AND sl.site_id = ${entry.site_id} AND sl.booked < sl.capacity
      ORDER BY (sl.id = ${entry.slot_id}) DESC, (sl.id = ${freedSlotId ?? ''}) DESC, sl.starts_at
      LIMIT 1 FOR UPDATE OF sl`;
    return slot;
  }

  /**
   * Turns the waiting place into a confirmed booking in `slot`: counters up (the campaign
   * sells out on its last dose), the booking inserted, the place marked promoted. Guarded like
   * every booking: the CHECK constraints refuse what the queries before missed.
   */
  async promote(
    campaignId: string,
    entry: StandbyEntryRow,
    slot: FreeSlotRow,
    booking: { id: string; reference: string },
  ): Promise<void> {
    await this.db.$executeRaw`
      UPDATE booking.slots SET booked = booked + 1 WHERE campaign_id = ${campaignId} AND id = ${slot.id}`;
    await this.db.$executeRaw`
      UPDATE booking.priority_groups SET booked = booked + 1
      WHERE campaign_id = ${campaignId} AND code = ${entry.group_code}`;
    await this.db.$executeRaw`
      UPDATE booking.campaigns SET booked_doses = booked_doses + 1, standby_count = standby_count - 1,
        state = CASE WHEN booked_doses + 1 = total_doses AND state IN ('scheduled', 'open') THEN 'sold_out' ELSE state END,
        updated_at = now()
      WHERE id = ${campaignId}`;
    await this.db.$executeRaw`
      INSERT INTO booking.bookings (id, campaign_id, reference, request_id, citizen_id, first_name, last_name,
        birth_date, phone, group_code, site_id, slot_id, status, channel, entered_by, language, province_code, standby_id)
      VALUES (${booking.id}::uuid, ${campaignId}, ${booking.reference}, ${entry.request_id}, ${entry.citizen_id},
        ${entry.first_name}, ${entry.last_name}, ${entry.birth_date}::date, ${entry.phone}, ${entry.group_code},
        ${slot.site_id}, ${slot.id}, 'confirmed', ${entry.channel}, ${entry.entered_by}, ${entry.language},
        ${entry.province_code}, ${entry.id}::uuid)`;
    await this.db.$executeRaw`
      UPDATE booking.standby_entries SET status = 'promoted', booking_id = ${booking.id}::uuid, updated_at = now()
      WHERE id = ${entry.id}::uuid`;
  }

  insertOutbox(rows: OutboxRow[]): Promise<void> {
    return insertOutbox(this.db, rows);
  }
}
