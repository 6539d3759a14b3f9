import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Queue } from 'bullmq';
import { INTERNAL_TOKEN_HEADER, QUEUES, slotId } from '@khiw/contracts';
import { createPrismaClient } from '@khiw/db';
import { bullPrefix } from '@khiw/redis';
import { createTopics, deleteTopics } from '../../../infra/local/kafka-admin';
import {
  eventually,
  freePort,
  sampleCampaign,
  TEST_DATABASE_URL,
  uniqueNamespace,
} from '../../../test/support/env';
import { startService, type RunningService } from '../../../test/support/services';
import { generateSigningKey, Keyring, privateKeyPem } from '../src/waiting-room/tokens/keyring';
import { QueueTokens } from '../src/waiting-room/tokens/queue-tokens';
import {
  admittedAccessToken,
  bullConnection,
  client,
  DAY,
  decided,
  validBooking,
  type HttpAnswer,
  type Json,
} from './booking-fixtures';
import { closeRedis, deleteNamespace, testRedis } from './waiting-room-fixtures';

/**
 * The ops console's API (issue 12) against the four services as real processes: the
 * overview's figures move with a real booking (waiting room, worker, outbox, Kafka, SMS
 * through Kannel, roster), every replica reports itself, the history fills, each control
 * lands in the audit log with its operator (and still works when the log cannot be written),
 * and bull-board sits behind the ops token or its session cookie.
 */
const namespace = uniqueNamespace('ops');
const campaignId = `ops-${namespace.slice(-6)}`;
const key = generateSigningKey('ops-test');
const tokens = new QueueTokens(new Keyring(key), { ticketTtlSeconds: 3600 });
const opsToken = tokens.signOps({ subject: 'ops-anna', role: 'ops', ttlSeconds: 600 });
const staffToken = tokens.signOps({ subject: 'nurse-1', role: 'staff', ttlSeconds: 600, site: 'SKH' });
const INTERNAL_TOKEN = 'internal-token-for-ops-tests-01234';
const VERSION = 'test-1.2.3';
const redis = testRedis();
const prisma = createPrismaClient(TEST_DATABASE_URL, { poolSize: 2 });
const services: RunningService[] = [];
let base = '';
const call = client(() => base);
const service = (name: string) => services.find((s) => s.name === name)!;

const overview = async (): Promise<Json> => {
  const answer = await call('GET', `/api/admin/ops/overview?campaignId=${campaignId}`, { token: opsToken });
  if (answer.status !== 200) throw new Error(`overview ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
};

function expectProblem(answer: HttpAnswer, status: number, code: string) {
  expect({ status: answer.status, code: answer.body.error?.code }).toEqual({ status, code });
  expect(answer.body.error.message.th).toMatch(/[\u0E00-\u0E7F]/);
}

beforeAll(async () => {
  await createTopics(namespace);
  const worker = await startService('booking-worker', namespace, {
    INTERNAL_API_TOKEN: INTERNAL_TOKEN,
    SNAPSHOT_INTERVAL_MS: '100',
    DATABASE_POOL_SIZE: '4',
  });
  const notificationPort = await freePort();
  services.push(
    worker,
    ...(await Promise.all([
      startService('roster', namespace, { INTERNAL_API_TOKEN: INTERNAL_TOKEN }),
      startService('notification', namespace, {
        PORT: String(notificationPort),
        DLR_BASE_URL: `http://127.0.0.1:${notificationPort}`,
      }),
      startService('gateway', namespace, {
        GATEWAY_SIGNING_KEY: privateKeyPem(key),
        GATEWAY_SIGNING_KEY_ID: 'ops-test',
        KHIW_VERSION: VERSION,
        WAITING_ROOM_OUTFLOW_PER_MINUTE: '60000',
        WAITING_ROOM_POW_DIFFICULTY: '0',
        WAITING_ROOM_TICK_MS: '200',
        BOOKING_API_URL: `http://127.0.0.1:${worker.port}`,
        INTERNAL_API_TOKEN: INTERNAL_TOKEN,
      }),
    ])),
  );
  base = `http://127.0.0.1:${service('gateway').port}`;
  const sample = sampleCampaign(campaignId) as Json;
  const load = await call('PUT', `/api/admin/campaigns/${campaignId}`, {
    token: opsToken,
    body: {
      ...sample,
      sites: (sample.sites as Json[]).slice(0, 2),
      slotGrid: { firstDay: DAY, days: 2, times: ['09:00', '10:00'], capacityPerSlotPerSite: 5 },
    },
  });
  expect({ status: load.status, auditRecorded: load.body.auditRecorded }).toEqual({
    status: 200,
    auditRecorded: true,
  });
});

