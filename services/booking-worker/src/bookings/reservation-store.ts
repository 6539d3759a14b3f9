import type { BookingRequestJob, Channel, ChannelHours } from '@khiw/contracts';
import type { PgPool, PgPoolClient } from '@khiw/db';
import type { OutboxRow } from './booking-events';
import type { EligibilityRules } from './eligibility';
import { OUTBOX_INSERT_SQL, outboxInsertValues } from './outbox-insert';

export interface CampaignRow {
  state: string;
  total_doses: number;
  booked_doses: number;
  standby_size: number;
  standby_count: number;
  standby_last_position: number;
  eligibility: EligibilityRules;
}
export interface GroupRow {
  code: string;
  quota: number;
  booked: number;
  min_age_years: number | null;
  max_age_years: number | null;
}
export interface SlotRow {
  id: string;
  site_id: string;
  starts_at: Date;
  capacity: number;
  booked: number;
  name_th: string;
  name_en: string;
}
/** A channel of the campaign (booking.campaign_channels): its rule and its active bookings. */
export interface ChannelRow {
  channel: Channel;
  offered: boolean;
  hours: ChannelHours | null;
  reserved: number;
  booked: number;
}
/** A booking a request of the batch already has (a retried job), with its slot. */
export interface EarlierBookingRow extends SlotRow {
  request_id: string;
  booking_id: string;
  reference: string;
  group_code: string;
}
/** A waiting standby place a request of the batch already has. */
export interface EarlierStandbyRow {
  request_id: string;
  id: string;
  position: number;
  site_id: string;
}

/** What a batch's decision reads after the campaign row, for these requests only. */
export interface BatchRows {
  earlierBookings: EarlierBookingRow[];
  earlierStandby: EarlierStandbyRow[];
  /** Citizens of the batch with an active booking or a waiting standby place in the campaign. */
  bookedCitizens: string[];
  /** Citizens of the batch the national registry lists as vaccinated. */
  vaccinatedCitizens: string[];
  /** Citizens of the batch on the campaign's eligibility list (`orOnList`), if it names one. */
  listedCitizens: string[];
  groups: GroupRow[];
  /** The slots the requests chose (unknown ids are simply absent). */
  slots: SlotRow[];
  /** Every channel of the campaign (none for a campaign loaded before channels existed). */
  channels: ChannelRow[];
}

export interface NewBooking {
  id: string;
  reference: string;
  request: BookingRequestJob;
}
export interface NewStandby {
  id: string;
  position: number;
  request: BookingRequestJob;
}

/** Everything a decided batch writes, in its transaction. */
export interface BatchWrites {
  newBookings: NewBooking[];
  newStandby: NewStandby[];
  /** Places taken per slot id, and doses per group code, by the new bookings. */
  slotCounts: Map<string, number>;
  groupCounts: Map<string, number>;
  standbyLastPosition: number;
  events: OutboxRow[];
  /** The batch took the campaign's last dose: the campaign becomes sold_out. */
  soldOut: boolean;
}

/**
 * The booking batches' SQL, on a plain pg pool rather than Prisma, whose raw-query runtime
 * cost the worker about a fifth of its CPU per booking here (docs/benchmarks.md). Every
 * statement is prepared once per connection (its `name`): this is the measured hot path.
 */
export class ReservationStore {
  constructor(private readonly pool: PgPool) {}

  /** Runs `work` in one transaction on one connection: committed if it returns, rolled back if it throws. */
  async transaction<T>(work: (batch: ReservationTransaction) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    // The pool listens for errors only on idle clients. A connection that dies while checked out
    // and between two statements (PostgreSQL restarting: 57P01) emits 'error' on the client, and
    // with no listener that crashed the worker (postgres-restart.int.test.ts). Keep the error:
    // the next statement fails, and the connection is discarded on release.
    const onError = (error: Error) => (broken = error);
    client.on('error', onError);
    try {
      // No batch may hold the campaign row for long: a stuck statement ends the transaction.
      await client.query(`BEGIN; SET LOCAL statement_timeout = '30s'`);
      const result = await work(new ReservationTransaction(client));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
      throw error;
    } finally {
      client.removeListener('error', onError);
      // A connection that could not roll back (or died) is closed, not reused.
      client.release(broken);
    }
  }
}

