import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { loadDatamodel, type Datamodel } from '../test/dmmf';
import { describeDatabase, describeDatamodel, type SchemaDescription } from '../test/schema-description';
import { createScratchDatabase, type ScratchDatabase } from '../test/scratch-database';
import { createPrismaClient, migrate } from './index';

const SCHEMAS = ['booking', 'roster', 'notification'];

// What the migrations add beyond schema.prisma, on purpose (see the header of schema.prisma).
const SQL_ONLY_INDEXES = [
  `booking.bookings bookings_one_active_per_citizen_key unique index (campaign_id, citizen_id) where (status <> 'cancelled'::text)`,
  'booking.outbox_events outbox_events_unpublished_idx index (seq) where (published_at IS NULL)',
  `booking.bookings bookings_one_active_per_request_key unique index (request_id) where (status <> 'cancelled'::text)`,
  `booking.standby_entries standby_one_waiting_per_citizen_key unique index (campaign_id, citizen_id) where (status = 'waiting'::text)`,
  `booking.standby_entries standby_entries_waiting_idx index (campaign_id, position) where (status = 'waiting'::text)`,
];
const SQL_ONLY_CHECKS = [
  'booking.campaigns campaigns_booked_doses_check',
  'booking.campaigns campaigns_standby_count_check',
  'booking.priority_groups priority_groups_booked_check',
  'booking.slots slots_booked_check',
  'booking.bookings bookings_status_check',
  'booking.bookings bookings_channel_check',
  'booking.campaign_channels campaign_channels_booked_check',
  'booking.campaign_channels campaign_channels_reserved_check',
  'booking.standby_entries standby_entries_status_check',
  'booking.priority_groups priority_groups_age_window_check',
  'booking.organisation_caps organisation_caps_cap_check',
];

const sorted = (lines: string[]): string[] => [...lines].sort();

let db: ScratchDatabase;
let datamodel: Datamodel;
let expected: SchemaDescription;
let actual: SchemaDescription;

beforeAll(async () => {
  db = await createScratchDatabase('agreement');
  await migrate(db.url);
  datamodel = await loadDatamodel();
  expected = describeDatamodel(datamodel);
  actual = await describeDatabase(db.url, SCHEMAS);
});

afterAll(async () => {
  await db?.drop();
});

describe('schema.prisma and the migrated database', () => {
  it('places every model in one of the service schemas', () => {
    expect(new Set(datamodel.models.map((model) => model.schema))).toEqual(new Set(SCHEMAS));
  });

  it('have the same tables, each in its PostgreSQL schema', () => {
    expect(sorted(actual.tables)).toEqual(sorted(expected.tables));
  });

  it('have the same columns, with the same type, nullability and default', () => {
    // Both directions at once: a field without a column and a column without a field both
    // show up in the diff.
    expect(sorted(actual.columns)).toEqual(sorted(expected.columns));
  });

  it('have the same primary keys and indexes, plus the SQL-only partial indexes', () => {
    expect(sorted(actual.indexes)).toEqual(sorted([...expected.indexes, ...SQL_ONLY_INDEXES]));
  });

  it('have the same foreign keys', () => {
    expect(sorted(actual.foreignKeys)).toEqual(sorted(expected.foreignKeys));
  });

  it('have exactly the documented CHECK constraints', () => {
    expect(sorted(actual.checks)).toEqual(sorted(SQL_ONLY_CHECKS));
  });
});

describe('constraints the migrations add', () => {
  const campaignId = 'c-constraints';

  beforeAll(async () => {
    await seedCampaign(db, campaignId, { totalDoses: 10, standbySize: 2, quota: 5, capacity: 3 });
  });

  it.each([
    [
      'slots.booked > capacity',
      'booking.slots',
      'campaign_id',
      'booked = capacity + 1',
      'slots_booked_check',
    ],
    ['slots.booked < 0', 'booking.slots', 'campaign_id', 'booked = -1', 'slots_booked_check'],
    [
      'priority_groups.booked > quota',
      'booking.priority_groups',
      'campaign_id',
      'booked = quota + 1',
      'priority_groups_booked_check',
    ],
    [
      'campaigns.booked_doses > total_doses',
      'booking.campaigns',
      'id',
      'booked_doses = total_doses + 1',
      'campaigns_booked_doses_check',
    ],
    [
      'campaigns.standby_count > standby_size',
      'booking.campaigns',
      'id',
      'standby_count = standby_size + 1',
      'campaigns_standby_count_check',
    ],
  ])('refuse overbooking: %s', async (_label, table, keyColumn, assignment, constraint) => {
    await expect(
      db.query(`UPDATE ${table} SET ${assignment} WHERE ${keyColumn} = $1`, [campaignId]),
    ).rejects.toMatchObject({ code: '23514', constraint });
  });

  it('allow booking up to capacity exactly', async () => {
    const rows = await db.query<{ booked: number }>(
      'UPDATE booking.slots SET booked = capacity WHERE campaign_id = $1 RETURNING booked',
      [campaignId],
    );
    expect(rows).toEqual([{ booked: 3 }]);
  });

  it('allow one active booking per citizen per campaign, and a new one after a cancel', async () => {
    const first = await insertBooking(db, campaignId, '1101700207030');
    await expect(insertBooking(db, campaignId, '1101700207030')).rejects.toMatchObject({
      code: '23505',
      constraint: 'bookings_one_active_per_citizen_key',
    });
    await db.query(`UPDATE booking.bookings SET status = 'cancelled' WHERE id = $1`, [first]);
    const second = await insertBooking(db, campaignId, '1101700207030');
    expect(second).not.toEqual(first);
    await expect(insertBooking(db, campaignId, '1101700207030')).rejects.toMatchObject({ code: '23505' });
  });

  it('refuse a status outside the closed list (the partial index would count it as active)', async () => {
    await expect(insertBooking(db, campaignId, '3100600123453', 'canceled')).rejects.toMatchObject({
      code: '23514',
      constraint: 'bookings_status_check',
    });
  });
});