afterAll(async () => {
  const codes = await Promise.all(services.map(async (s) => [s.name, await s.stop()] as const));
  for (const name of [QUEUES.booking, QUEUES.sms]) {
    const queue = new Queue(name, { connection: bullConnection(), prefix: bullPrefix(namespace) });
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
  }
  await deleteTopics(namespace).catch(() => undefined);
  await deleteNamespace(redis, namespace);
  await closeRedis(redis);
  await prisma.$executeRaw`DELETE FROM booking.ops_audit WHERE campaign_id = ${campaignId}`;
  await prisma.$disconnect();
  expect(Object.fromEntries(codes)).toEqual({
    gateway: 0,
    'booking-worker': 0,
    roster: 0,
    notification: 0,
  });
});

describe('who may use the ops API', () => {
  const routes: Array<[string, string]> = [
    ['GET', `/api/admin/ops/overview?campaignId=${campaignId}`],
    ['GET', `/api/admin/ops/history?campaignId=${campaignId}`],
    ['GET', `/api/admin/campaigns/${campaignId}/audit`],
    ['POST', '/api/admin/ops/session'],
    ['GET', '/ops/queues'],
    ['GET', '/ops/queues/api/queues'],
  ];

  it.each(routes)('%s %s: 401 without a token, 403 with a staff token', async (method, path) => {
    expectProblem(await call(method, path), 401, 'TOKEN_MISSING');
    expectProblem(await call(method, path, { token: staffToken }), 403, 'ROLE_FORBIDDEN');
  });

  it('keeps the worker’s audit log behind the internal token, and its entries to the contract', async () => {
    const url = `http://127.0.0.1:${service('booking-worker').port}/internal/ops/audit`;
    expect((await fetch(`${url}?campaignId=${campaignId}`)).status).toBe(401);
    const bad = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [INTERNAL_TOKEN_HEADER]: INTERNAL_TOKEN },
      body: JSON.stringify({ operator: 'x', action: 'drop.tables', campaignId, detail: {} }),
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 'INVALID_INPUT', fields: { action: expect.any(String) } });
  });

  it('answers 400 for a missing campaign id and 404 for an unknown campaign', async () => {
    expectProblem(await call('GET', '/api/admin/ops/overview', { token: opsToken }), 400, 'INVALID_INPUT');
    const unknown = '/api/admin/ops/overview?campaignId=no-such-campaign';
    expectProblem(await call('GET', unknown, { token: opsToken }), 404, 'CAMPAIGN_NOT_FOUND');
  });
});