/** The statements of one batch transaction. One connection runs one statement at a time. */
export class ReservationTransaction {
  constructor(private readonly client: PgPoolClient) {}

  /** Locks the campaign row: batches, cancellations and reschedules of a campaign take turns on it. */
  async lockCampaign(campaignId: string): Promise<CampaignRow | undefined> {
    const [campaign] = await this.run<CampaignRow>(
      'campaign',
      `SELECT state, total_doses, booked_doses, standby_size, standby_count, standby_last_position, eligibility
       FROM booking.campaigns WHERE id = $1 FOR UPDATE`,
      [campaignId],
    );
    return campaign;
  }

  /** `list`: the campaign's eligibility list (`orOnList`), whose members among the batch are read. */
  async readBatch(campaignId: string, requests: BookingRequestJob[], list?: string): Promise<BatchRows> {
    const requestIds = requests.map((r) => r.requestId);
    const citizens = requests.map((r) => r.citizenId);
    const slotIds = [...new Set(requests.map((r) => r.slotId))];
    const earlierBookings = await this.run<EarlierBookingRow>(
      'earlier-bookings',
      `SELECT b.request_id, b.id AS booking_id, b.reference, b.group_code, sl.id, sl.site_id, sl.starts_at,
              sl.capacity, sl.booked, si.name_th, si.name_en
       FROM booking.bookings b
       JOIN booking.slots sl ON sl.campaign_id = b.campaign_id AND sl.id = b.slot_id
       JOIN booking.sites si ON si.campaign_id = sl.campaign_id AND si.id = sl.site_id
       WHERE b.request_id = ANY($1::text[]) AND b.status <> 'cancelled'`,
      [requestIds],
    );
    const earlierStandby = await this.run<EarlierStandbyRow>(
      'earlier-standby',
      `SELECT request_id, id, position, site_id FROM booking.standby_entries
       WHERE request_id = ANY($1::text[]) AND status = 'waiting'`,
      [requestIds],
    );
    const booked = await this.run<{ citizen_id: string }>(
      'booked-citizens',
      `SELECT citizen_id FROM booking.bookings
       WHERE campaign_id = $1 AND citizen_id = ANY($2::text[]) AND status <> 'cancelled'
       UNION ALL
       SELECT citizen_id FROM booking.standby_entries
       WHERE campaign_id = $1 AND citizen_id = ANY($2::text[]) AND status = 'waiting'`,
      [campaignId, citizens],
    );
    const vaccinated = await this.run<{ citizen_id: string }>(
      'vaccinated',
      `SELECT citizen_id FROM booking.registry_vaccinated WHERE citizen_id = ANY($1::text[])`,
      [citizens],
    );
    const listed =
      list === undefined
        ? []
        : await this.run<{ citizen_id: string }>(
            'listed',
            `SELECT citizen_id FROM booking.eligibility_list_members WHERE list = $1 AND citizen_id = ANY($2::text[])`,
            [list, citizens],
          );
    const groups = await this.run<GroupRow>(
      'groups',
      `SELECT code, quota, booked, min_age_years, max_age_years
       FROM booking.priority_groups WHERE campaign_id = $1`,
      [campaignId],
    );
    const slots = await this.run<SlotRow>(
      'slots',
      `SELECT sl.id, sl.site_id, sl.starts_at, sl.capacity, sl.booked, si.name_th, si.name_en
       FROM booking.slots sl JOIN booking.sites si ON si.campaign_id = sl.campaign_id AND si.id = sl.site_id
       WHERE sl.campaign_id = $1 AND sl.id = ANY($2::text[])`,
      [campaignId, slotIds],
    );
    const channels = await this.run<ChannelRow>(
      'channels',
      `SELECT channel, offered, hours, reserved, booked FROM booking.campaign_channels WHERE campaign_id = $1`,
      [campaignId],
    );
    return {
      channels,
      earlierBookings,
      earlierStandby,
      bookedCitizens: booked.map((row) => row.citizen_id),
      vaccinatedCitizens: vaccinated.map((row) => row.citizen_id),
      listedCitizens: listed.map((row) => row.citizen_id),
      groups,
      slots,
    };
  }

