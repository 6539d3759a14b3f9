import { describe, expect, it } from '@jest/globals';
import {
  bookingsOf,
  campaignState,
  expectCountersMatchRows,
  KTB,
  newCampaignId,
  person,
  SKH,
  slot,
  tinyCampaign,
  type Person,
} from '../../booking-worker/test/worker-fixtures';
import { nextCitizenId, type HttpAnswer } from './booking-fixtures';
import { expectProblem, gatewayWithWorker } from './gateway-with-worker';

/**
 * Self-service and ops routes of the gateway against a REAL booking worker
 * (gatewayWithWorker). No stub is left: the one case a healthy worker cannot produce on its
 * own, not answering at all, is made by pausing the real worker process (SIGSTOP) for the
 * length of one call.
 */
const env = gatewayWithWorker('selfsvc');

let network = 0;
/** Each test its own client network (the gateway trusts X-Forwarded-For from loopback). */
const fromNetwork = () => ({ 'x-forwarded-for': `198.51.100.${++network}` });

const identity = (who: Person) => ({ citizenId: who.citizenId, birthDate: who.birthDate });

describe('self-service through the gateway', () => {
  // 4 doses (g1: 2, g2: 2); SKH and KTB at 09:00 and 10:00, one place each.
  const campaignId = newCampaignId('gw-self');
  const p1 = person(); // g1 SKH 09:00
  const p2 = person(); // g1 KTB 09:00
  const p3 = person(); // g2 SKH 10:00
  const bookingOf = new Map<Person, string>();

  beforeAll(async () => {
    await env.loadThroughGateway(tinyCampaign(campaignId, { times: ['09:00', '10:00'], capacity: 1 }));
    bookingOf.set(p1, await env.booked(campaignId, p1, 'g1', SKH, '09:00'));
    bookingOf.set(p2, await env.booked(campaignId, p2, 'g1', KTB, '09:00'));
    bookingOf.set(p3, await env.booked(campaignId, p3, 'g2', SKH, '10:00'));
  });

  it('looks up with citizen ID and birth date (GET or POST); a wrong birth date reveals nothing', async () => {
    const headers = fromNetwork();
    const q = `campaignId=${campaignId}&citizenId=${p1.citizenId}&birthDate=${p1.birthDate}`;
    const found = await env.call('GET', `/api/appointments/lookup?${q}`, { headers });
    expect(found.status).toBe(200);
    expect(found.headers.get('cache-control')).toBe('no-store');
    expect(found.body).toMatchObject({
      campaignId,
      booking: {
        bookingId: bookingOf.get(p1),
        status: 'confirmed',
        groupCode: 'g1',
        siteId: SKH,
        siteName: { en: 'Samut Sakhon Hospital' },
        slotId: slot(SKH, '09:00'),
        startsAt: '2021-08-02T02:00:00.000Z',
      },
      standby: null,
    });

    const viaPost = await env.call('POST', '/api/appointments/lookup', {
      headers,
      body: { campaignId, citizenId: p1.citizenId, birthDate: '1951-01-01' },
    });
    expectProblem(viaPost, 404, 'NOT_FOUND');
    // The worker answers the code; the gateway words it for a look-up.
    expect(viaPost.body.error.message).toEqual({
      th: 'ไม่พบข้อมูลที่ตรงกับเลขบัตรประชาชนและวันเกิดนี้',
      en: 'Nothing matches this citizen ID and birth date.',
    });

    const bad = await env.call(
      'GET',
      `/api/appointments/lookup?campaignId=${campaignId}&citizenId=123&birthDate=x`,
      {
        headers,
      },
    );
    expectProblem(bad, 400, 'INVALID_INPUT');
    expect(Object.keys(bad.body.error.fields).sort()).toEqual(['birthDate', 'citizenId']);
  });

  it('limits attempts per citizen ID and per network with 429 and Retry-After', async () => {
    const citizenId = nextCitizenId();
    const lookup = (headers: Record<string, string>, id = citizenId) =>
      env.call('POST', '/api/appointments/lookup', {
        headers,
        body: { campaignId, citizenId: id, birthDate: '1960-01-01' },
      });
    // Per citizen: 5 a minute, from whatever network (the worker answers 404: nobody booked).
    for (let i = 0; i < 5; i++) expect((await lookup(fromNetwork())).status).toBe(404);
    const limited = await lookup(fromNetwork());
    expectProblem(limited, 429, 'RATE_LIMITED');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);

    // Per network: 8 a minute, whoever asks.
    const headers = fromNetwork();
    for (let i = 0; i < 8; i++) expect((await lookup(headers, nextCitizenId())).status).toBe(404);
    expectProblem(await lookup(headers, nextCitizenId()), 429, 'RATE_LIMITED');
  });

  it("reschedules only to a slot with room, passing the worker's SLOT_FULL on", async () => {
    const path = `/api/appointments/${bookingOf.get(p3)}/reschedule`;
    // SKH 09:00 is P1's.
    const full = await env.call('POST', path, {
      headers: fromNetwork(),
      body: { ...identity(p3), slotId: slot(SKH, '09:00') },
    });
    expectProblem(full, 409, 'SLOT_FULL');
    expect(full.body.error.message.en).toBe('The time slot you chose is full; please choose another.');
    expect((await campaignState(env.prisma, campaignId)).slots[slot(SKH, '10:00')]).toBe(1);

    const moved = await env.call('POST', path, {
      headers: fromNetwork(),
      body: { ...identity(p3), slotId: slot(KTB, '10:00') },
    });
    expect(moved.status).toBe(200);
    expect(moved.body.booking).toMatchObject({
      bookingId: bookingOf.get(p3),
      siteId: KTB,
      slotId: slot(KTB, '10:00'),
      status: 'confirmed',
    });
    expect((await campaignState(env.prisma, campaignId)).slots).toMatchObject({
      [slot(SKH, '10:00')]: 0,
      [slot(KTB, '10:00')]: 1,
    });

    const wrong = await env.call('POST', path, {
      headers: fromNetwork(),
      body: { citizenId: p3.citizenId, birthDate: '1961-01-01', slotId: slot(SKH, '10:00') },
    });
    expectProblem(wrong, 404, 'NOT_FOUND');
    await expectCountersMatchRows(env.prisma, campaignId);
  });

  it('answers 503 with Retry-After when the worker does not answer (worker paused)', async () => {
    process.kill(env.workerPid(), 'SIGSTOP');
    let stuck: HttpAnswer;
    try {
      stuck = await env.call('POST', `/api/appointments/${bookingOf.get(p2)}/reschedule`, {
        headers: fromNetwork(),
        body: { ...identity(p2), slotId: slot(SKH, '10:00') },
      });
    } finally {
      process.kill(env.workerPid(), 'SIGCONT');
    }
    expectProblem(stuck, 503, 'BOOKING_SERVICE_UNAVAILABLE');
    expect(stuck.headers.get('retry-after')).toBe('5');
  });

  it('cancels for the resident (citizen ID + birth date) or for staff (token), and refuses a bad token', async () => {
    const before = await campaignState(env.prisma, campaignId);
    const wrong = await env.call('POST', `/api/appointments/${bookingOf.get(p1)}/cancel`, {
      headers: fromNetwork(),
      body: { citizenId: p1.citizenId, birthDate: '1999-09-09' },
    });
    expectProblem(wrong, 404, 'NOT_FOUND');

    const resident = await env.call('POST', `/api/appointments/${bookingOf.get(p1)}/cancel`, {
      headers: fromNetwork(),
      body: identity(p1),
    });
    expect(resident.status).toBe(200);
    expect(resident.body).toMatchObject({
      booking: { bookingId: bookingOf.get(p1), status: 'cancelled' },
      promoted: false,
    });
    const again = await env.call('POST', `/api/appointments/${bookingOf.get(p1)}/cancel`, {
      headers: fromNetwork(),
      body: identity(p1),
    });
    expectProblem(again, 409, 'ALREADY_CANCELLED');

    // Staff act for their own site only: another site's booking is not found, no site is none.
    const p2Cancel = `/api/appointments/${bookingOf.get(p2)}/cancel`;
    const bookedBefore = (await campaignState(env.prisma, campaignId)).bookedDoses;
    // The 503 test's reschedule lands once the worker resumes: read where p2's booking is now.
    const p2Site = (await bookingsOf(env.prisma, campaignId)).find(
      (b) => b.id === bookingOf.get(p2),
    )!.site_id;
    expectProblem(
      await env.call('POST', p2Cancel, { token: env.siteStaffToken(p2Site === SKH ? KTB : SKH), body: {} }),
      404,
      'NOT_FOUND',
    );
    expectProblem(
      await env.call('POST', p2Cancel, { token: env.staffToken, body: {} }),
      403,
      'SITE_SCOPE_REQUIRED',
    );
    expect((await campaignState(env.prisma, campaignId)).bookedDoses).toBe(bookedBefore);
    const staff = await env.call('POST', p2Cancel, { token: env.siteStaffToken(p2Site), body: {} });
    expect(staff.status).toBe(200);
    const rows = await bookingsOf(env.prisma, campaignId);
    expect(rows.find((b) => b.id === bookingOf.get(p1))).toMatchObject({
      status: 'cancelled',
      cancelled_by: 'resident',
    });
    expect(rows.find((b) => b.id === bookingOf.get(p2))).toMatchObject({
      status: 'cancelled',
      cancelled_by: `staff:staff-${p2Site}`,
    });
    expect(await campaignState(env.prisma, campaignId)).toMatchObject({
      bookedDoses: before.bookedDoses - 2,
      groups: { g1: { booked: before.groups.g1!.booked - 2 } },
    });

    const path = `/api/appointments/${bookingOf.get(p3)}/cancel`;
    expectProblem(await env.call('POST', path, { token: 'forged', body: {} }), 401, 'TOKEN_INVALID');
    expectProblem(
      await env.call('POST', '/api/appointments/not-a-uuid/cancel', { body: {} }),
      400,
      'INVALID_INPUT',
    );
    await expectCountersMatchRows(env.prisma, campaignId);
  });
});

