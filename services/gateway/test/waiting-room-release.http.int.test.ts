import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually, uniqueNamespace } from '../../../test/support/env';
import { startService, type RunningService } from '../../../test/support/services';
import { generateSigningKey, Keyring, privateKeyPem } from '../src/waiting-room/tokens/keyring';
import { QueueTokens } from '../src/waiting-room/tokens/queue-tokens';
import {
  bookingQueue,
  client,
  publishBookingCampaign,
  validBooking,
  type HttpAnswer,
  type Json,
} from './booking-fixtures';
import { closeRedis, deleteNamespace, testRedis } from './waiting-room-fixtures';

/**
 * Issue 14: "with outflow 600/min and maxActive 1,000, admissions ran at ~250/min": a
 * resident who had booked kept their active place for the whole access lifetime. Against a
 * real gateway process and Redis: people who book once and leave free their place after the
 * family grace, so admission keeps flowing with a small maxActive; the booking page's
 * `POST /api/queue/release` frees it at once; a family booking within the grace still works.
 */
const namespace = uniqueNamespace('wrrelease');
const key = generateSigningKey('test-key');
const tokens = new QueueTokens(new Keyring(key), { ticketTtlSeconds: 3600 });
const opsToken = tokens.signOps({ subject: 'test-ops', role: 'ops', ttlSeconds: 600 });
const redis = testRedis();
const queue = bookingQueue(namespace);
let gateway: RunningService;
let base = '';
const call = client(() => base);
let seq = 0;

beforeAll(async () => {
  gateway = await startService('gateway', namespace, {
    GATEWAY_SIGNING_KEY: privateKeyPem(key),
    GATEWAY_SIGNING_KEY_ID: 'test-key',
    WAITING_ROOM_OUTFLOW_PER_MINUTE: '0',
    WAITING_ROOM_POW_DIFFICULTY: '0',
    WAITING_ROOM_TICK_MS: '200',
    // The access lifetime stays the default 10 minutes: nothing here may wait for it.
    WAITING_ROOM_ACCESS_TTL_SECONDS: '600',
    WAITING_ROOM_JOINS_PER_NETWORK_PER_MINUTE: '0',
    BOOKING_API_URL: 'http://127.0.0.1:9',
  });
  base = `http://127.0.0.1:${gateway.port}`;
});

afterAll(async () => {
  const code = await gateway?.stop();
  await queue.obliterate({ force: true });
  await queue.close();
  await deleteNamespace(redis, namespace);
  await closeRedis(redis);
  expect(code).toBe(0);
});

/** A campaign whose room has `settings`, and `people` tickets joined before the flow opens. */
async function room(people: number, settings: Json): Promise<{ campaignId: string; tickets: string[] }> {
  const campaignId = `wrr-${namespace.slice(-6)}-${++seq}`;
  await publishBookingCampaign(redis, namespace, campaignId);
  const closed = await call('PATCH', `/api/admin/campaigns/${campaignId}/waiting-room`, {
    token: opsToken,
    body: { outflowPerMinute: 0 },
  });
  expect(closed.status).toBe(200);
  const tickets: string[] = [];
  for (let i = 0; i < people; i++) {
    const joined = await call('POST', `/api/campaigns/${campaignId}/queue`, { body: {} });
    expect(joined.status).toBe(201);
    tickets.push(joined.body.ticket as string);
  }
  const opened = await call('PATCH', `/api/admin/campaigns/${campaignId}/waiting-room`, {
    token: opsToken,
    body: settings,
  });
  expect(opened.body).toMatchObject(settings);
  return { campaignId, tickets };
}

function expectProblem(answer: HttpAnswer, status: number, code: string) {
  expect({ status: answer.status, code: answer.body.error?.code }).toEqual({ status, code });
  expect(answer.body.error.message.th).toMatch(/[\u0E00-\u0E7F]/);
}

