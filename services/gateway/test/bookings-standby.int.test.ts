import { beforeAll, describe, expect, it } from '@jest/globals';
import {
  campaignState,
  expectCountersMatchRows,
  KTB,
  newCampaignId,
  person,
  SKH,
  slot,
  standbyOf,
  tinyCampaign,
} from '../../booking-worker/test/worker-fixtures';
import { solveProofOfWork } from '../src/waiting-room/proof-of-work';
import { admittedAccessToken, decided, validBooking } from './booking-fixtures';
import { expectProblem, gatewayWithWorker } from './gateway-with-worker';

/**
 * Slots and the standby list through the gateway, against a REAL booking worker
 * (gatewayWithWorker): a sold-out campaign, a cancellation that promotes a standby person,
 * and a newcomer after the sell-out who still gets on the standby list.
 */
const env = gatewayWithWorker('standby');

describe('slots and standby', () => {
  // 2 doses (g1: 1, g2: 1), SKH and KTB with one place each at 09:00, standby 3.
  const campaignId = newCampaignId('gw-standby');
  const q1 = person();
  const q2 = person();
  let q1Booking = '';

  beforeAll(async () => {
    await env.loadThroughGateway(tinyCampaign(campaignId, { totalDoses: 2, quotas: [1, 1], capacity: 1 }));
  });

  it("serves a site's slots as the worker published them, cached briefly, and 404 for a site without any", async () => {
    const slots = await env.call('GET', `/api/campaigns/${campaignId}/sites/SKH/slots`);
    expect(slots.status).toBe(200);
    expect(slots.headers.get('cache-control')).toBe('public, max-age=5');
    expect(slots.body).toMatchObject({ siteId: 'SKH', slots: [{ id: slot(SKH), remaining: 1 }] });
    const none = await env.call('GET', `/api/campaigns/${campaignId}/sites/NOPE/slots`);
    expectProblem(none, 404, 'NOT_FOUND');
    expect(none.body.error.message).toEqual({ th: 'ไม่พบข้อมูลที่ต้องการ', en: 'Not found' });
  });

  it('shows a standby person promoted since as confirmed, from the worker', async () => {
    // Admitted while doses were left; the last two go before the form is sent.
    const token = await admittedAccessToken(env.call, campaignId);
    q1Booking = await env.booked(campaignId, q1, 'g1', SKH, '09:00');
    await env.booked(campaignId, q2, 'g2', KTB, '09:00');
    expect((await campaignState(env.prisma, campaignId)).state).toBe('sold_out');

    // Through the booking form: on standby, place 1, at SKH.
    const form = validBooking({ groupCode: 'g1', siteId: SKH, slotId: slot(SKH), provinceCode: '74' });
    const submitted = await env.call('POST', '/api/bookings', { token, body: form });
    expect(submitted.status).toBe(202);
    const { requestId } = submitted.body;
    expect(await decided(env.call, requestId)).toMatchObject({
      status: 'standby',
      standby: { position: 1, siteId: SKH },
    });

    // Staff cancel Q1 (g1 at SKH): the dose goes to the standby person in the same step.
    const cancelled = await env.call('POST', `/api/appointments/${q1Booking}/cancel`, {
      token: env.siteStaffToken(SKH),
      body: {},
    });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ booking: { status: 'cancelled' }, promoted: true });

    const now = await env.call('GET', `/api/bookings/requests/${requestId}`);
    expect(now.body).toMatchObject({
      status: 'confirmed',
      booking: { status: 'confirmed', groupCode: 'g1', siteId: SKH, slotId: slot(SKH) },
    });
    const [entry] = await standbyOf(env.prisma, campaignId);
    expect(entry).toMatchObject({ status: 'promoted', booking_id: now.body.booking.bookingId });
    expect(await campaignState(env.prisma, campaignId)).toMatchObject({
      state: 'sold_out',
      bookedDoses: 2,
      standbyCount: 0,
    });
    await expectCountersMatchRows(env.prisma, campaignId);
  });

  it('after the sell-out, a newcomer offered standby can still get on the standby list', async () => {
    expect((await campaignState(env.prisma, campaignId)).state).toBe('sold_out');
    // The waiting room is closed for doses; a newcomer's join is answered with the standby
    // offer and a standby access token (after the usual proof-of-work).
    const { body: challenge } = await env.call('GET', `/api/campaigns/${campaignId}/queue/challenge`);
    const joined = await env.call('POST', `/api/campaigns/${campaignId}/queue`, {
      body: {
        challenge: challenge.challenge,
        nonce: solveProofOfWork(challenge.challenge, challenge.difficulty),
      },
    });
    expect(joined.body).toMatchObject({ state: 'sold_out', standbyOffered: true, ticket: null });
    const token = joined.body.standbyAccessToken as string;
    expect(typeof token).toBe('string');
    const form = validBooking({ groupCode: 'g2', siteId: KTB, slotId: slot(KTB), provinceCode: '74' });
    const submitted = await env.call('POST', '/api/bookings', { token, body: form });
    expect(submitted.status).toBe(202);
    expect(await decided(env.call, submitted.body.requestId)).toMatchObject({
      status: 'standby',
      standby: { position: 1, siteId: KTB },
    });
  });
});
