import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createPrismaClient } from '@khiw/db';
import { closeRedis } from '@khiw/redis';
import {
  admittedAccessToken,
  bookingQueue,
  client,
  decided,
  jobTotal,
} from '../../services/gateway/test/booking-fixtures';
import { deleteNamespace, testRedis } from '../../services/gateway/test/waiting-room-fixtures';
import {
  generateSigningKey,
  Keyring,
  privateKeyPem,
} from '../../services/gateway/src/waiting-room/tokens/keyring';
import { QueueTokens } from '../../services/gateway/src/waiting-room/tokens/queue-tokens';
import {
  newCampaignId,
  person,
  slot,
  tinyCampaign,
} from '../../services/booking-worker/test/worker-fixtures';
import { createTopics, deleteTopics } from '../../infra/local/kafka-admin';
import { eventually, TEST_DATABASE_URL, uniqueNamespace } from '../support/env';
import { startService, type RunningService } from '../support/services';
import { gatewayEndpoints, type GatewayFixtures } from './gateway-endpoints';
import { sha256Hex } from '../../services/gateway/src/partners/partner-registry';
import { countCreated, type Created, watchAssisted, watchImport, writeReport } from './fuzz-counts';
import {
  FUZZ_ONLY,
  FUZZ_TEST_TIMEOUT_MS,
  fuzzEndpoint,
  replayHint,
  sendOnce,
  summary,
  violation,
  type FuzzOutcome,
  type FuzzRequest,
} from './fuzz-client';
import { unreadableBodies } from './known-inputs';

/**
 * Issue 13, item 2: every public, staff and ops route of the REAL gateway (with the real
 * booking worker and roster behind it) gets FUZZ_RUNS generated requests (default 10,000;
 * FUZZ_SEED replays). Invariants: no 5xx but a 503 with Retry-After, every 4xx/5xx the
 * JSON envelope, and nothing created by a refused request (queue places, booking jobs,
 * booking and standby rows, registry rows counted before and after each route).
 */
const INTERNAL_TOKEN = 'internal-token-for-fuzz-0123456789';
const PARTNER = { id: 'fuzz-store', secret: 'pk_fuzz-partner-secret-0123456789' };
const namespace = uniqueNamespace('fuzz-gw');
const key = generateSigningKey('fuzz-key');
const tokens = new QueueTokens(new Keyring(key), { ticketTtlSeconds: 3600 });
const redis = testRedis();
const prisma = createPrismaClient(TEST_DATABASE_URL, { poolSize: 2 });
const queue = bookingQueue(namespace);
const services: RunningService[] = [];
const outcomes: FuzzOutcome[] = [];
let gatewayPort = 0;
let fixtures: GatewayFixtures;
const started = Date.now();

beforeAll(async () => {
  const internal = { INTERNAL_API_TOKEN: INTERNAL_TOKEN, DATABASE_POOL_SIZE: '4' };
  await createTopics(namespace);
  const worker = await startService('booking-worker', namespace, {
    ...internal,
    OUTBOX_RELAY_ENABLED: 'false',
    SNAPSHOT_INTERVAL_MS: '100',
  });
  services.push(worker);
  const roster = await startService('roster', namespace, {
    ...internal,
    KAFKA_CLIENT_ID: `${namespace}-roster`,
  });
  services.push(roster);
  const gateway = await startService('gateway', namespace, {
    GATEWAY_SIGNING_KEY: privateKeyPem(key),
    GATEWAY_SIGNING_KEY_ID: 'fuzz-key',
    WAITING_ROOM_OUTFLOW_PER_MINUTE: '60000',
    WAITING_ROOM_POW_DIFFICULTY: '0',
    WAITING_ROOM_TICK_MS: '200',
    BOOKING_API_URL: `http://127.0.0.1:${worker.port}`,
    ROSTER_API_URL: `http://127.0.0.1:${roster.port}`,
    INTERNAL_API_TOKEN: INTERNAL_TOKEN,
    PARTNERS: JSON.stringify([
      { id: PARTNER.id, channel: 'store', keys: [{ kid: 'fuzz-1', sha256: sha256Hex(PARTNER.secret) }] },
    ]),
    // Quiet logs: 10,000 refusals per route would be megabytes of test output to keep.
    LOG_LEVEL: 'warn',
  });
  services.push(gateway);
  gatewayPort = gateway.port;
  fixtures = await prepare(client(() => `http://127.0.0.1:${gateway.port}`));
}, 120_000);

