import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Queue } from 'bullmq';
import { createPrismaClient } from '@khiw/db';
import { TEST_DATABASE_URL } from '../../../test/support/env';
import {
  book,
  bookingJob,
  bookingsOf,
  campaignState,
  expectCountersMatchRows,
  g1At,
  g2At,
  identity,
  KTB,
  newCampaignId,
  outboxOf,
  outcomeOf,
  person,
  SKH,
  slot,
  standbyOf,
  tinyCampaign,
  useBookingWorker,
  type Person,
} from './worker-fixtures';

/**
 * The booking worker's rules end to end, on a real worker process and tiny campaigns:
 * rescheduling only to a slot with room, eligibility checked on the worker, and one booking
 * per citizen however many jobs arrive at once. The campaign's life story (sold out, standby,
 * cancellation, promotion, quotas): self-service.int.test.ts.
 */
const worker = useBookingWorker('bw-rules');
const { call, loadCampaign } = worker;
const prisma = createPrismaClient(TEST_DATABASE_URL, { poolSize: 4 });
const registryListed: string[] = [];
let queue: Queue;

beforeAll(() => {
  queue = worker.queue;
});

afterAll(async () => {
  if (registryListed.length > 0) {
    await prisma.$executeRaw`DELETE FROM booking.registry_vaccinated WHERE citizen_id = ANY(${registryListed}::text[])`;
  }
  await prisma.$disconnect();
});

describe('(d) rescheduling', () => {
  // One site, 09:00 and 10:00 with 2 places each; g1 may take all 4 doses.
  const campaignId = newCampaignId('resched');
  const r1 = person();
  const r2 = person();
  const r3 = person();
  const booking = new Map<Person, string>();

  beforeAll(async () => {
    await loadCampaign(tinyCampaign(campaignId, { quotas: [4, 0], sites: [SKH], times: ['09:00', '10:00'] }));
    for (const [who, time] of [
      [r1, '09:00'],
      [r2, '09:00'],
      [r3, '10:00'],
    ] as const) {
      const outcome = await book(queue, bookingJob(campaignId, who, g1At(SKH, time)));
      if (outcome.status !== 'confirmed') throw new Error(`set-up booking: ${JSON.stringify(outcome)}`);
      booking.set(who, outcome.booking.bookingId);
    }
  });

  it('refuses a full slot with 409 SLOT_FULL and changes nothing', async () => {
    const before = {
      state: await campaignState(prisma, campaignId),
      bookings: await bookingsOf(prisma, campaignId),
    };
    const outboxBefore = (await outboxOf(prisma, campaignId)).length;
    const full = await call('POST', `/internal/bookings/${booking.get(r3)}/reschedule`, {
      ...identity(r3),
      slotId: slot(SKH, '09:00'),
    });
    expect([full.status, full.body.code]).toEqual([409, 'SLOT_FULL']);
    const unknown = await call('POST', `/internal/bookings/${booking.get(r3)}/reschedule`, {
      ...identity(r3),
      slotId: slot(KTB, '09:00'),
    });
    expect([unknown.status, unknown.body.code]).toEqual([400, 'UNKNOWN_SLOT']);
    expect({
      state: await campaignState(prisma, campaignId),
      bookings: await bookingsOf(prisma, campaignId),
    }).toEqual(before);
    expect((await outboxOf(prisma, campaignId)).length).toBe(outboxBefore);
  });

  it('moves to a slot with room: counters follow, one BookingRescheduled row', async () => {
    const moved = await call('POST', `/internal/bookings/${booking.get(r1)}/reschedule`, {
      ...identity(r1),
      slotId: slot(SKH, '10:00'),
    });
    expect(moved.status).toBe(200);
    expect(moved.body.booking).toMatchObject({
      bookingId: booking.get(r1),
      status: 'confirmed',
      siteId: SKH,
      slotId: slot(SKH, '10:00'),
      startsAt: '2021-08-02T03:00:00.000Z',
    });
    expect(await campaignState(prisma, campaignId)).toMatchObject({
      bookedDoses: 3,
      groups: { g1: { quota: 4, booked: 3 } },
      slots: { [slot(SKH, '09:00')]: 1, [slot(SKH, '10:00')]: 2 },
    });
    const row = (await bookingsOf(prisma, campaignId)).find((b) => b.id === booking.get(r1))!;
    expect(row).toMatchObject({ status: 'confirmed', slot_id: slot(SKH, '10:00') });
    const event = (await outboxOf(prisma, campaignId)).at(-1)!;
    expect(event).toMatchObject({ type: 'BookingRescheduled', key: booking.get(r1) });
    expect(JSON.stringify(event.payload)).toContain(slot(SKH, '09:00')); // where from
    const lookup = await call('POST', '/internal/appointments/lookup', { campaignId, ...identity(r1) });
    expect(lookup.body.booking.slotId).toBe(slot(SKH, '10:00'));
    await expectCountersMatchRows(prisma, campaignId);

    // Now 10:00 is full, the other way round.
    const full = await call('POST', `/internal/bookings/${booking.get(r2)}/reschedule`, {
      ...identity(r2),
      slotId: slot(SKH, '10:00'),
    });
    expect([full.status, full.body.code]).toEqual([409, 'SLOT_FULL']);
  });
});

