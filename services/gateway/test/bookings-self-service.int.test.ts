import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Worker } from 'bullmq';
import { INTERNAL_TOKEN_HEADER, slotId } from '@khiw/contracts';
import { bullPrefix } from '@khiw/redis';
import { uniqueNamespace } from '../../../test/support/env';
import { startService, type RunningService } from '../../../test/support/services';
import { generateSigningKey, Keyring, privateKeyPem } from '../src/waiting-room/tokens/keyring';
import { QueueTokens } from '../src/waiting-room/tokens/queue-tokens';
import {
  admittedAccessToken,
  bookingQueue,
  bullConnection,
  client,
  DAY,
  nextCitizenId,
  publishBookingCampaign,
  validBooking,
  type HttpAnswer,
  type Json,
} from './booking-fixtures';
import { closeRedis, deleteNamespace, testRedis } from './waiting-room-fixtures';

/**
 * Self-service, ops and standby routes of the gateway, against a real gateway process and
 * Redis. The booking worker is a stub HTTP server here: when this was written its /internal
 * API was uncommitted work in progress in services/booking-worker, so these tests pin the
 * gateway's side of the contract (packages/contracts booking-api.ts): what it forwards, with
 * which token, and how it passes answers, timeouts and refusals on.
 */
const namespace = uniqueNamespace('selfsvc');
const campaignId = `ss-${namespace.slice(-6)}`;
const key = generateSigningKey('test-key');
const tokens = new QueueTokens(new Keyring(key), { ticketTtlSeconds: 3600 });
const opsToken = tokens.signOps({ subject: 'test-ops', role: 'ops', ttlSeconds: 600 });
const staffToken = tokens.signOps({ subject: 'test-staff', role: 'staff', ttlSeconds: 600 });
const INTERNAL_TOKEN = 'internal-token-for-tests-0123456789';
const HANGING_BOOKING = '00000000-0000-4000-8000-000000000000';
const BOOKING_ID = '6f1c1f4e-8d0a-4a53-9a57-2f0c6b1d7e10';
const redis = testRedis();
const queue = bookingQueue(namespace);
let gateway: RunningService;
let base = '';
const call = client(() => base);

const appointment = {
  bookingId: BOOKING_ID,
  reference: 'KHIW-7Q4M',
  status: 'confirmed',
  groupCode: 'elderly70',
  siteId: 'SKH',
  siteName: { th: 'โรงพยาบาลสมุทรสาคร', en: 'Samut Sakhon Hospital' },
  slotId: slotId('SKH', DAY, '09:00'),
  startsAt: '2021-08-02T02:00:00.000Z',
};
const problem = (code: string, th: string, en: string) => ({ code, message: { th, en } });

interface Seen {
  method: string;
  url: string;
  token: string | undefined;
  body: Json | undefined;
  size: number;
}
const seen: Seen[] = [];
const stub = http.createServer((req, res) => {
  let raw = '';
  req.on('data', (chunk) => (raw += chunk));
  req.on('end', () => {
    const body = raw ? (JSON.parse(raw) as Json) : undefined;
    const token = req.headers[INTERNAL_TOKEN_HEADER] as string | undefined;
    seen.push({ method: req.method!, url: req.url!, token, body, size: raw.length });
    const answer = (status: number, json: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json));
    const url = req.url!;
    if (url.includes(HANGING_BOOKING)) return; // never answers: the gateway must time out
    if (url === '/internal/appointments/lookup') {
      return body?.birthDate === '1950-03-15'
        ? answer(200, { campaignId: body.campaignId, booking: appointment, standby: null })
        : answer(404, problem('NOT_FOUND', 'ไม่พบข้อมูล', 'Nothing matches'));
    }
    if (url.startsWith('/internal/requests/')) {
      // A standby person promoted since: the worker now holds a booking for them.
      return answer(200, { campaignId, booking: appointment, standby: null });
    }
    if (url.endsWith('/cancel'))
      return answer(200, { booking: { ...appointment, status: 'cancelled' }, promoted: true });
    if (url.endsWith('/reschedule'))
      return answer(409, problem('SLOT_FULL', 'รอบเวลาเต็มแล้ว', 'The slot is full'));
    if (url.endsWith('/quota-transfers')) {
      return answer(409, problem('QUOTA_BELOW_BOOKED', 'โควตาต่ำเกินไป', 'A quota cannot go below booked'));
    }
    if (req.method === 'PATCH' || req.method === 'PUT') return answer(200, { ok: true });
    answer(500, { oops: true });
  });
});

