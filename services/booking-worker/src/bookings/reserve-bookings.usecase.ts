import { randomUUID } from 'node:crypto';
import type { Appointment, BookingOutcome, BookingRequestJob, RejectionCode } from '@khiw/contracts';
import type { PgPool, PgPoolClient as PoolClient } from '@khiw/db';
import {
  appointmentOf,
  confirmedEvent,
  OUTBOX_INSERT_SQL,
  outboxInsertValues,
  rejectedEvent,
  standbyEvent,
  type OutboxRow,
  type PersonFacts,
} from './booking-events';
import { newBookingReference } from './booking-reference';
import { eligibilityProblem, type EligibilityRules } from './eligibility';

/**
 * One statement of the batch transaction, prepared once per connection (`name`): the hot path
 * runs on a plain pg pool, not through Prisma, whose raw-query runtime cost the worker about a
 * fifth of its CPU per booking here (docs/benchmarks.md).
 */
async function run<T extends object>(client: PoolClient, name: string, text: string, values: unknown[]) {
  return (await client.query<T>({ name: `reserve-${name}`, text, values })).rows;
}

export interface BatchResult {
  outcomes: BookingOutcome[];
  /** Set when this batch took the campaign's last dose. */
  soldOut: boolean;
  /** Whether any counter changed (the published snapshot is stale). */
  changed: boolean;
}

interface CampaignRow {
  state: string;
  total_doses: number;
  booked_doses: number;
  standby_size: number;
  standby_count: number;
  standby_last_position: number;
  eligibility: EligibilityRules;
}
interface GroupRow {
  code: string;
  quota: number;
  booked: number;
  min_age_years: number | null;
  max_age_years: number | null;
}
interface SlotRow {
  id: string;
  site_id: string;
  starts_at: Date;
  capacity: number;
  booked: number;
  name_th: string;
  name_en: string;
}

interface NewBooking {
  id: string;
  reference: string;
  request: BookingRequestJob;
  slot: SlotRow;
}
interface NewStandby {
  id: string;
  position: number;
  request: BookingRequestJob;
}

/**
 * Decides a batch of booking requests for one campaign in ONE transaction (group commit):
 * the campaign row is locked first, so batches, cancellations and reschedules of a campaign
 * take turns and every decision below sees exact counters. For each request, in order:
 * eligibility (DESIGN.md invariant 5), then a dose: slot capacity, group quota and campaign
 * total all three or none. The counters are then written with the CHECK constraints
 * `booked <= capacity/quota/total` as the last word: if this code ever miscounted, the
 * statement fails and the whole batch rolls back (the caller retries it one request at a
 * time). Bookings, standby places and their outbox events are inserted in the same
 * transaction. A request already decided (a retried job) gets its earlier answer.
 *
 * When the campaign's doses (or the request's group quota) are gone, an eligible request
 * joins the bounded, ordered standby list; when that is full too, SOLD_OUT.
 */
export class ReserveBookings {
  constructor(private readonly pool: PgPool) {}