afterAll(async () => {
  const codes = [];
  for (const service of services.reverse()) codes.push(await service.stop());
  await prisma.$executeRaw`DELETE FROM booking.registry_vaccinated WHERE imported_at >= ${new Date(started)}`;
  await queue.obliterate({ force: true });
  await queue.close();
  await deleteNamespace(redis, namespace);
  await deleteTopics(namespace);
  await closeRedis(redis);
  await prisma.$disconnect();
  writeReport('gateway', outcomes, Date.now() - started);
  expect(codes.every((code) => code === 0)).toBe(true);
}, 120_000);

/** A resident's way in: a ticket, then (POW off, fast outflow) an access token. */
async function prepare(call: ReturnType<typeof client>): Promise<GatewayFixtures> {
  const campaignId = newCampaignId('fuzz');
  const adminCampaignId = newCampaignId('fuzz-admin');
  const adminCampaignFile = tinyCampaign(adminCampaignId);
  const opsToken = tokens.signOps({ subject: 'fuzz-ops', role: 'ops', ttlSeconds: 7200 });
  for (const file of [
    tinyCampaign(campaignId, { capacity: 20, totalDoses: 40, quotas: [20, 20] }),
    adminCampaignFile,
  ]) {
    const loaded = await call('PUT', `/api/admin/campaigns/${String(file.id)}`, {
      token: opsToken,
      body: file,
    });
    if (loaded.status !== 200)
      throw new Error(`campaign load: ${loaded.status} ${JSON.stringify(loaded.body)}`);
  }
  const accessTokens: string[] = [];
  for (let i = 0; i < 4; i++) accessTokens.push(await admittedAccessToken(call, campaignId));
  const challenges: string[] = [];
  const tickets: string[] = [];
  for (let i = 0; i < 3; i++) {
    const { body } = await call('GET', `/api/campaigns/${campaignId}/queue/challenge`);
    challenges.push(body.challenge as string);
    const joined = await call('POST', `/api/campaigns/${campaignId}/queue`, {
      body: { challenge: body.challenge, nonce: '0' },
    });
    tickets.push(joined.body.ticket as string);
  }
  for (let i = 0; i < 20; i++) {
    const { body } = await call('GET', `/api/campaigns/${campaignId}/queue/challenge`);
    challenges.push(body.challenge as string);
  }
  // An organisation with a cap, so its uploads run (the rows are random: few book).
  const capped = await call('PUT', `/api/admin/campaigns/${campaignId}/organisations/fuzz-org`, {
    token: opsToken,
    body: { name: 'fuzz', cap: 5 },
  });
  if (capped.status !== 200) throw new Error(`organisation cap: ${capped.status}`);
  const organisationToken = tokens.signOps({
    subject: 'fuzz-org',
    role: 'organisation',
    campaign: campaignId,
    ttlSeconds: 7200,
  });
  // One real booking: look-up, cancel and reschedule find someone.
  const who = person();
  const submitted = await call('POST', '/api/bookings', {
    token: accessTokens[0],
    body: {
      ...who,
      phone: '081-234-5678',
      groupCode: 'g1',
      siteId: 'SKH',
      slotId: slot('SKH'),
      provinceCode: '74',
    },
  });
  if (submitted.status !== 202)
    throw new Error(`booking: ${submitted.status} ${JSON.stringify(submitted.body)}`);
  const outcome = await decided(call, submitted.body.requestId as string);
  return {
    campaignId,
    adminCampaignId,
    adminCampaignFile,
    opsToken,
    staffToken: tokens.signOps({ subject: 'fuzz-staff', role: 'staff', ttlSeconds: 7200 }),
    siteStaffToken: tokens.signOps({ subject: 'fuzz-skh', role: 'staff', site: 'SKH', ttlSeconds: 7200 }),
    accessTokens,
    tickets,
    challenges,
    bookingId: (outcome.booking as { bookingId: string }).bookingId,
    person: { citizenId: who.citizenId, birthDate: who.birthDate },
    slotId: slot('SKH'),
    agentToken: tokens.signOps({
      subject: 'fuzz-agent',
      role: 'agent',
      channel: 'call_center',
      ttlSeconds: 7200,
    }),
    organisationToken,
    partner: PARTNER,
  };
}

/** 5xx answers (but 503) the worker and roster gave the gateway, as its log tells them. */
const upstreamFailures = (): number =>
  (
    services
      .at(-1)
      ?.output()
      .match(/"status":50[0-24-9][^}]{0,80}upstream answered with an error/g) ?? []
  ).length;