describe('channel counts and reserves (statement triggers on booking.bookings)', () => {
  const campaignId = 'c-channels';
  const citizen = (n: number) => `31006${String(n).padStart(8, '0')}`;
  const counts = async () =>
    Object.fromEntries(
      (
        await db.query<{ channel: string; booked: number }>(
          `SELECT channel, booked FROM booking.campaign_channels WHERE campaign_id = $1 AND booked > 0`,
          [campaignId],
        )
      ).map((r) => [r.channel, r.booked]),
    );

  beforeAll(async () => {
    await seedCampaign(db, campaignId, { totalDoses: 10, standbySize: 0, quota: 10, capacity: 10 });
    // 10 doses, 8 kept for the walk-in counters: the other channels share 2.
    await db.query(
      `INSERT INTO booking.campaign_channels (campaign_id, channel, reserved) VALUES ($1, 'walk_in', 8), ($1, 'web', 0)`,
      [campaignId],
    );
  });

  it('count active bookings per channel, a cancellation included', async () => {
    const first = await insertBooking(db, campaignId, citizen(1), 'confirmed', 'web');
    await insertBooking(db, campaignId, citizen(2), 'confirmed', 'walk_in');
    await insertBooking(db, campaignId, citizen(3), 'cancelled', 'walk_in');
    expect(await counts()).toEqual({ web: 1, walk_in: 1 });
    await db.query(`UPDATE booking.bookings SET status = 'cancelled' WHERE id = $1`, [first]);
    expect(await counts()).toEqual({ walk_in: 1 });
  });

  it('refuse a statement that takes a channel beyond its reserve into doses kept for another', async () => {
    await insertBooking(db, campaignId, citizen(4), 'confirmed', 'web');
    await insertBooking(db, campaignId, citizen(5), 'confirmed', 'organisation');
    await expect(insertBooking(db, campaignId, citizen(6), 'confirmed', 'web')).rejects.toMatchObject({
      code: '23514',
      constraint: 'campaign_channels_reserve_check',
    });
    // The counters keep their reserve: 7 more walk-ins fit (8 reserved, 1 booked).
    for (let n = 10; n < 17; n++) await insertBooking(db, campaignId, citizen(n), 'confirmed', 'walk_in');
    expect(await counts()).toEqual({ web: 1, organisation: 1, walk_in: 8 });
  });

  it('refuse a channel outside the closed list', async () => {
    await expect(insertBooking(db, campaignId, citizen(7), 'confirmed', 'fax')).rejects.toMatchObject({
      code: '23514',
      constraint: 'bookings_channel_check',
    });
  });
});