describe('the overview', () => {
  it('lists every replica with its version, uptime and readiness, and every dependency ok', async () => {
    const body = await eventually(
      async () => {
        const answer = await overview();
        const ready = new Set((answer.replicas as Json[]).filter((r) => r.ready).map((r) => r.service));
        const allOk = (answer.dependencies as Json[]).every((d) => d.ok);
        return ready.size === 4 && allOk ? answer : undefined;
      },
      30_000,
      'four ready replicas and every dependency ok',
    );
    expect(body.pollAfterMs).toBe(1000);
    expect((body.dependencies as Json[]).map((d) => d.name)).toEqual([
      'redis',
      'postgres',
      'kafka',
      'kannel',
    ]);
    const replicas = body.replicas as Json[];
    expect(replicas.map((r) => r.service).sort()).toEqual([
      'booking-worker',
      'gateway',
      'notification',
      'roster',
    ]);
    for (const replica of replicas) {
      expect(replica).toMatchObject({ ready: true, instance: expect.stringMatching(/-\d+$/) });
      expect(replica.version).toBe(replica.service === 'gateway' ? VERSION : '0.1.0');
      expect(replica.uptimeSeconds).toBeGreaterThanOrEqual(0);
      expect(replica.lastSeenSeconds).toBeLessThan(10);
    }
  });

  it('has figures that move when a resident books through the waiting room', async () => {
    const before = await overview();
    expect(before.campaign).toMatchObject({
      id: campaignId,
      name: { th: expect.any(String) },
      state: 'open',
    });
    expect(before.room).toMatchObject({ campaignId, state: expect.any(String), settings: { paused: false } });
    expect(before.booking.queue).toEqual({ waiting: 0, active: 0, delayed: 0, failed: 0 });
    expect(before.sms.queue).toMatchObject({ waiting: expect.any(Number), failed: expect.any(Number) });
    const skhBefore = (before.doses.sites as Json[]).find((s) => s.id === 'SKH')!;
    expect(skhBefore.days).toEqual([
      { date: '2021-08-02', capacity: 10, remaining: 10 },
      { date: '2021-08-03', capacity: 10, remaining: 10 },
    ]);

    const token = await admittedAccessToken(call, campaignId);
    const submitted = await call('POST', '/api/bookings', {
      token,
      body: validBooking({ provinceCode: '74', slotId: slotId('SKH', DAY, '09:00') }),
    });
    expect(submitted.status).toBe(202);
    expect(await decided(call, submitted.body.requestId as string)).toMatchObject({ status: 'confirmed' });

    const after = await eventually(
      async () => {
        const body = await overview();
        return body.campaign.remainingDoses === before.campaign.remainingDoses - 1 &&
          body.booking.decisionsPerSecond.confirmed > 0
          ? body
          : undefined;
      },
      15_000,
      'the booking in the overview',
    );
    expect(after.room.totals.admitted).toBeGreaterThan(before.room.totals.admitted);
    const group = (o: Json) => (o.doses.groups as Json[]).find((g) => g.code === 'elderly70')!;
    expect(group(after).remaining).toBe(group(before).remaining - 1);
    const skh = (after.doses.sites as Json[]).find((s) => s.id === 'SKH')!;
    expect(skh.remaining).toBe(skhBefore.remaining - 1);
    expect(skh.days[0]).toEqual({ date: '2021-08-02', capacity: 10, remaining: 9 });
    expect(after.booking.decisionsPerSecond).toMatchObject({ standby: 0, rejected: 0 });
    expect(typeof after.booking.outboxAgeSeconds).toBe('number');

    // The booking's SMS goes out through Kannel and the roster applies its event.
    const later = await eventually(
      async () => {
        const body = await overview();
        return body.sms.perMinute.sent > 0 && body.roster.lagSeconds > 0 ? body : undefined;
      },
      30_000,
      'the SMS sent and the roster fed',
    );
    expect(later.sms.oldestUnsentSeconds === null || typeof later.sms.oldestUnsentSeconds === 'number').toBe(
      true,
    );
    expect(later.kafka.consumerLag).toEqual(expect.any(Array));
  });

  it('keeps a history of the last minutes, one point per 2 s sample', async () => {
    const history = await eventually(
      async () => {
        const answer = await call('GET', `/api/admin/ops/history?campaignId=${campaignId}`, {
          token: opsToken,
        });
        return answer.status === 200 && answer.body.points.length >= 3 ? answer.body : undefined;
      },
      15_000,
      'three history points',
    );
    expect(history.stepSeconds).toBe(2);
    expect(Date.parse(history.from)).toBeLessThanOrEqual(Date.now());
    const last = history.points.at(-1) as Json;
    expect(last).toMatchObject({
      waiting: expect.any(Number),
      active: expect.any(Number),
      admittedPerMinute: expect.any(Number),
      bookingQueueWaiting: expect.any(Number),
      decisionsPerSecond: expect.any(Number),
      smsSentPerMinute: expect.any(Number),
    });
    const times = (history.points as Json[]).map((p) => Date.parse(p.t));
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });
});

