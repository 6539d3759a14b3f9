import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Queue } from 'bullmq';
import { createPrismaClient } from '@khiw/db';
import { TEST_DATABASE_URL, uniqueNamespace } from '../../../test/support/env';
import { startService, type RunningService } from '../../../test/support/services';
import {
  book,
  bookingJob,
  bookingQueue,
  bookingsOf,
  campaignState,
  expectCountersMatchRows,
  KTB,
  newCampaignId,
  outboxOf,
  outcomeOf,
  person,
  SKH,
  slot,
  standbyOf,
  tinyCampaign,
  workerClient,
  type Json,
  type Person,
} from './worker-fixtures';

/**
 * The booking worker end to end: a real worker process (BullMQ consumer + /internal HTTP
 * API) on the real Redis and PostgreSQL, tiny campaigns (4 doses, 2 groups, standby 3) so
 * that sold-out, standby, promotion and quota moves happen with a handful of jobs. Answers
 * are checked through the API and the state directly in the database.
 */
const namespace = uniqueNamespace('bw-self');
const INTERNAL_TOKEN = 'internal-token-for-worker-tests-42';
const prisma = createPrismaClient(TEST_DATABASE_URL, { poolSize: 4 });
const registryListed: string[] = [];
let worker: RunningService;
let queue: Queue;
let base = '';
const call = workerClient(() => base, INTERNAL_TOKEN);

async function loadCampaign(file: Json): Promise<void> {
  const answer = await call('PUT', `/internal/campaigns/${file.id}`, file);
  expect(answer.status).toBe(200);
}

const g1At = (site: string, time?: string) => ({ groupCode: 'g1', siteId: site, slotId: slot(site, time) });
const g2At = (site: string, time?: string) => ({ groupCode: 'g2', siteId: site, slotId: slot(site, time) });
const identity = (who: Person) => ({ citizenId: who.citizenId, birthDate: who.birthDate });

beforeAll(async () => {
  queue = bookingQueue(namespace);
  worker = await startService('booking-worker', namespace, {
    INTERNAL_API_TOKEN: INTERNAL_TOKEN,
    // The outbox table is shared by every test run on this database: a relay here would
    // publish other runs' rows to this namespace's topics. The rows are checked in SQL instead.
    OUTBOX_RELAY_ENABLED: 'false',
    SNAPSHOT_INTERVAL_MS: '100',
    DATABASE_POOL_SIZE: '5',
  });
  base = `http://127.0.0.1:${worker.port}`;
});

afterAll(async () => {
  const code = await worker?.stop();
  await queue?.obliterate({ force: true }).catch(() => undefined);
  await queue?.close();
  if (registryListed.length > 0) {
    await prisma.$executeRaw`DELETE FROM booking.registry_vaccinated WHERE citizen_id = ANY(${registryListed}::text[])`;
  }
  await prisma.$disconnect();
  expect(code).toBe(0);
});

describe('internal API access', () => {
  it('refuses calls without the internal token', async () => {
    const anonymous = workerClient(() => base);
    const answer = await anonymous('POST', '/internal/appointments/lookup', {
      campaignId: 'whatever',
      citizenId: person().citizenId,
      birthDate: '1960-05-01',
    });
    expect(answer.status).toBe(401);
    expect(answer.body.code).toBe('UNAUTHORIZED');
  });
});

/**
 * One campaign through its life: 4 doses (g1: 2, g2: 2), SKH and KTB with one slot of 2
 * places each, standby 3. The tests below run in order and build on each other.
 */