describe('createPrismaClient', () => {
  it('writes a campaign, site, slot, booking and outbox row in one transaction and reads them back', async () => {
    const prisma = createPrismaClient(db.url, { poolSize: 2, applicationName: 'khiw-db-test' });
    try {
      const campaignId = 'c-round-trip';
      const eventId = randomUUID();
      const booking = await prisma.$transaction(async (tx) => {
        await tx.campaign.create({
          data: {
            ...campaignData(campaignId, 10, 2),
            groups: {
              create: [{ code: 'elderly70', nameTh: 'ผู้สูงอายุ', nameEn: 'Elderly', quota: 5, sortOrder: 1 }],
            },
            sites: {
              create: [
                { id: 'SKH', nameTh: 'โรงพยาบาลสมุทรสาคร', nameEn: 'Samut Sakhon Hospital', kind: 'hospital' },
              ],
            },
          },
        });
        await tx.slot.create({
          data: {
            campaignId,
            id: 'SKH-20210802-0900',
            siteId: 'SKH',
            startsAt: new Date('2021-08-02T02:00:00Z'),
            capacity: 2,
          },
        });
        await tx.slot.update({
          where: { campaignId_id: { campaignId, id: 'SKH-20210802-0900' } },
          data: { booked: { increment: 1 } },
        });
        const created = await tx.booking.create({
          data: {
            campaignId,
            reference: 'KH-7Q2M9X',
            requestId: `req-${eventId}`,
            citizenId: '1101700207030',
            firstName: 'สมชาย',
            lastName: 'ใจดี',
            birthDate: new Date('1950-03-15'),
            phone: '+66812345678',
            groupCode: 'elderly70',
            siteId: 'SKH',
            slotId: 'SKH-20210802-0900',
            status: 'confirmed',
          },
        });
        await tx.outboxEvent.create({
          data: {
            id: eventId,
            topic: 'booking.events',
            key: created.id,
            type: 'BookingConfirmed',
            payload: { eventId, bookingId: created.id, schemaVersion: 1 },
          },
        });
        return created;
      });

      const stored = await prisma.booking.findUniqueOrThrow({
        where: { id: booking.id },
        include: { slot: true, group: true, campaign: true },
      });
      expect(stored).toMatchObject({
        channel: 'web',
        birthDate: new Date('1950-03-15T00:00:00Z'),
        slot: { booked: 1, startsAt: new Date('2021-08-02T02:00:00Z') },
        group: { code: 'elderly70', booked: 0 },
        campaign: { state: 'scheduled', eligibility: { minAgeYears: 18 } },
      });
      const outbox = await prisma.outboxEvent.findUniqueOrThrow({ where: { id: eventId } });
      expect(outbox).toMatchObject({ key: booking.id, publishedAt: null, attempts: 0 });
      expect(typeof outbox.seq).toBe('bigint');
    } finally {
      await prisma.$disconnect();
    }
  });

  it('rolls the whole transaction back when a CHECK refuses the slot update', async () => {
    const prisma = createPrismaClient(db.url, { poolSize: 2 });
    try {
      const campaignId = 'c-rollback';
      const eventId = randomUUID();
      await expect(
        prisma.$transaction(async (tx) => {
          await tx.campaign.create({ data: campaignData(campaignId, 1, 0) });
          await tx.outboxEvent.create({
            data: { id: eventId, topic: 'booking.events', key: 'k', type: 'BookingConfirmed', payload: {} },
          });
          await tx.campaign.update({ where: { id: campaignId }, data: { bookedDoses: { increment: 2 } } });
        }),
      ).rejects.toThrow();
      expect(await prisma.campaign.count({ where: { id: campaignId } })).toBe(0);
      expect(await prisma.outboxEvent.count({ where: { id: eventId } })).toBe(0);
    } finally {
      await prisma.$disconnect();
    }
  });
});

function campaignData(id: string, totalDoses: number, standbySize: number) {
  const eligibility = { provinceCode: '74', minAgeYears: 18 };
  return {
    id,
    nameTh: 'จองวัคซีน',
    nameEn: 'Vaccine booking',
    vaccine: 'Sinopharm',
    timezone: 'Asia/Bangkok',
    opensAt: new Date('2021-07-25T02:00:00Z'),
    closesWhenFull: true,
    totalDoses,
    standbySize,
    eligibility,
    sms: { sender: 'KHIW' },
    source: { id, eligibility },
  };
}

async function seedCampaign(
  database: ScratchDatabase,
  id: string,
  {
    totalDoses,
    standbySize,
    quota,
    capacity,
  }: { totalDoses: number; standbySize: number; quota: number; capacity: number },
): Promise<void> {
  await database.query(
    `INSERT INTO booking.campaigns (id, name_th, name_en, vaccine, timezone, opens_at, closes_when_full,
       total_doses, standby_size, eligibility, sms, source)
     VALUES ($1, 'ท', 'e', 'v', 'Asia/Bangkok', now(), true, $2, $3, '{}', '{}', '{}')`,
    [id, totalDoses, standbySize],
  );
  await database.query(
    `INSERT INTO booking.priority_groups (campaign_id, code, name_th, name_en, quota, sort_order)
     VALUES ($1, 'g1', 'ท', 'e', $2, 1)`,
    [id, quota],
  );
  await database.query(
    `INSERT INTO booking.sites (campaign_id, id, name_th, name_en, kind) VALUES ($1, 'S1', 'ท', 'e', 'hospital')`,
    [id],
  );
  await database.query(
    `INSERT INTO booking.slots (campaign_id, id, site_id, starts_at, capacity) VALUES ($1, 'S1-20210802-0900', 'S1', now(), $2)`,
    [id, capacity],
  );
}

async function insertBooking(
  database: ScratchDatabase,
  campaignId: string,
  citizenId: string,
  status = 'confirmed',
  channel = 'web',
): Promise<string> {
  const [row] = await database.query<{ id: string }>(
    `INSERT INTO booking.bookings (campaign_id, reference, request_id, citizen_id, first_name, last_name,
       birth_date, phone, group_code, site_id, slot_id, status, channel)
     VALUES ($1, $2, $3, $4, 'ก', 'ข', '1980-01-01', '+66812345678', 'g1', 'S1', 'S1-20210802-0900', $5, $6)
     RETURNING id`,
    [campaignId, `R-${randomUUID()}`, `req-${randomUUID()}`, citizenId, status, channel],
  );
  if (!row) throw new Error('INSERT returned no row');
  return row.id;
}
