import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Queue } from 'bullmq';
import { QUEUES, type BookingOutcome, type BookingRequestJob } from '@khiw/contracts';
import { createPrismaClient, type PrismaClient } from '@khiw/db';
import { createLogger } from '@khiw/observability';
import { bullPrefix, closeRedis, createRedisClient, type Redis } from '@khiw/redis';
import { fakesmscCodings, readFakesmscMessages, DEFAULT_FAKESMSC_LOG } from '../infra/local/fakesmsc-log';
import { createTopics, deleteTopics } from '../infra/local/kafka-admin';
import { solveProofOfWork } from '../services/gateway/src/waiting-room/proof-of-work';
import {
  generateSigningKey,
  Keyring,
  privateKeyPem,
} from '../services/gateway/src/waiting-room/tokens/keyring';
import { QueueTokens } from '../services/gateway/src/waiting-room/tokens/queue-tokens';
import {
  eventually,
  freePort,
  randomMobile,
  REDIS_URL,
  sampleCampaign,
  TEST_DATABASE_URL,
  uniqueNamespace,
} from './support/env';
import { startService, type RunningService } from './support/services';

/**
 * Issue 11, a migrant worker with a passport, on the whole path (gateway, booking worker,
 * roster, notification; real Redis, PostgreSQL, Kafka, Kannel + fakesmsc): booked through the
 * waiting room on the Burmese page's JSON, looked up, told by a Burmese SMS that reaches
 * fakesmsc as UCS-2; the same passport cannot book twice, however it is typed or whoever
 * enters it; a campaign that takes Thai IDs only refuses a passport.
 */
const namespace = uniqueNamespace('migrant');
const campaignId = `migrant-${namespace.slice(-6)}`;
const thaiOnly = `thai-only-${namespace.slice(-6)}`;
const key = generateSigningKey('migrant-test');
const tokens = new QueueTokens(new Keyring(key), { ticketTtlSeconds: 3600 });
const ops = tokens.signOps({ subject: 'ops', role: 'ops', ttlSeconds: 600 });
const agent = tokens.signOps({ subject: 'somchai', role: 'agent', channel: 'call_center', ttlSeconds: 600 });
const MYANMAR = /[\u1000-\u109F]/;
const services: RunningService[] = [];
let prisma: PrismaClient;
let redis: Redis;
let base = '';