beforeAll(async () => {
  await new Promise<void>((resolve) => stub.listen(0, '127.0.0.1', resolve));
  await publishBookingCampaign(redis, namespace, campaignId);
  gateway = await startService('gateway', namespace, {
    GATEWAY_SIGNING_KEY: privateKeyPem(key),
    GATEWAY_SIGNING_KEY_ID: 'test-key',
    WAITING_ROOM_OUTFLOW_PER_MINUTE: '60000',
    WAITING_ROOM_POW_DIFFICULTY: '0',
    WAITING_ROOM_TICK_MS: '200',
    BOOKING_API_URL: `http://127.0.0.1:${(stub.address() as AddressInfo).port}`,
    BOOKING_API_TIMEOUT_MS: '800',
    INTERNAL_API_TOKEN: INTERNAL_TOKEN,
    SELF_SERVICE_PER_CITIZEN_PER_MINUTE: '3',
    SELF_SERVICE_PER_NETWORK_PER_MINUTE: '8',
  });
  base = `http://127.0.0.1:${gateway.port}`;
});

afterAll(async () => {
  const code = await gateway?.stop();
  await queue.obliterate({ force: true });
  await queue.close();
  await deleteNamespace(redis, namespace);
  await closeRedis(redis);
  stub.closeAllConnections();
  await new Promise((resolve) => stub.close(resolve));
  expect(code).toBe(0);
});

let network = 0;
/** Each test its own client network (the gateway trusts X-Forwarded-For from loopback). */
const fromNetwork = () => ({ 'x-forwarded-for': `198.51.100.${++network}` });

function expectProblem(answer: HttpAnswer, status: number, code: string) {
  expect({ status: answer.status, code: answer.body.error?.code }).toEqual({ status, code });
  expect(answer.body.error.message.th).toMatch(/[\u0E00-\u0E7F]/);
}

describe('self-service through the gateway', () => {
  it('looks up with citizen ID and birth date, forwarding them in the body with the internal token', async () => {
    const headers = fromNetwork();
    const citizenId = nextCitizenId();
    const q = `campaignId=${campaignId}&citizenId=${citizenId}&birthDate=1950-03-15`;
    const found = await call('GET', `/api/appointments/lookup?${q}`, { headers });
    expect(found.status).toBe(200);
    expect(found.headers.get('cache-control')).toBe('no-store');
    expect(found.body).toEqual({ campaignId, booking: appointment, standby: null });
    const forwarded = seen.at(-1)!;
    expect(forwarded).toMatchObject({
      method: 'POST',
      url: '/internal/appointments/lookup',
      token: INTERNAL_TOKEN,
    });
    expect(forwarded.body).toEqual({ campaignId, citizenId, birthDate: '1950-03-15' });

    const viaPost = await call('POST', '/api/appointments/lookup', {
      headers,
      body: { campaignId, citizenId, birthDate: '1951-01-01' },
    });
    expectProblem(viaPost, 404, 'NOT_FOUND');

    const before = seen.length;
    const bad = await call(
      'GET',
      `/api/appointments/lookup?campaignId=${campaignId}&citizenId=123&birthDate=x`,
      {
        headers,
      },
    );
    expectProblem(bad, 400, 'INVALID_INPUT');
    expect(Object.keys(bad.body.error.fields).sort()).toEqual(['birthDate', 'citizenId']);
    expect(seen.length).toBe(before);
  });

  it('limits attempts per citizen ID and per network with 429 and Retry-After', async () => {
    const citizenId = nextCitizenId();
    const lookup = (headers: Record<string, string>, id = citizenId) =>
      call('POST', '/api/appointments/lookup', {
        headers,
        body: { campaignId, citizenId: id, birthDate: '1960-01-01' },
      });
    // Per citizen: 3 a minute, from whatever network.
    for (let i = 0; i < 3; i++) expect((await lookup(fromNetwork())).status).toBe(404);
    const limited = await lookup(fromNetwork());
    expectProblem(limited, 429, 'RATE_LIMITED');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);

    // Per network: 8 a minute, whoever asks.
    const headers = fromNetwork();
    for (let i = 0; i < 8; i++) expect((await lookup(headers, nextCitizenId())).status).toBe(404);
    expectProblem(await lookup(headers, nextCitizenId()), 429, 'RATE_LIMITED');
  });

  it('cancels for the resident (citizen ID + birth date) or for staff (token), and refuses a bad token', async () => {
    const citizenId = nextCitizenId();
    const path = `/api/appointments/${BOOKING_ID}/cancel`;
    const resident = await call('POST', path, {
      headers: fromNetwork(),
      body: { citizenId, birthDate: '1950-03-15' },
    });
    expect(resident.status).toBe(200);
    expect(resident.body).toMatchObject({ booking: { status: 'cancelled' }, promoted: true });
    expect(seen.at(-1)).toMatchObject({
      url: `/internal/bookings/${BOOKING_ID}/cancel`,
      body: { citizenId, birthDate: '1950-03-15', actor: 'resident' },
    });

    expect((await call('POST', path, { token: staffToken, body: {} })).status).toBe(200);
    expect(seen.at(-1)!.body).toEqual({ actor: 'staff', operator: 'test-staff' });

    expectProblem(await call('POST', path, { token: 'forged', body: {} }), 401, 'TOKEN_INVALID');
    expectProblem(
      await call('POST', '/api/appointments/not-a-uuid/cancel', { body: {} }),
      400,
      'INVALID_INPUT',
    );
  });

  it("passes the worker's refusal on, and answers 503 with Retry-After when the worker does not answer", async () => {
    const body = { citizenId: nextCitizenId(), birthDate: '1950-03-15', slotId: slotId('SKH', DAY, '10:00') };
    const full = await call('POST', `/api/appointments/${BOOKING_ID}/reschedule`, {
      headers: fromNetwork(),
      body,
    });
    expectProblem(full, 409, 'SLOT_FULL');
    expect(full.body.error.message.en).toBe('The slot is full');

    const stuck = await call('POST', `/api/appointments/${HANGING_BOOKING}/reschedule`, {
      headers: fromNetwork(),
      body: { ...body, citizenId: nextCitizenId() },
    });
    expectProblem(stuck, 503, 'BOOKING_SERVICE_UNAVAILABLE');
    expect(stuck.headers.get('retry-after')).toBe('5');
  });
});