describe('sold out, standby, cancellation with promotion, quota transfer', () => {
  const campaignId = newCampaignId('life');
  const a1 = person();
  const a2 = person();
  const b1 = person();
  const b2 = person();
  /** S1: g1 at KTB; S2: g2 at SKH; S3: g1 at SKH; S4: too late. */
  const s1 = person();
  const s2 = person();
  const s3 = person();
  const s4 = person();
  const requestOf = new Map<Person, string>();
  const bookingOf = new Map<Person, string>();
  const submit = async (who: Person, choice: Parameters<typeof bookingJob>[2]) => {
    const job = bookingJob(campaignId, who, choice);
    requestOf.set(who, job.requestId);
    const outcome = await book(queue, job);
    if (outcome.status === 'confirmed') bookingOf.set(who, outcome.booking.bookingId);
    return outcome;
  };

  beforeAll(async () => {
    await loadCampaign(tinyCampaign(campaignId));
  });

  it('(a) books up to the doses, then gives standby places 1, 2, 3, then SOLD_OUT', async () => {
    expect(await submit(a1, g1At(SKH))).toMatchObject({ status: 'confirmed', booking: { siteId: SKH } });
    expect(await submit(a2, g1At(SKH))).toMatchObject({ status: 'confirmed' });
    // SKH's only slot is full while the campaign still has doses: that slot is refused.
    expect(await book(queue, bookingJob(campaignId, person(), g2At(SKH)))).toEqual({
      status: 'rejected',
      reason: 'SLOT_FULL',
    });
    // g1's quota is used up (2 of 4 doses): a g1 request goes on standby already.
    expect(await submit(s1, g1At(KTB))).toMatchObject({
      status: 'standby',
      standby: { position: 1, siteId: KTB },
    });
    expect((await campaignState(prisma, campaignId)).state).not.toBe('sold_out');
    expect(await submit(b1, g2At(KTB))).toMatchObject({ status: 'confirmed' });
    expect(await submit(b2, g2At(KTB))).toMatchObject({ status: 'confirmed' });
    expect((await campaignState(prisma, campaignId)).state).toBe('sold_out');

    expect(await submit(s2, g2At(SKH))).toMatchObject({
      status: 'standby',
      standby: { position: 2, siteId: SKH },
    });
    expect(await submit(s3, g1At(SKH))).toMatchObject({
      status: 'standby',
      standby: { position: 3, siteId: SKH },
    });
    expect(await submit(s4, g1At(SKH))).toEqual({ status: 'rejected', reason: 'SOLD_OUT' });
    // Sold out does not skip eligibility: a wrong province is still that, not SOLD_OUT.
    expect(await book(queue, bookingJob(campaignId, person(), { ...g1At(SKH), provinceCode: '10' }))).toEqual(
      {
        status: 'rejected',
        reason: 'NOT_ELIGIBLE_PROVINCE',
      },
    );

    expect(await campaignState(prisma, campaignId)).toEqual({
      state: 'sold_out',
      bookedDoses: 4,
      standbyCount: 3,
      groups: { g1: { quota: 2, booked: 2 }, g2: { quota: 2, booked: 2 } },
      slots: { [slot(SKH)]: 2, [slot(KTB)]: 2 },
    });
    const standby = await standbyOf(prisma, campaignId);
    expect(standby.map((s) => [s.citizen_id, s.position, s.status])).toEqual([
      [s1.citizenId, 1, 'waiting'],
      [s2.citizenId, 2, 'waiting'],
      [s3.citizenId, 3, 'waiting'],
    ]);
    expect((await bookingsOf(prisma, campaignId)).map((b) => b.citizen_id).sort()).toEqual(
      [a1, a2, b1, b2].map((p) => p.citizenId).sort(),
    );
    const types = (await outboxOf(prisma, campaignId)).map((row) => row.type);
    expect(types.filter((t) => t === 'BookingConfirmed')).toHaveLength(4);
    expect(types.filter((t) => t === 'BookingStandby')).toHaveLength(3);
    await expectCountersMatchRows(prisma, campaignId);
  });

  it('(e) look-up returns the booking, or the standby place and its position', async () => {
    const booked = await call('POST', '/internal/appointments/lookup', { campaignId, ...identity(a1) });
    expect(booked.status).toBe(200);
    expect(booked.body).toMatchObject({
      campaignId,
      booking: {
        bookingId: bookingOf.get(a1),
        status: 'confirmed',
        groupCode: 'g1',
        siteId: SKH,
        slotId: slot(SKH),
      },
      standby: null,
    });
    const waiting = await call('POST', '/internal/appointments/lookup', { campaignId, ...identity(s2) });
    expect(waiting.body).toMatchObject({
      booking: null,
      standby: { position: 2, groupCode: 'g2', siteId: SKH, slotId: slot(SKH) },
    });
    const byRequest = await call('GET', `/internal/requests/${encodeURIComponent(requestOf.get(s1)!)}`);
    expect(byRequest.body).toMatchObject({ booking: null, standby: { position: 1, siteId: KTB } });
    expect((await call('GET', `/internal/requests/${campaignId}.no-such-request-123`)).status).toBe(404);
    // The one who got SOLD_OUT has nothing to show.
    expect(
      (await call('POST', '/internal/appointments/lookup', { campaignId, ...identity(s4) })).status,
    ).toBe(404);
  });

  it('(c) a wrong birth date gets 404 everywhere and changes nothing', async () => {
    const before = {
      state: await campaignState(prisma, campaignId),
      bookings: await bookingsOf(prisma, campaignId),
      standby: await standbyOf(prisma, campaignId),
      outbox: (await outboxOf(prisma, campaignId)).length,
    };
    const wrong = { citizenId: a1.citizenId, birthDate: '1960-05-02' };
    const cancel = await call('POST', `/internal/bookings/${bookingOf.get(a1)}/cancel`, wrong);
    expect(cancel.status).toBe(404);
    expect(cancel.body.code).toBe('NOT_FOUND');
    const reschedule = await call('POST', `/internal/bookings/${bookingOf.get(a1)}/reschedule`, {
      ...wrong,
      slotId: slot(KTB),
    });
    expect(reschedule.status).toBe(404);
    expect((await call('POST', '/internal/appointments/lookup', { campaignId, ...wrong })).status).toBe(404);
    // Somebody else's citizen ID with the right booking id: the same 404.
    const other = await call('POST', `/internal/bookings/${bookingOf.get(a1)}/cancel`, identity(b1));
    expect(other.status).toBe(404);
    // A standby person with a wrong birth date sees nothing either.
    expect(
      (
        await call('POST', '/internal/appointments/lookup', {
          campaignId,
          citizenId: s1.citizenId,
          birthDate: '1999-01-01',
        })
      ).status,
    ).toBe(404);
    expect({
      state: await campaignState(prisma, campaignId),
      bookings: await bookingsOf(prisma, campaignId),
      standby: await standbyOf(prisma, campaignId),
      outbox: (await outboxOf(prisma, campaignId)).length,
    }).toEqual(before);
  });

  it('(b) a cancellation frees the dose and promotes, in the same transaction, the first standby person who fits', async () => {
    const outboxBefore = (await outboxOf(prisma, campaignId)).length;
    const answer = await call('POST', `/internal/bookings/${bookingOf.get(a1)}/cancel`, identity(a1));
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      booking: { bookingId: bookingOf.get(a1), status: 'cancelled', siteId: SKH },
      promoted: true,
    });

    // S1 (g1 at KTB) is first but KTB is full; S2 (g2 at SKH) has no g2 quota; S3 fits.
    const standby = await standbyOf(prisma, campaignId);
    expect(standby.map((s) => [s.citizen_id, s.status])).toEqual([
      [s1.citizenId, 'waiting'],
      [s2.citizenId, 'waiting'],
      [s3.citizenId, 'promoted'],
    ]);
    const bookings = await bookingsOf(prisma, campaignId);
    const cancelled = bookings.find((b) => b.id === bookingOf.get(a1))!;
    expect(cancelled).toMatchObject({ status: 'cancelled', cancelled_by: 'resident' });
    const promoted = bookings.find((b) => b.citizen_id === s3.citizenId)!;
    expect(promoted).toMatchObject({
      status: 'confirmed',
      group_code: 'g1',
      site_id: SKH, // the site S3 chose, never another one
      slot_id: slot(SKH),
      request_id: requestOf.get(s3),
      standby_id: standby[2]!.id,
    });
    expect(standby[2]!.booking_id).toBe(promoted.id);
    bookingOf.set(s3, promoted.id);

    const events = (await outboxOf(prisma, campaignId)).slice(outboxBefore);
    expect(events.map((e) => [e.type, e.key])).toEqual([
      ['BookingCancelled', bookingOf.get(a1)],
      ['BookingPromoted', promoted.id],
    ]);
    expect(events[1]!.payload).toMatchObject({
      bookingId: promoted.id,
      data: { appointment: { siteId: SKH, slotId: slot(SKH) } },
    });
    // One transaction: now() is the transaction's start, the same for all four rows.
    const at = cancelled.cancelled_at!.getTime();
    expect([
      promoted.created_at.getTime(),
      events[0]!.created_at.getTime(),
      events[1]!.created_at.getTime(),
    ]).toEqual([at, at, at]);

    expect(await campaignState(prisma, campaignId)).toEqual({
      state: 'sold_out',
      bookedDoses: 4,
      standbyCount: 2,
      groups: { g1: { quota: 2, booked: 2 }, g2: { quota: 2, booked: 2 } },
      slots: { [slot(SKH)]: 2, [slot(KTB)]: 2 },
    });
    await expectCountersMatchRows(prisma, campaignId);

    // The promoted person's look-up and request now show the booking; S1 and S2 moved up.
    const lookup = await call('POST', '/internal/appointments/lookup', { campaignId, ...identity(s3) });
    expect(lookup.body).toMatchObject({
      booking: { bookingId: promoted.id, status: 'confirmed' },
      standby: null,
    });
    const request = await call('GET', `/internal/requests/${encodeURIComponent(requestOf.get(s3)!)}`);
    expect(request.body).toMatchObject({ booking: { bookingId: promoted.id, status: 'confirmed' } });
    const s2Now = await call('POST', '/internal/appointments/lookup', { campaignId, ...identity(s2) });
    expect(s2Now.body.standby.position).toBe(2);

    // Cancelling again is refused and changes nothing.
    const again = await call('POST', `/internal/bookings/${bookingOf.get(a1)}/cancel`, identity(a1));
    expect([again.status, again.body.code]).toEqual([409, 'ALREADY_CANCELLED']);
    // The cancelled person's look-up shows the cancelled booking.
    const gone = await call('POST', '/internal/appointments/lookup', { campaignId, ...identity(a1) });
    expect(gone.body).toMatchObject({
      booking: { bookingId: bookingOf.get(a1), status: 'cancelled' },
      standby: null,
    });
  });

  it('(b) a cancellation nobody on standby fits lowers every counter by one and reopens the campaign', async () => {
    // B1 (g2 at KTB): S1 wants KTB but g1 is full; S2 wants g2 but SKH is full.
    const answer = await call('POST', `/internal/bookings/${bookingOf.get(b1)}/cancel`, {
      actor: 'staff',
      operator: 'desk-7',
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ booking: { status: 'cancelled' }, promoted: false });
    expect(await campaignState(prisma, campaignId)).toEqual({
      state: 'open',
      bookedDoses: 3,
      standbyCount: 2,
      groups: { g1: { quota: 2, booked: 2 }, g2: { quota: 2, booked: 1 } },
      slots: { [slot(SKH)]: 2, [slot(KTB)]: 1 },
    });
    const cancelled = (await bookingsOf(prisma, campaignId)).find((b) => b.id === bookingOf.get(b1))!;
    expect(cancelled.cancelled_by).toBe('staff:desk-7');
    expect((await outboxOf(prisma, campaignId)).at(-1)).toMatchObject({
      type: 'BookingCancelled',
      key: bookingOf.get(b1),
    });
    await expectCountersMatchRows(prisma, campaignId);
  });

  it('(f) a quota transfer below what is booked is refused; one that opens room promotes that group', async () => {
    const path = `/internal/campaigns/${campaignId}/quota-transfers`;
    const before = await campaignState(prisma, campaignId);
    // g2 has 1 booked: its quota cannot go to 0.
    const below = await call('POST', path, { from: 'g2', to: 'g1', doses: 2 });
    expect([below.status, below.body.code]).toEqual([409, 'QUOTA_BELOW_BOOKED']);
    const unknown = await call('POST', path, { from: 'g2', to: 'nope', doses: 1 });
    expect([unknown.status, unknown.body.code]).toEqual([404, 'UNKNOWN_GROUP']);
    const over = await call('PATCH', `/internal/campaigns/${campaignId}/groups/g1`, { quota: 3 });
    expect([over.status, over.body.code]).toEqual([409, 'QUOTAS_OVER_TOTAL']);
    expect(await campaignState(prisma, campaignId)).toEqual(before);

    // One dose g2 -> g1: S1 (g1 at KTB, where B1's place is free) gets it at once.
    const moved = await call('POST', path, { from: 'g2', to: 'g1', doses: 1 });
    expect(moved.status).toBe(200);
    expect(moved.body).toEqual({
      groups: [
        { code: 'g1', quota: 3, booked: 3 },
        { code: 'g2', quota: 1, booked: 1 },
      ],
      promoted: 1,
    });
    const standby = await standbyOf(prisma, campaignId);
    expect(standby.map((s) => [s.citizen_id, s.status])).toEqual([
      [s1.citizenId, 'promoted'],
      [s2.citizenId, 'waiting'],
      [s3.citizenId, 'promoted'],
    ]);
    const promoted = (await bookingsOf(prisma, campaignId)).find((b) => b.citizen_id === s1.citizenId)!;
    expect(promoted).toMatchObject({ status: 'confirmed', site_id: KTB, group_code: 'g1' });
    expect((await outboxOf(prisma, campaignId)).at(-1)).toMatchObject({
      type: 'BookingPromoted',
      key: promoted.id,
    });
    expect(await campaignState(prisma, campaignId)).toEqual({
      state: 'sold_out',
      bookedDoses: 4,
      standbyCount: 1,
      groups: { g1: { quota: 3, booked: 3 }, g2: { quota: 1, booked: 1 } },
      slots: { [slot(SKH)]: 2, [slot(KTB)]: 2 },
    });
    // S2 is now first in line.
    const s2Now = await call('POST', '/internal/appointments/lookup', { campaignId, ...identity(s2) });
    expect(s2Now.body.standby.position).toBe(1);
    await expectCountersMatchRows(prisma, campaignId);
  });
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