  async execute(campaignId: string, requests: BookingRequestJob[]): Promise<BatchResult> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      // No batch may hold the campaign row for long: a stuck statement ends the transaction.
      await client.query(`BEGIN; SET LOCAL statement_timeout = '30s'`);
      const result = await this.decide(client, campaignId, requests);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
      throw error;
    } finally {
      // A connection that could not roll back is closed, not reused.
      client.release(broken);
    }
  }

  private async decide(
    client: PoolClient,
    campaignId: string,
    requests: BookingRequestJob[],
  ): Promise<BatchResult> {
    const [campaign] = await run<CampaignRow>(
      client,
      'campaign',
      `SELECT state, total_doses, booked_doses, standby_size, standby_count, standby_last_position, eligibility
       FROM booking.campaigns WHERE id = $1 FOR UPDATE`,
      [campaignId],
    );
    if (!campaign) {
      return { outcomes: requests.map(() => rejected('UNKNOWN_CAMPAIGN')), soldOut: false, changed: false };
    }
    const requestIds = requests.map((r) => r.requestId);
    const citizens = requests.map((r) => r.citizenId);
    const slotIds = [...new Set(requests.map((r) => r.slotId))];
    // One connection runs one statement at a time: these go one after another.
    const earlier = await run<
      SlotRow & { request_id: string; booking_id: string; reference: string; group_code: string }
    >(
      client,
      'earlier-bookings',
      `SELECT b.request_id, b.id AS booking_id, b.reference, b.group_code, sl.id, sl.site_id, sl.starts_at,
              sl.capacity, sl.booked, si.name_th, si.name_en
       FROM booking.bookings b
       JOIN booking.slots sl ON sl.campaign_id = b.campaign_id AND sl.id = b.slot_id
       JOIN booking.sites si ON si.campaign_id = sl.campaign_id AND si.id = sl.site_id
       WHERE b.request_id = ANY($1::text[]) AND b.status <> 'cancelled'`,
      [requestIds],
    );
    const earlierStandby = await run<{ request_id: string; id: string; position: number; site_id: string }>(
      client,
      'earlier-standby',
      `SELECT request_id, id, position, site_id FROM booking.standby_entries
       WHERE request_id = ANY($1::text[]) AND status = 'waiting'`,
      [requestIds],
    );
    const booked = await run<{ citizen_id: string }>(
      client,
      'booked-citizens',
      `SELECT citizen_id FROM booking.bookings
       WHERE campaign_id = $1 AND citizen_id = ANY($2::text[]) AND status <> 'cancelled'
       UNION ALL
       SELECT citizen_id FROM booking.standby_entries
       WHERE campaign_id = $1 AND citizen_id = ANY($2::text[]) AND status = 'waiting'`,
      [campaignId, citizens],
    );
    const vaccinated = await run<{ citizen_id: string }>(
      client,
      'vaccinated',
      `SELECT citizen_id FROM booking.registry_vaccinated WHERE citizen_id = ANY($1::text[])`,
      [citizens],
    );
    const groupRows = await run<GroupRow>(
      client,
      'groups',
      `SELECT code, quota, booked, min_age_years, max_age_years
       FROM booking.priority_groups WHERE campaign_id = $1`,
      [campaignId],
    );
    const slotRows = await run<SlotRow>(
      client,
      'slots',
      `SELECT sl.id, sl.site_id, sl.starts_at, sl.capacity, sl.booked, si.name_th, si.name_en
       FROM booking.slots sl JOIN booking.sites si ON si.campaign_id = sl.campaign_id AND si.id = sl.site_id
       WHERE sl.campaign_id = $1 AND sl.id = ANY($2::text[])`,
      [campaignId, slotIds],
    );

    const earlierBooking = new Map(earlier.map((row) => [row.request_id, row]));
    const earlierPlace = new Map(earlierStandby.map((row) => [row.request_id, row]));
    const taken = new Set(booked.map((row) => row.citizen_id));
    const listed = new Set(vaccinated.map((row) => row.citizen_id));
    const groups = new Map(groupRows.map((g) => [g.code, { ...g }]));
    const slots = new Map(slotRows.map((s) => [s.id, { ...s }]));
    let dosesLeft = campaign.total_doses - campaign.booked_doses;
    let standbyLeft = campaign.standby_size - campaign.standby_count;
    let position = campaign.standby_last_position;

    const newBookings: NewBooking[] = [];
    const newStandby: NewStandby[] = [];
    const events: OutboxRow[] = [];
    const slotTaken = new Map<string, number>();
    const groupTaken = new Map<string, number>();

    const outcomes = requests.map((request): BookingOutcome => {
      const before = earlierBooking.get(request.requestId);
      if (before) {
        return confirmed(before.booking_id, before.reference, before.group_code, before);
      }
      const place = earlierPlace.get(request.requestId);
      if (place) {
        return {
          status: 'standby',
          standby: { standbyId: place.id, position: place.position, siteId: place.site_id },
        };
      }
      const reject = (reason: RejectionCode): BookingOutcome => {
        events.push(
          rejectedEvent({
            campaignId,
            requestId: request.requestId,
            reason,
            phone: request.phone,
            submittedAt: request.submittedAt,
            slotId: request.slotId,
          }),
        );
        return rejected(reason);
      };

      if (campaign.state === 'closed') return reject('CAMPAIGN_CLOSED');
      const group = groups.get(request.groupCode);
      if (!group) return reject('UNKNOWN_GROUP');
      const slot = slots.get(request.slotId);
      if (!slot) return reject('UNKNOWN_SLOT');
      // Invariant 4: the chosen site is the one booked, never a default or a neighbour.
      if (slot.site_id !== request.siteId) return reject('SITE_MISMATCH');
      const problem = eligibilityProblem(
        campaign.eligibility,
        { minAgeYears: group.min_age_years, maxAgeYears: group.max_age_years },
        {
          birthDate: request.birthDate,
          provinceCode: request.provinceCode,
          alreadyVaccinated: listed.has(request.citizenId),
        },
        slot.starts_at,
      );
      if (problem) return reject(problem);
      if (taken.has(request.citizenId)) return reject('ALREADY_BOOKED');

      if (dosesLeft > 0 && group.booked < group.quota) {
        if (slot.booked >= slot.capacity) return reject('SLOT_FULL');
        dosesLeft -= 1;
        group.booked += 1;
        slot.booked += 1;
        groupTaken.set(group.code, (groupTaken.get(group.code) ?? 0) + 1);
        slotTaken.set(slot.id, (slotTaken.get(slot.id) ?? 0) + 1);
        taken.add(request.citizenId);
        const booking = { id: randomUUID(), reference: newBookingReference(), request, slot };
        newBookings.push(booking);
        events.push(
          confirmedEvent({
            campaignId,
            requestId: request.requestId,
            bookingId: booking.id,
            reference: booking.reference,
            channel: request.channel,
            person: personOf(request),
            appointment: appointmentOf({ ...slot, slot_id: slot.id }),
          }),
        );
        return confirmed(booking.id, booking.reference, group.code, slot);
      }
      if (standbyLeft <= 0) return reject('SOLD_OUT');
      standbyLeft -= 1;
      position += 1;
      taken.add(request.citizenId);
      const entry = { id: randomUUID(), position, request };
      newStandby.push(entry);
      events.push(
        standbyEvent({
          campaignId,
          requestId: request.requestId,
          standbyId: entry.id,
          position,
          person: personOf(request),
        }),
      );
      return { status: 'standby', standby: { standbyId: entry.id, position, siteId: request.siteId } };
    });

    await this.write(client, campaignId, { newBookings, newStandby, slotTaken, groupTaken, position });
    if (events.length > 0) await run(client, 'outbox', OUTBOX_INSERT_SQL, outboxInsertValues(events));
    const soldOutNow = newBookings.length > 0 && dosesLeft === 0;
    if (soldOutNow) {
      await run(
        client,
        'sold-out',
        `UPDATE booking.campaigns SET state = 'sold_out', updated_at = now()
         WHERE id = $1 AND state IN ('scheduled', 'open')`,
        [campaignId],
      );
    }
    return {
      outcomes,
      soldOut: soldOutNow,
      changed: newBookings.length > 0 || newStandby.length > 0,
    };

    function confirmed(
      bookingId: string,
      reference: string,
      groupCode: string,
      slot: SlotRow,
    ): BookingOutcome {
      const booking: Appointment = {
        bookingId,
        reference,
        status: 'confirmed',
        groupCode,
        ...appointmentOf({ ...slot, slot_id: slot.id }),
      };
      return { status: 'confirmed', booking };
    }
  }

  private async write(
    client: PoolClient,
    campaignId: string,
    plan: {
      newBookings: NewBooking[];
      newStandby: NewStandby[];
      slotTaken: Map<string, number>;
      groupTaken: Map<string, number>;
      position: number;
    },
  ): Promise<void> {
    const { newBookings, newStandby, slotTaken, groupTaken, position } = plan;
    if (newBookings.length > 0) {
      await run(
        client,
        'slot-counters',
        `UPDATE booking.slots sl SET booked = sl.booked + t.n
         FROM unnest($2::text[], $3::int[]) AS t(id, n)
         WHERE sl.campaign_id = $1 AND sl.id = t.id`,
        [campaignId, [...slotTaken.keys()], [...slotTaken.values()]],
      );
      await run(
        client,
        'group-counters',
        `UPDATE booking.priority_groups g SET booked = g.booked + t.n
         FROM unnest($2::text[], $3::int[]) AS t(code, n)
         WHERE g.campaign_id = $1 AND g.code = t.code`,
        [campaignId, [...groupTaken.keys()], [...groupTaken.values()]],
      );
      const rows = newBookings.map((b) => ({ ...b.request, id: b.id, reference: b.reference }));
      await run(
        client,
        'bookings',
        `INSERT INTO booking.bookings (id, campaign_id, reference, ${REQUEST_SQL_COLUMNS}, status)
         SELECT id, $1, reference, ${REQUEST_SQL_COLUMNS}, 'confirmed'
         FROM unnest($2::uuid[], $3::text[], ${REQUEST_UNNEST_TYPES}) AS t(id, reference, ${REQUEST_SQL_COLUMNS})`,
        [campaignId, ...columns(rows, ['id', 'reference', ...REQUEST_COLUMNS])],
      );
    }
    if (newStandby.length > 0) {
      const rows = newStandby.map((s) => ({ ...s.request, id: s.id, position: s.position }));
      await run(
        client,
        'standby',
        `INSERT INTO booking.standby_entries (id, campaign_id, position, ${REQUEST_SQL_COLUMNS})
         SELECT id, $1, position, ${REQUEST_SQL_COLUMNS}
         FROM unnest($2::uuid[], $3::int[], ${REQUEST_UNNEST_TYPES}) AS t(id, position, ${REQUEST_SQL_COLUMNS})`,
        [campaignId, ...columns(rows, ['id', 'position', ...REQUEST_COLUMNS])],
      );
    }
    if (newBookings.length > 0 || newStandby.length > 0) {
      await run(
        client,
        'campaign-counters',
        `UPDATE booking.campaigns SET booked_doses = booked_doses + $2::int,
           standby_count = standby_count + $3::int, standby_last_position = $4::int, updated_at = now()
         WHERE id = $1`,
        [campaignId, newBookings.length, newStandby.length, position],
      );
    }
  }
}

