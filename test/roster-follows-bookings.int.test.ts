import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Queue } from 'bullmq';
import { slotId } from '@khiw/contracts';
import { createPrismaClient, type PrismaClient } from '@khiw/db';
import { createTopics, deleteTopics } from '../infra/local/kafka-admin';
import {
  bookingJob,
  bookingQueue,
  newCampaignId,
  outcomeOf,
  person,
  tinyCampaign,
  workerClient,
  type Person,
} from '../services/booking-worker/test/worker-fixtures';
import type { BookingTruth } from '../services/roster/test/event-stream';
import { rosterAsBookings } from '../services/roster/test/roster-fixtures';
import { eventually, TEST_DATABASE_URL, uniqueNamespace } from './support/env';
import { startService, type RunningService } from './support/services';

/**
 * The roster against the booking database itself, with nothing simulated: the real booking
 * worker books, puts people on standby, cancels (promoting standby people), reschedules, and
 * its outbox relay publishes to Kafka; the real roster service consumes. Afterwards every
 * booking row of the campaign and its roster row agree, field by field.
 */
const namespace = uniqueNamespace('roster-e2e');
const campaignId = newCampaignId('rostere2e');
const TIMES = ['09:00', '10:00', '11:00', '13:00'];
const PEOPLE = 150;

let prisma: PrismaClient;
let queue: Queue;
let worker: RunningService;
let roster: RunningService;

beforeAll(async () => {
  prisma = createPrismaClient(TEST_DATABASE_URL, { poolSize: 3 });
  await createTopics(namespace);
  worker = await startService('booking-worker', namespace, { KAFKA_CLIENT_ID: `${namespace}-worker` });
  roster = await startService('roster', namespace, { KAFKA_CLIENT_ID: `${namespace}-roster` });
  queue = bookingQueue(namespace);
  const call = workerClient(() => `http://127.0.0.1:${worker.port}`);
  const loaded = await call(
    'PUT',
    `/internal/campaigns/${campaignId}`,
    // 2 sites × 4 times × 20 places = 160 places for 100 doses: 50 people end on standby.
    tinyCampaign(campaignId, {
      totalDoses: 100,
      standbySize: 60,
      quotas: [50, 50],
      times: TIMES,
      capacity: 15,
    }),
  );
  expect(loaded.status).toBe(200);
});

afterAll(async () => {
  await queue?.obliterate({ force: true }).catch(() => undefined);
  await queue?.close();
  const codes = [await roster?.stop(), await worker?.stop()];
  await deleteTopics(namespace).catch(() => undefined);
  await prisma?.$disconnect();
  expect(codes).toEqual([0, 0]);
});

async function bookingRows(): Promise<BookingTruth[]> {
  const rows = await prisma.$queryRaw<
    Array<Omit<BookingTruth, 'birthDate' | 'startsAt'> & { birthDate: Date; startsAt: Date }>
  >`
    SELECT b.id AS "bookingId", b.campaign_id AS "campaignId", b.reference, b.citizen_id AS "citizenId",
      b.birth_date AS "birthDate", b.first_name AS "firstName", b.last_name AS "lastName",
      b.group_code AS "groupCode", b.site_id AS "siteId", b.slot_id AS "slotId", s.starts_at AS "startsAt", b.status
    FROM booking.bookings b JOIN booking.slots s ON s.campaign_id = b.campaign_id AND s.id = b.slot_id
    WHERE b.campaign_id = ${campaignId} ORDER BY b.id`;
  return rows.map((r) => ({
    ...r,
    birthDate: r.birthDate.toISOString().slice(0, 10),
    startsAt: r.startsAt.toISOString(),
  }));
}

describe('the roster follows the booking database', () => {
  it('matches every booking row after bookings, standby, cancellations with promotion and reschedules', async () => {
    const call = workerClient(() => `http://127.0.0.1:${worker.port}`);
    const people: Person[] = Array.from({ length: PEOPLE }, (_, i) => person({ lastName: `คนที่ ${i}` }));
    const jobs = people.map((who, i) => {
      const site = i % 2 ? 'SKH' : 'KTB';
      return bookingJob(campaignId, who, {
        groupCode: i % 3 ? 'g1' : 'g2',
        siteId: site,
        slotId: slotId(site, '2021-08-02', TIMES[Math.floor(i / 2) % TIMES.length]!),
      });
    });
    await queue.addBulk(jobs.map((data) => ({ name: 'booking', data, opts: { jobId: data.requestId } })));
    const outcomes = await Promise.all(jobs.map((job) => outcomeOf(queue, job.requestId, 120_000)));
    const confirmed = outcomes.flatMap((o, i) => (o.status === 'confirmed' ? [{ o, who: people[i]! }] : []));
    expect(confirmed).toHaveLength(100);
    expect(outcomes.filter((o) => o.status === 'standby')).toHaveLength(50);

    // Residents cancel some bookings (standby people are promoted into the doses) ...
    for (const { o, who } of confirmed.slice(0, 20)) {
      if (o.status !== 'confirmed') continue;
      const answer = await call('POST', `/internal/bookings/${o.booking.bookingId}/cancel`, {
        citizenId: who.citizenId,
        birthDate: who.birthDate,
      });
      expect(answer.status).toBe(200);
    }
    // ... and move others to a time with room at the same site.
    let moved = 0;
    for (const { o, who } of confirmed.slice(20, 40)) {
      if (o.status !== 'confirmed') continue;
      const [free] = await prisma.$queryRaw<{ id: string }[]>`
        SELECT id FROM booking.slots
        WHERE campaign_id = ${campaignId} AND site_id = ${o.booking.siteId} AND id <> ${o.booking.slotId}
          AND booked < capacity ORDER BY starts_at LIMIT 1`;
      if (!free) continue;
      const answer = await call('POST', `/internal/bookings/${o.booking.bookingId}/reschedule`, {
        citizenId: who.citizenId,
        birthDate: who.birthDate,
        slotId: free.id,
      });
      expect(answer.status).toBe(200);
      moved += 1;
    }
    expect(moved).toBeGreaterThan(0);
    const promoted = await prisma.booking.count({ where: { campaignId, standbyId: { not: null } } });
    expect(promoted).toBeGreaterThan(0);

    // Every row of the booking database, as the roster has it (once the events are through).
    const truth = await bookingRows();
    expect(truth.filter((b) => b.status === 'cancelled')).toHaveLength(20);
    const roster = await eventually(
      async () => {
        const rows = await rosterAsBookings(prisma, campaignId);
        return JSON.stringify(rows) === JSON.stringify(truth) ? rows : undefined;
      },
      120_000,
      'roster equal to the booking database',
    ).catch(async (error: unknown) => {
      // Show the difference, not just the timeout.
      expect(await rosterAsBookings(prisma, campaignId)).toEqual(truth);
      throw error;
    });
    expect(roster).toHaveLength(truth.length);
  });
});