const statusOf = (ticket: string) => call('GET', '/api/queue/status', { token: ticket });
const submit = (token: string, body: Json) => call('POST', '/api/bookings', { token, body });
const release = (token: string | undefined, body: Json = {}) =>
  call('POST', '/api/queue/release', { token, body });
const stats = async (campaignId: string) =>
  (await call('GET', `/api/admin/campaigns/${campaignId}/stats`, { token: opsToken })).body;

/** Polls as the queue page does (here every 250 ms) until admitted; the access token. */
const admitted = (ticket: string, timeoutMs = 20_000) =>
  eventually(
    async () => {
      const { body } = await statusOf(ticket);
      return body.state === 'admitted' ? (body.accessToken as string) : undefined;
    },
    timeoutMs,
    'admission',
    250,
  );

describe('an active place is released when its booking is decided', () => {
  it('keeps admitting past maxActive while people book once and leave, long before any access expires', async () => {
    const people = 60;
    const { campaignId, tickets } = await room(people, {
      outflowPerMinute: 600,
      maxActive: 20,
      familyGraceSeconds: 1,
    });
    let mostActive = 0;
    const watching = setInterval(() => {
      void stats(campaignId).then((s: Json) => (mostActive = Math.max(mostActive, Number(s.active))));
    }, 300);
    try {
      // Each resident books one person as soon as they are in, then closes the page.
      await Promise.all(
        tickets.map(async (ticket) => {
          const token = await admitted(ticket, 40_000);
          expect((await submit(token, validBooking())).status).toBe(202);
        }),
      );
    } finally {
      clearInterval(watching);
    }
    const after = await stats(campaignId);
    expect(after.totals.admitted).toBe(people);
    expect(after.abandoned.expiredAccess).toBe(0);
    expect(mostActive).toBeLessThanOrEqual(20);
    // At least everyone beyond the first 20 got in on a place freed by a grace running out.
    await eventually(async () => (await stats(campaignId)).freedAfterBooking.afterGrace === people, 10_000);
  });

  it('frees the place at once on POST /api/queue/release, and answers 204 again', async () => {
    const { campaignId, tickets } = await room(2, {
      outflowPerMinute: 60_000,
      maxActive: 1,
      familyGraceSeconds: 120,
    });
    const token = await admitted(tickets[0]!);
    const person = validBooking();
    expect((await submit(token, person)).status).toBe(202);
    // Booked, within the grace: the place is held, the next resident waits.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect((await statusOf(tickets[1]!)).body).toMatchObject({ state: 'waiting', position: 1 });

    const first = await release(token, { campaignId });
    expect(first.status).toBe(204);
    expect(first.headers.get('cache-control')).toBe('no-store');
    await admitted(tickets[1]!, 5_000);
    expect((await release(token)).status).toBe(204);
    expect((await stats(campaignId)).freedAfterBooking).toEqual({ total: 1, released: 1, afterGrace: 0 });

    // Done means done: nobody new on this token; the same person's resubmit still answers.
    expectProblem(await submit(token, validBooking()), 403, 'ACCESS_EXPIRED');
    expect((await submit(token, person)).status).toBe(202);
  });

  it('refuses a release without an access token, or with a ticket', async () => {
    const { tickets } = await room(1, { outflowPerMinute: 60_000, maxActive: 1 });
    expectProblem(await release(undefined), 401, 'TOKEN_MISSING');
    expectProblem(await release(tickets[0]!), 403, 'TOKEN_WRONG_TYPE');
  });

  it('lets a family book within the grace, each booking keeping the place a little longer', async () => {
    const { campaignId, tickets } = await room(1, {
      outflowPerMinute: 60_000,
      maxActive: 1,
      familyGraceSeconds: 120,
    });
    const token = await admitted(tickets[0]!);
    for (let i = 0; i < 3; i++) expect((await submit(token, validBooking())).status).toBe(202);
    const now = await stats(campaignId);
    expect(now.inBookingForm).toBe(1);
    expect(now.freedAfterBooking.total).toBe(0);
    expect(now.settings.familyGraceSeconds).toBe(120);
  });
});