  /**
   * Writes a decided batch. The counters' CHECK constraints (`booked <= capacity/quota/total`)
   * are the last word: if the decision ever miscounted, a statement fails and the whole batch
   * rolls back.
   */
  async write(campaignId: string, writes: BatchWrites): Promise<void> {
    const { newBookings, newStandby, slotCounts, groupCounts, standbyLastPosition, events, soldOut } = writes;
    if (newBookings.length > 0) {
      await this.run(
        'slot-counters',
        `UPDATE booking.slots sl SET booked = sl.booked + t.n
         FROM unnest($2::text[], $3::int[]) AS t(id, n)
         WHERE sl.campaign_id = $1 AND sl.id = t.id`,
        [campaignId, [...slotCounts.keys()], [...slotCounts.values()]],
      );
      await this.run(
        'group-counters',
        `UPDATE booking.priority_groups g SET booked = g.booked + t.n
         FROM unnest($2::text[], $3::int[]) AS t(code, n)
         WHERE g.campaign_id = $1 AND g.code = t.code`,
        [campaignId, [...groupCounts.keys()], [...groupCounts.values()]],
      );
      const rows = newBookings.map((b) => ({ ...b.request, id: b.id, reference: b.reference }));
      await this.run(
        'bookings',
        `INSERT INTO booking.bookings (id, campaign_id, reference, ${REQUEST_SQL_COLUMNS}, status)
         SELECT id, $1, reference, ${REQUEST_SQL_COLUMNS}, 'confirmed'
         FROM unnest($2::uuid[], $3::text[], ${REQUEST_UNNEST_TYPES}) AS t(id, reference, ${REQUEST_SQL_COLUMNS})`,
        [campaignId, ...columns(rows, ['id', 'reference', ...REQUEST_COLUMNS])],
      );
    }
    if (newStandby.length > 0) {
      const rows = newStandby.map((s) => ({ ...s.request, id: s.id, position: s.position }));
      await this.run(
        'standby',
        `INSERT INTO booking.standby_entries (id, campaign_id, position, ${REQUEST_SQL_COLUMNS})
         SELECT id, $1, position, ${REQUEST_SQL_COLUMNS}
         FROM unnest($2::uuid[], $3::int[], ${REQUEST_UNNEST_TYPES}) AS t(id, position, ${REQUEST_SQL_COLUMNS})`,
        [campaignId, ...columns(rows, ['id', 'position', ...REQUEST_COLUMNS])],
      );
    }
    if (newBookings.length > 0 || newStandby.length > 0) {
      await this.run(
        'campaign-counters',
        `UPDATE booking.campaigns SET booked_doses = booked_doses + $2::int,
           standby_count = standby_count + $3::int, standby_last_position = $4::int, updated_at = now()
         WHERE id = $1`,
        [campaignId, newBookings.length, newStandby.length, standbyLastPosition],
      );
    }
    if (events.length > 0) await this.run('outbox', OUTBOX_INSERT_SQL, outboxInsertValues(events));
    if (soldOut) {
      await this.run(
        'sold-out',
        `UPDATE booking.campaigns SET state = 'sold_out', updated_at = now()
         WHERE id = $1 AND state IN ('scheduled', 'open')`,
        [campaignId],
      );
    }
  }

  /** One statement, prepared once per connection under its name. */
  private async run<T extends object>(name: string, text: string, values: unknown[]): Promise<T[]> {
    return (await this.client.query<T>({ name: `reserve-${name}`, text, values })).rows;
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
  'enteredBy',
  'language',
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