describe('the audit log', () => {
  const auditOf = async () =>
    (await call('GET', `/api/admin/campaigns/${campaignId}/audit?limit=50`, { token: opsToken })).body
      .entries as Json[];

  it('records each control with the operator’s name, newest first, also in the overview', async () => {
    const paused = await call('PATCH', `/api/admin/campaigns/${campaignId}/waiting-room`, {
      token: opsToken,
      body: { paused: true },
    });
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({ paused: true, auditRecorded: true });
    const moved = await call('POST', `/api/admin/campaigns/${campaignId}/quota-transfers`, {
      token: opsToken,
      body: { from: 'health', to: 'elderly70', doses: 5 },
    });
    expect(moved.body).toMatchObject({ auditRecorded: true });

    const entries = await auditOf();
    expect(entries.slice(0, 2)).toEqual([
      {
        at: expect.any(String),
        operator: 'ops-anna',
        action: 'quota.transfer',
        campaignId,
        detail: { fromGroup: 'health', toGroup: 'elderly70', doses: 5, promoted: 0 },
      },
      {
        at: expect.any(String),
        operator: 'ops-anna',
        action: 'waiting-room.update',
        campaignId,
        detail: { changes: { paused: { before: false, after: true } } },
      },
    ]);
    expect(entries.at(-1)).toMatchObject({ action: 'campaign.load', operator: 'ops-anna' });
    const body = await overview();
    expect(body.room.settings.paused).toBe(true);
    expect((body.audit as Json[]).slice(0, 2).map((e) => e.action)).toEqual([
      'quota.transfer',
      'waiting-room.update',
    ]);

    const resumed = await call('PATCH', `/api/admin/campaigns/${campaignId}/waiting-room`, {
      token: opsToken,
      body: { paused: false },
    });
    expect(resumed.body).toMatchObject({ paused: false, auditRecorded: true });
  });

  it('never blocks a control: with the worker not answering, the change stands and the entry goes to the log', async () => {
    const worker = service('booking-worker').child;
    worker.kill('SIGSTOP');
    let answer: HttpAnswer;
    try {
      answer = await call('PATCH', `/api/admin/campaigns/${campaignId}/waiting-room`, {
        token: opsToken,
        body: { outflowPerMinute: 1234 },
      });
    } finally {
      worker.kill('SIGCONT');
    }
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ outflowPerMinute: 1234, auditRecorded: false });
    const logged = await eventually(
      async () =>
        service('gateway')
          .output()
          .split('\n')
          .find((line) => line.includes('"audit":true') && line.includes('1234')),
      5000,
      'the audit entry in the gateway log',
    );
    expect(JSON.parse(logged)).toMatchObject({
      audit: true,
      operator: 'ops-anna',
      action: 'waiting-room.update',
      campaignId,
      detail: { changes: { outflowPerMinute: { before: 60000, after: 1234 } } },
    });
  });
});

describe('bull-board at /ops/queues', () => {
  it('opens with the session cookie the ops token buys, and lists the booking and sms queues', async () => {
    const session = await call('POST', '/api/admin/ops/session', { token: opsToken });
    expect(session.status).toBe(204);
    const cookie = session.headers.get('set-cookie') ?? '';
    // Max-Age: what is left of the token's 600 s life.
    expect(cookie).toMatch(/^khiw_ops=[^;]+; Max-Age=\d+; Path=\/ops; HttpOnly; SameSite=Strict$/);
    const maxAge = Number(/Max-Age=(\d+)/.exec(cookie)![1]);
    expect(maxAge).toBeGreaterThan(300);
    expect(maxAge).toBeLessThanOrEqual(600);
    const sent = cookie.split(';')[0]!;

    const page = await fetch(`${base}/ops/queues`, { headers: { cookie: sent } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const api = await call('GET', '/ops/queues/api/queues', { headers: { cookie: sent } });
    expect(api.status).toBe(200);
    expect((api.body.queues as Json[]).map((q) => q.name).sort()).toEqual(['booking', 'sms']);
    const bearer = await call('GET', '/ops/queues/api/queues', { token: opsToken });
    expect(bearer.status).toBe(200);

    expectProblem(
      await call('GET', '/ops/queues', { headers: { cookie: 'khiw_ops=forged' } }),
      401,
      'TOKEN_INVALID',
    );
    const ended = await call('DELETE', '/api/admin/ops/session');
    expect(ended.status).toBe(204);
    expect(ended.headers.get('set-cookie')).toMatch(/^khiw_ops=; Max-Age=0; Path=\/ops/);
  });

  it('leaves the console page at /ops/ to the static files', async () => {
    const page = await fetch(`${base}/ops/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
  });
});