const created = (): Promise<Created> =>
  countCreated({ prisma, redis, namespace, jobs: () => jobTotal(queue) });

// Names only, to declare one test per route; the real fixtures exist once beforeAll ran.
const names = gatewayEndpoints(placeholderFixtures()).map((e) => e.name);

describe('inputs the fuzz found', () => {
  it('answers each with a 4xx in the envelope, not a 500 or an HTML page', async () => {
    const cases: [FuzzRequest, number][] = [
      ...unreadableBodies('/api/bookings', { authorization: `Bearer ${fixtures.accessTokens[1]!}` }),
      ...unreadableBodies(`/api/campaigns/${fixtures.campaignId}/queue`),
      ...unreadableBodies('/api/appointments/lookup'),
    ].map((request) => [request, 400]);
    const ops = { authorization: `Bearer ${fixtures.opsToken}` };
    cases.push([{ method: 'GET', path: '/ops/queues/nope/nothing', headers: ops }, 404]);
    cases.push([{ method: 'GET', path: '/ops/queues/api/queues?x=%ED%A0%BD', headers: ops }, 400]);
    for (const [request, status] of cases) {
      const answer = await sendOnce(gatewayPort, request);
      const got = 'status' in answer ? answer.status : answer.error;
      expect({ request, got, broken: violation('gateway', request, answer) }).toEqual({
        request,
        got: status,
        broken: undefined,
      });
    }
  });
});

describe('fuzzing the gateway', () => {
  for (const name of names.filter((n) => !FUZZ_ONLY || n.includes(FUZZ_ONLY))) {
    it(
      `${name}: no 5xx, the envelope, nothing created by a refusal`,
      async () => {
        const endpoint = gatewayEndpoints(fixtures).find((e) => e.name === name)!;
        const inserted = name.includes('registry/vaccinated') ? watchImport(endpoint) : () => 0;
        const queued = name === 'POST /api/agent/bookings' ? watchAssisted(endpoint) : () => 0;
        const upstreamBefore = upstreamFailures();
        const before = await created();
        const outcome = await fuzzEndpoint(gatewayPort, endpoint);
        outcomes.push(outcome);
        // Booking jobs a 202 queued are decided before the rows are counted.
        await eventually(
          async () => (await queue.getWaitingCount()) + (await queue.getActiveCount()) === 0 || undefined,
          30_000,
          'booking queue drained',
        );
        const after = await created();
        process.stdout.write(`${summary(outcome)}\n`);
        const accepted = (status: string) => outcome.statuses[status] ?? 0;
        expect({ failures: outcome.failures, replay: replayHint(outcome) }).toEqual({
          failures: [],
          replay: replayHint(outcome),
        });
        // A queue place only from a join answered 201; a booking job and its rows only from a 202.
        expect(after.places - before.places).toBeLessThanOrEqual(
          name.endsWith('/queue') ? accepted('201') : 0,
        );
        // An agent's or an organisation's valid booking is answered 201/200 (or 202): those may book.
        // An agent's request the engine refused (the slot filled, already booked) was a job too.
        const booked =
          name === 'POST /api/bookings'
            ? accepted('202')
            : name === 'POST /api/agent/bookings'
              ? accepted('201') + accepted('202')
              : name === 'POST /api/organisation/uploads'
                ? 5 // its cap, whatever the uploads
                : 0;
        const jobs = name === 'POST /api/agent/bookings' ? queued() : booked;
        expect(after.jobs - before.jobs).toBeLessThanOrEqual(jobs);
        expect(after.bookingRows - before.bookingRows).toBeLessThanOrEqual(booked);
        expect(after.registryRows - before.registryRows).toBe(inserted());
        // The gateway answers a worker's or roster's 500 with a 503: the fuzz still counts it.
        expect(upstreamFailures() - upstreamBefore).toBe(0);
      },
      FUZZ_TEST_TIMEOUT_MS,
    );
  }
});

function placeholderFixtures(): GatewayFixtures {
  const x = 'x';
  return {
    campaignId: x,
    adminCampaignId: x,
    adminCampaignFile: {},
    opsToken: x,
    staffToken: x,
    siteStaffToken: x,
    accessTokens: [x],
    tickets: [x],
    challenges: [x],
    bookingId: x,
    person: { citizenId: x, birthDate: x },
    slotId: x,
    agentToken: x,
    organisationToken: x,
    partner: { id: x, secret: x },
  };
}