describe('(g) eligibility', () => {
  const campaignId = newCampaignId('elig');

  beforeAll(async () => {
    await loadCampaign(tinyCampaign(campaignId));
  });

  it('rejects a wrong or missing province, an under-18 and a registry-listed person, and books nothing', async () => {
    const listed = person();
    registryListed.push(listed.citizenId);
    await prisma.$executeRaw`
      INSERT INTO booking.registry_vaccinated (citizen_id, source) VALUES (${listed.citizenId}, 'worker-int-test')`;
    const cases: Array<[Person, Parameters<typeof bookingJob>[2], string]> = [
      [person(), { ...g1At(SKH), provinceCode: '10' }, 'NOT_ELIGIBLE_PROVINCE'],
      [person(), { ...g1At(SKH), provinceCode: null }, 'NOT_ELIGIBLE_PROVINCE'],
      // 17 on the appointment day (2021-08-02), 18 the day after.
      [person({ birthDate: '2003-08-03' }), g1At(SKH), 'NOT_ELIGIBLE_AGE'],
      [person({ birthDate: '2010-01-01' }), g2At(KTB), 'NOT_ELIGIBLE_AGE'],
      [listed, g1At(SKH), 'ALREADY_VACCINATED'],
    ];
    const jobs = cases.map(([who, choice]) => bookingJob(campaignId, who, choice));
    await queue.addBulk(jobs.map((job) => ({ name: 'booking', data: job, opts: { jobId: job.requestId } })));
    const outcomes = await Promise.all(jobs.map((job) => outcomeOf(queue, job.requestId)));
    expect(outcomes).toEqual(cases.map(([, , reason]) => ({ status: 'rejected', reason })));

    expect(await bookingsOf(prisma, campaignId)).toEqual([]);
    expect(await standbyOf(prisma, campaignId)).toEqual([]);
    expect(await campaignState(prisma, campaignId)).toMatchObject({
      bookedDoses: 0,
      standbyCount: 0,
      groups: { g1: { booked: 0 }, g2: { booked: 0 } },
    });
    const events = await outboxOf(prisma, campaignId);
    expect(events.map((e) => [e.type, e.payload.requestId, e.payload.data?.reason])).toEqual(
      expect.arrayContaining(jobs.map((job, i) => ['BookingRejected', job.requestId, cases[i]![2]])),
    );
    expect(events.every((e) => e.type === 'BookingRejected')).toBe(true);

    // Exactly 18 on the day is old enough.
    const adult = await book(queue, bookingJob(campaignId, person({ birthDate: '2003-08-02' }), g1At(SKH)));
    expect(adult.status).toBe('confirmed');
  });
});

describe('(h) one person, 20 jobs with different job ids at once', () => {
  const campaignId = newCampaignId('dup');

  beforeAll(async () => {
    await loadCampaign(tinyCampaign(campaignId, { times: ['09:00', '10:00'] }));
  });

  it('ends with one booking; the others are ALREADY_BOOKED', async () => {
    const who = person();
    const jobs = Array.from({ length: 20 }, (_, i) =>
      bookingJob(campaignId, who, i % 2 ? g1At(KTB, '10:00') : g2At(SKH, '09:00')),
    );
    await queue.addBulk(jobs.map((job) => ({ name: 'booking', data: job, opts: { jobId: job.requestId } })));
    const outcomes = await Promise.all(jobs.map((job) => outcomeOf(queue, job.requestId)));
    expect(outcomes.filter((o) => o.status === 'confirmed')).toHaveLength(1);
    expect(outcomes.filter((o) => o.status === 'rejected' && o.reason === 'ALREADY_BOOKED')).toHaveLength(19);

    const bookings = await bookingsOf(prisma, campaignId);
    expect(bookings).toHaveLength(1);
    expect(bookings[0]).toMatchObject({ citizen_id: who.citizenId, status: 'confirmed' });
    expect(await standbyOf(prisma, campaignId)).toEqual([]);
    expect((await campaignState(prisma, campaignId)).bookedDoses).toBe(1);
    const confirmed = (await outboxOf(prisma, campaignId)).filter((e) => e.type === 'BookingConfirmed');
    expect(confirmed).toHaveLength(1);
    await expectCountersMatchRows(prisma, campaignId);
  });

  it('the database itself refuses a second active booking for the same citizen', async () => {
    const [first] = await bookingsOf(prisma, campaignId);
    // Bypassing the worker: the unique index is the last word (DESIGN.md invariant 2).
    await expect(
      prisma.$executeRaw`
        INSERT INTO booking.bookings (id, campaign_id, reference, request_id, citizen_id, first_name, last_name,
          birth_date, phone, group_code, site_id, slot_id, status, channel)
        SELECT gen_random_uuid(), campaign_id, reference || 'X', request_id || 'x', citizen_id, first_name,
          last_name, birth_date, phone, group_code, site_id, slot_id, 'confirmed', channel
        FROM booking.bookings WHERE id = ${first!.id}::uuid`,
    ).rejects.toThrow(/unique|duplicate/i);
  });
});
