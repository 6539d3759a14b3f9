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
  person,
  SKH,
  slot,
  standbyOf,
  tinyCampaign,
  useBookingWorker,
  workerClient,
  type Person,
} from './worker-fixtures';

/**
 * Self-service end to end: a real worker process (BullMQ consumer + /internal HTTP API) on
 * the real Redis and PostgreSQL, a tiny campaign (4 doses, 2 groups, standby 3) so that
 * sold-out, standby, promotion and quota moves happen with a handful of jobs. Answers are
 * checked through the API and the state directly in the database. Rescheduling, eligibility
 * and duplicates: booking-rules.int.test.ts.
 */
const worker = useBookingWorker('bw-self');
const { call, loadCampaign } = worker;
const prisma = createPrismaClient(TEST_DATABASE_URL, { poolSize: 4 });
let queue: Queue;

beforeAll(() => {
  queue = worker.queue;
});

afterAll(async () => {
  await prisma.$disconnect();
});

describe('internal API access', () => {
  it('refuses calls without the internal token', async () => {
    const anonymous = workerClient(worker.base);
    const answer = await anonymous('POST', '/internal/appointments/lookup', {
      campaignId: 'whatever',
      citizenId: person().citizenId,
      birthDate: '1960-05-01',
    });
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual({ code: 'UNAUTHORIZED' });
  });

  it('answers problems with a code only (the gateway has the words), and bad input per field', async () => {
    const bad = await call('POST', '/internal/appointments/lookup', {
      campaignId: 'whatever',
      citizenId: '123',
      birthDate: 'yesterday',
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({
      code: 'INVALID_INPUT',
      fields: { citizenId: expect.any(String), birthDate: expect.any(String) },
    });
    const mismatch = await call('PUT', '/internal/campaigns/one-campaign', { id: 'another' });
    expect(mismatch).toEqual({
      status: 400,
      body: { code: 'INVALID_INPUT', fields: { id: expect.any(String) } },
    });
    const unknown = await call('GET', '/internal/requests/no-such-request-123');
    expect(unknown).toEqual({ status: 404, body: { code: 'NOT_FOUND' } });
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