/** What a booking and a standby place copy from the request, as job fields and as columns ($4 on). */
const REQUEST_COLUMNS = [
  'requestId',
  'citizenId',
  'firstName',
  'lastName',
  'birthDate',
  'phone',
  'groupCode',
  'siteId',
  'slotId',
  'channel',
  'provinceCode',
] as const satisfies readonly (keyof BookingRequestJob)[];
const REQUEST_SQL_COLUMNS = REQUEST_COLUMNS.map((key) =>
  key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`),
).join(', ');
const REQUEST_UNNEST_TYPES = REQUEST_COLUMNS.map(
  (key, i) => `$${i + 4}::${key === 'birthDate' ? 'date' : 'text'}[]`,
).join(', ');

/** One array per column, in this order (an absent value is NULL): the parameters of an unnest insert. */
function columns<R extends object>(rows: R[], keys: readonly (keyof R)[]): unknown[][] {
  return keys.map((key) => rows.map((row) => row[key] ?? null));
}

function rejected(reason: RejectionCode): BookingOutcome {
  return { status: 'rejected', reason };
}

function personOf(r: BookingRequestJob): PersonFacts {
  return {
    citizenId: r.citizenId,
    firstName: r.firstName,
    lastName: r.lastName,
    birthDate: r.birthDate,
    phone: r.phone,
    groupCode: r.groupCode,
  };
}