describe('ops routes through the gateway', () => {
  it('loads a campaign file of up to 2 MB with an ops token, and refuses staff, no token or more', async () => {
    const file = { id: campaignId, padding: 'x'.repeat(1_000_000) };
    const path = `/api/admin/campaigns/${campaignId}`;
    const loaded = await call('PUT', path, { token: opsToken, body: file });
    expect(loaded.status).toBe(200);
    expect(seen.at(-1)).toMatchObject({
      method: 'PUT',
      url: `/internal/campaigns/${campaignId}`,
      token: INTERNAL_TOKEN,
    });
    expect(seen.at(-1)!.size).toBeGreaterThan(1_000_000);

    expectProblem(await call('PUT', path, { body: file }), 401, 'TOKEN_MISSING');
    expectProblem(await call('PUT', path, { token: staffToken, body: file }), 403, 'ROLE_FORBIDDEN');
    const tooLarge = await call('PUT', path, {
      token: opsToken,
      body: { ...file, padding: 'x'.repeat(2_200_000) },
    });
    expectProblem(tooLarge, 413, 'BODY_TOO_LARGE');
  });

  it('changes and moves quotas, checking the body first and passing refusals on', async () => {
    const groups = `/api/admin/campaigns/${campaignId}/groups/elderly70`;
    expect((await call('PATCH', groups, { token: opsToken, body: { quota: 50 } })).status).toBe(200);
    expect(seen.at(-1)).toMatchObject({ method: 'PATCH', body: { quota: 50 } });
    const negative = await call('PATCH', groups, { token: opsToken, body: { quota: -1 } });
    expectProblem(negative, 400, 'INVALID_INPUT');
    expect(negative.body.error.fields.quota).toBeDefined();

    const transfer = await call('POST', `/api/admin/campaigns/${campaignId}/quota-transfers`, {
      token: opsToken,
      body: { from: 'elderly70', to: 'disabled', doses: 10 },
    });
    expectProblem(transfer, 409, 'QUOTA_BELOW_BOOKED');
  });
});

describe('slots and standby', () => {
  it("serves a site's published slots, cached briefly, and 404 for a site without any", async () => {
    const slots = await call('GET', `/api/campaigns/${campaignId}/sites/SKH/slots`);
    expect(slots.status).toBe(200);
    expect(slots.headers.get('cache-control')).toBe('public, max-age=5');
    expect(slots.body).toMatchObject({
      siteId: 'SKH',
      slots: [
        { id: slotId('SKH', DAY, '09:00'), remaining: 19 },
        { id: slotId('SKH', DAY, '10:00'), remaining: 19 },
      ],
    });
    expectProblem(await call('GET', `/api/campaigns/${campaignId}/sites/NOPE/slots`), 404, 'NOT_FOUND');
  });

  it('shows a standby person promoted since as confirmed, from the worker', async () => {
    const token = await admittedAccessToken(call, campaignId);
    const { requestId } = (await call('POST', '/api/bookings', { token, body: validBooking() })).body;
    // Stands in for the booking worker: the request ended on the standby list.
    const worker = new Worker(
      queue.name,
      async () => ({
        status: 'standby',
        standby: { standbyId: '0d6c9a4e-2b4f-4f0e-9f6e-8a1b2c3d4e5f', position: 1, siteId: 'SKH' },
      }),
      { connection: bullConnection(), prefix: bullPrefix(namespace) },
    );
    try {
      let answer: HttpAnswer | undefined;
      for (let i = 0; i < 100; i++) {
        answer = await call('GET', `/api/bookings/requests/${requestId}`);
        if (answer.body.status !== 'pending') break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(answer!.body).toEqual({ status: 'confirmed', booking: appointment });
      expect(seen.at(-1)).toMatchObject({
        method: 'GET',
        url: `/internal/requests/${encodeURIComponent(requestId)}`,
      });
    } finally {
      await worker.close();
    }
  });
});
