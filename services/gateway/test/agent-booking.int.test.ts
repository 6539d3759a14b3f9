import { describe, expect, it } from '@jest/globals';
import {
  KTB,
  newCampaignId,
  person,
  SKH,
  slot,
  tinyCampaign,
} from '../../booking-worker/test/worker-fixtures';
import { expectProblem, gatewayWithWorker } from './gateway-with-worker';

/**
 * Assisted booking (issue 11) against a real gateway and booking worker: a call-centre agent
 * and a walk-in counter book for the person there, through the same checks and engine as a
 * resident, answered synchronously; the counter is bound to its site; a channel outside its
 * hours or not offered is refused; the agent's rate limit holds; an agent cancels.
 */
const env = gatewayWithWorker('agents', { AGENT_BOOKINGS_PER_MINUTE: '6' });
const callCenter = env.tokens.signOps({
  subject: 'somsri',
  role: 'agent',
  channel: 'call_center',
  ttlSeconds: 600,
});
const counter = env.tokens.signOps({
  subject: 'desk-3',
  role: 'agent',
  channel: 'walk_in',
  site: SKH,
  ttlSeconds: 600,
});
const campaignId = newCampaignId('agents');
const closedCampaign = newCampaignId('agents-closed');

const body = (overrides: Record<string, unknown> = {}) => {
  const who = person();
  return {
    campaignId,
    ...who,
    groupCode: 'g1',
    siteId: SKH,
    slotId: slot(SKH),
    provinceCode: '74',
    ...overrides,
  };
};

beforeAll(async () => {
  await env.loadThroughGateway(tinyCampaign(campaignId, { totalDoses: 20, quotas: [10, 10], capacity: 10 }));
  // Only walk-in, and its counters open on another weekday than today's (Bangkok) only.
  const weekday = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'][
    (new Date(Date.now() + 7 * 3600_000).getUTCDay() + 3) % 7
  ];
  await env.loadThroughGateway({
    ...tinyCampaign(closedCampaign),
    channels: { walk_in: { hours: { days: weekday, from: '00:00', to: '24:00' } } },
  });
});

describe('an agent books for the person there', () => {
  it('answers the booking at once, recorded with its channel and agent; the same person again gets the same booking', async () => {
    const input = body({ language: 'en' });
    const first = await env.call('POST', '/api/agent/bookings', { token: callCenter, body: input });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ created: true, status: 'confirmed', booking: { siteId: SKH } });
    const [row] = await env.prisma.$queryRaw<{ channel: string; entered_by: string; language: string }[]>`
      SELECT channel, entered_by, language FROM booking.bookings WHERE id = ${first.body.booking.bookingId}::uuid`;
    expect(row).toEqual({ channel: 'call_center', entered_by: 'agent:somsri', language: 'en' });

    const again = await env.call('POST', '/api/agent/bookings', { token: counter, body: input });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({
      created: false,
      booking: { bookingId: first.body.booking.bookingId },
    });
  });

  it('binds a counter to its site, and refuses what a resident would be refused, with nothing booked', async () => {
    const before = await env.prisma.booking.count({ where: { campaignId } });
    const elsewhere = await env.call('POST', '/api/agent/bookings', {
      token: counter,
      body: body({ siteId: KTB, slotId: slot(KTB) }),
    });
    expectProblem(elsewhere, 403, 'SITE_FORBIDDEN');
    const badId = await env.call('POST', '/api/agent/bookings', {
      token: callCenter,
      body: body({ citizenId: '1234567890123' }),
    });
    expectProblem(badId, 400, 'INVALID_INPUT');
    expect(Object.keys(badId.body.error.fields)).toEqual(['citizenId']);
    const wrongProvince = await env.call('POST', '/api/agent/bookings', {
      token: callCenter,
      body: body({ provinceCode: '10' }),
    });
    expectProblem(wrongProvince, 400, 'INVALID_INPUT');
    const noCampaign = await env.call('POST', '/api/agent/bookings', {
      token: callCenter,
      body: body({ campaignId: undefined }),
    });
    expectProblem(noCampaign, 400, 'INVALID_INPUT');
    const resident = await env.call('POST', '/api/agent/bookings', {
      token: env.siteStaffToken(SKH),
      body: body(),
    });
    expectProblem(resident, 403, 'ROLE_FORBIDDEN');
    expect(await env.prisma.booking.count({ where: { campaignId } })).toBe(before);
  });

  it('refuses a channel the campaign does not offer, and one outside its hours', async () => {
    const notOffered = await env.call('POST', '/api/agent/bookings', {
      token: callCenter,
      body: body({ campaignId: closedCampaign }),
    });
    expectProblem(notOffered, 409, 'CHANNEL_NOT_OFFERED');
    const closed = await env.call('POST', '/api/agent/bookings', {
      token: counter,
      body: body({ campaignId: closedCampaign }),
    });
    expectProblem(closed, 409, 'CHANNEL_CLOSED');
    expect(closed.body.error.message.en).toMatch(/opening hours/);
    expect(await env.prisma.booking.count({ where: { campaignId: closedCampaign } })).toBe(0);
  });

  it('cancels for the person, as the agent', async () => {
    const made = await env.call('POST', '/api/agent/bookings', { token: counter, body: body() });
    expect(made.status).toBe(201);
    const { bookingId } = made.body.booking;
    const cancelled = await env.call('POST', `/api/appointments/${bookingId}/cancel`, {
      token: counter,
      body: {},
    });
    expect(cancelled.status).toBe(200);
    const [row] = await env.prisma.$queryRaw<{ status: string; cancelled_by: string }[]>`
      SELECT status, cancelled_by FROM booking.bookings WHERE id = ${bookingId}::uuid`;
    expect(row).toEqual({ status: 'cancelled', cancelled_by: 'agent:desk-3' });
  });

  it("holds each agent's rate limit with Retry-After, and another agent is not held by it", async () => {
    const busy = env.tokens.signOps({
      subject: 'busy',
      role: 'agent',
      channel: 'call_center',
      ttlSeconds: 600,
    });
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      statuses.push((await env.call('POST', '/api/agent/bookings', { token: busy, body: body() })).status);
    }
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(2);
    const limited = await env.call('POST', '/api/agent/bookings', { token: busy, body: body() });
    expectProblem(limited, 429, 'RATE_LIMITED');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    const other = env.tokens.signOps({
      subject: 'fresh',
      role: 'agent',
      channel: 'call_center',
      ttlSeconds: 600,
    });
    expect((await env.call('POST', '/api/agent/bookings', { token: other, body: body() })).status).toBe(201);
  });
});