async function call(method: string, path: string, body?: unknown, token?: string) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(body !== undefined && { 'content-type': 'application/json' }),
      ...(token && { authorization: `Bearer ${token}` }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

const grid = { firstDay: '2021-08-02', days: 1, times: ['09:00', '10:00'], capacityPerSlotPerSite: 5 };
const phone = randomMobile();
const worker = {
  passportNumber: 'ma 123 4567',
  nationality: 'mmr',
  firstName: 'အောင်',
  lastName: 'ကျော်',
  birthDate: '1990-04-01',
  phone,
  groupCode: 'disadvantaged',
  siteId: 'SKH',
  slotId: 'SKH-20210802-0900',
  provinceCode: '74',
};

beforeAll(async () => {
  prisma = createPrismaClient(TEST_DATABASE_URL, { poolSize: 2 });
  redis = createRedisClient({
    url: REDIS_URL,
    name: 'test',
    logger: createLogger({ service: 't', level: 'silent' }),
  });
  await createTopics(namespace);
  const notificationPort = await freePort();
  const [worker, roster, notification] = await Promise.all([
    startService('booking-worker', namespace, { SNAPSHOT_INTERVAL_MS: '100' }),
    startService('roster', namespace),
    startService('notification', namespace, {
      PORT: String(notificationPort),
      DLR_BASE_URL: `http://127.0.0.1:${notificationPort}`,
    }),
  ]);
  const gateway = await startService('gateway', namespace, {
    GATEWAY_SIGNING_KEY: privateKeyPem(key),
    GATEWAY_SIGNING_KEY_ID: key.kid,
    WAITING_ROOM_OUTFLOW_PER_MINUTE: '60000',
    WAITING_ROOM_POW_DIFFICULTY: '0',
    WAITING_ROOM_TICK_MS: '200',
    BOOKING_API_URL: `http://127.0.0.1:${worker.port}`,
    ROSTER_API_URL: `http://127.0.0.1:${roster.port}`,
  });
  services.push(gateway, worker, roster, notification);
  base = `http://127.0.0.1:${services[0]!.port}`;
  for (const file of [
    sampleCampaign(campaignId, { slotGrid: grid }),
    sampleCampaign(thaiOnly, {
      slotGrid: grid,
      eligibility: { provinceOfResidence: 'Samut Sakhon', provinceCode: '74', minAgeYears: 18 },
    }),
  ]) {
    const loaded = await call('PUT', `/api/admin/campaigns/${String(file.id)}`, file, ops);
    expect([loaded.status, loaded.body]).toEqual([200, expect.anything()]);
  }
});

afterAll(async () => {
  const codes = await Promise.all(services.map(async (s) => [s.name, await s.stop()] as const));
  await new Queue(QUEUES.booking, { connection: redis, prefix: bullPrefix(namespace) })
    .obliterate({ force: true })
    .catch(() => undefined);
  await deleteTopics(namespace).catch(() => undefined);
  await closeRedis(redis);
  await prisma.$disconnect();
  expect(Object.fromEntries(codes)).toEqual({ gateway: 0, 'booking-worker': 0, roster: 0, notification: 0 });
});

/** Through the waiting room as the page does: challenge, join, status until admitted. */
async function accessToken(): Promise<string> {
  const challenge = await call('GET', `/api/campaigns/${campaignId}/queue/challenge`);
  const joined = await call('POST', `/api/campaigns/${campaignId}/queue`, {
    challenge: challenge.body.challenge,
    nonce: solveProofOfWork(challenge.body.challenge, challenge.body.difficulty),
  });
  expect(joined.status).toBe(201);
  return eventually(
    async () => {
      const status = await call('GET', '/api/queue/status', undefined, joined.body.ticket);
      return status.body.state === 'admitted' ? (status.body.accessToken as string) : undefined;
    },
    20_000,
    'admission',
  );
}

describe('a migrant worker with a passport', () => {
  let bookingId = '';

  it('books through the waiting room, on the Burmese page, under their passport', async () => {
    const submitted = await call('POST', '/api/bookings', { ...worker, language: 'my' }, await accessToken());
    expect(submitted.status).toBe(202);
    const outcome = await eventually(
      async () => {
        const polled = await call('GET', `/api/bookings/requests/${submitted.body.requestId}`);
        return polled.body.status === 'pending' ? undefined : polled.body;
      },
      30_000,
      'decision',
    );
    expect(outcome).toMatchObject({ status: 'confirmed', booking: { siteId: 'SKH' } });
    bookingId = outcome.booking.bookingId;
    const row = await prisma.booking.findUniqueOrThrow({ where: { id: bookingId } });
    expect(row).toMatchObject({
      citizenId: 'P-MMR-MA1234567',
      language: 'my',
      firstName: 'အောင်',
      channel: 'web',
    });
  });

  it('looks the booking up with the passport and birth date', async () => {
    const found = await eventually(
      async () => {
        const answer = await call('POST', '/api/appointments/lookup', {
          campaignId,
          citizenId: 'P-MMR-MA1234567',
          birthDate: worker.birthDate,
        });
        return answer.status === 200 ? answer.body : undefined;
      },
      60_000,
      'look-up',
    );
    expect(found).toMatchObject({ booking: { bookingId, siteId: 'SKH' } });
  });

  it('gets one Burmese SMS, which fakesmsc receives as UCS-2', async () => {
    const messages = await eventually(
      async () => {
        const to = (await readFakesmscMessages()).filter(
          (m) => m.to.endsWith(phone.slice(1)) || m.to === phone,
        );
        return to.length > 0 ? to : undefined;
      },
      60_000,
      'SMS at fakesmsc',
    );
    expect(messages).toHaveLength(1);
    expect(messages[0]!.text).toMatch(MYANMAR);
    const codings = await fakesmscCodings(DEFAULT_FAKESMSC_LOG, messages[0]!.to);
    expect(codings.length).toBeGreaterThanOrEqual(1);
    for (const coding of codings) expect(['ucs-2', 'udh-ucs-2']).toContain(coding);
  });

  it('cannot book a second time with the same passport, however typed or whoever enters it', async () => {
    const again = await call(
      'POST',
      '/api/agent/bookings',
      {
        ...worker,
        campaignId,
        passportNumber: 'MA-1234567',
        nationality: 'MMR',
        slotId: 'SKH-20210802-1000',
      },
      agent,
    );
    // The same person's request is the same job: their booking, not a second one.
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ created: false, booking: { bookingId } });
    // And the engine itself, given another request for the passport, refuses it.
    const queue = new Queue(QUEUES.booking, { connection: redis, prefix: bullPrefix(namespace) });
    const job: BookingRequestJob = {
      schemaVersion: 1,
      requestId: `${campaignId}.another-request-of-the-same-passport`,
      campaignId,
      citizenId: 'P-MMR-MA1234567',
      firstName: worker.firstName,
      lastName: worker.lastName,
      birthDate: worker.birthDate,
      phone: randomMobile(),
      groupCode: worker.groupCode,
      siteId: 'KTB',
      slotId: 'KTB-20210802-1000',
      provinceCode: '74',
      channel: 'walk_in',
      enteredBy: 'agent:desk-1',
      submittedAt: new Date().toISOString(),
    };
    await queue.add('request', job, { jobId: job.requestId });
    const outcome = await eventually(
      async () => ((await queue.getJob(job.requestId))?.returnvalue as BookingOutcome | null) ?? undefined,
      20_000,
      'engine decision',
    );
    await queue.close();
    expect(outcome).toEqual({ status: 'rejected', reason: 'ALREADY_BOOKED' });
    expect(await prisma.booking.count({ where: { citizenId: 'P-MMR-MA1234567', campaignId } })).toBe(1);
  });

  it('is refused, with the field marked and nothing booked, where the campaign takes Thai IDs only', async () => {
    const refused = await call('POST', '/api/agent/bookings', { ...worker, campaignId: thaiOnly }, agent);
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('INVALID_INPUT');
    expect(refused.body.error.fields.passportNumber.en).toMatch(/does not take passports/);
    const badPassport = await call(
      'POST',
      '/api/agent/bookings',
      { ...worker, campaignId, nationality: 'MYANMAR' },
      agent,
    );
    expect(Object.keys(badPassport.body.error.fields)).toEqual(['nationality']);
    expect(await prisma.booking.count({ where: { campaignId: thaiOnly } })).toBe(0);
  });
});