describe('ops routes through the gateway', () => {
  const campaignId = newCampaignId('gw-ops');

  it('loads a campaign file of up to 2 MB with an ops token, and refuses staff, no token or more', async () => {
    // The worker ignores fields it does not know: a 1 MB note still loads.
    const file = { ...tinyCampaign(campaignId), _note: 'x'.repeat(1_000_000) };
    const path = `/api/admin/campaigns/${campaignId}`;
    const loaded = await env.call('PUT', path, { token: env.opsToken, body: file });
    expect(loaded.status).toBe(200);
    expect(loaded.body).toEqual({
      id: campaignId,
      groups: 2,
      sites: 2,
      slots: 2,
      slotCapacity: 4,
      auditRecorded: true,
    });
    expect(await campaignState(env.prisma, campaignId)).toMatchObject({
      bookedDoses: 0,
      groups: { g1: { quota: 2 } },
    });

    const mismatch = await env.call('PUT', path, {
      token: env.opsToken,
      body: { ...file, id: 'another-id' },
    });
    expectProblem(mismatch, 400, 'INVALID_INPUT');
    expectProblem(await env.call('PUT', path, { body: file }), 401, 'TOKEN_MISSING');
    expectProblem(await env.call('PUT', path, { token: env.staffToken, body: file }), 403, 'ROLE_FORBIDDEN');
    const tooLarge = await env.call('PUT', path, {
      token: env.opsToken,
      body: { ...file, _note: 'x'.repeat(2_200_000) },
    });
    expectProblem(tooLarge, 413, 'BODY_TOO_LARGE');
  });

  it('changes and moves quotas, checking the body first and passing refusals on', async () => {
    const groups = `/api/admin/campaigns/${campaignId}/groups/g1`;
    const changed = await env.call('PATCH', groups, { token: env.opsToken, body: { quota: 1 } });
    expect(changed.status).toBe(200);
    expect(changed.body.groups).toEqual([
      { code: 'g1', quota: 1, booked: 0 },
      { code: 'g2', quota: 2, booked: 0 },
    ]);
    const negative = await env.call('PATCH', groups, { token: env.opsToken, body: { quota: -1 } });
    expectProblem(negative, 400, 'INVALID_INPUT');
    expect(negative.body.error.fields.quota).toBeDefined();
    expectProblem(
      await env.call('PATCH', groups, { token: env.opsToken, body: { quota: 3 } }),
      409,
      'QUOTAS_OVER_TOTAL',
    );

    const transfers = `/api/admin/campaigns/${campaignId}/quota-transfers`;
    const below = await env.call('POST', transfers, {
      token: env.opsToken,
      body: { from: 'g2', to: 'g1', doses: 3 },
    });
    expectProblem(below, 409, 'QUOTA_BELOW_BOOKED');
    const moved = await env.call('POST', transfers, {
      token: env.opsToken,
      body: { from: 'g2', to: 'g1', doses: 1 },
    });
    expect(moved.status).toBe(200);
    expect(moved.body).toEqual({
      groups: [
        { code: 'g1', quota: 2, booked: 0 },
        { code: 'g2', quota: 1, booked: 0 },
      ],
      promoted: 0,
      auditRecorded: true,
    });
  });
});
