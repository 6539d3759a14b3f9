import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { INTERNAL_TOKEN_HEADER } from '@khiw/contracts';
import { createPrismaClient } from '@khiw/db';
import { closeRedis } from '@khiw/redis';
import { createTopics, deleteTopics } from '../../infra/local/kafka-admin';
import {
  book,
  bookingJob,
  bookingQueue,
  newCampaignId,
  person,
  slot,
  tinyCampaign,
} from '../../services/booking-worker/test/worker-fixtures';
import { deleteNamespace, testRedis } from '../../services/gateway/test/waiting-room-fixtures';
import { TEST_DATABASE_URL, uniqueNamespace } from '../support/env';
import { startService, type RunningService } from '../support/services';
import { requestOf, type RequestShape } from './request-arbitraries';
import { csvBody } from './csv-arbitraries';
import {
  FUZZ_ONLY,
  FUZZ_TEST_TIMEOUT_MS,
  fuzzEndpoint,
  replayHint,
  sendOnce,
  summary,
  violation,
  type Endpoint,
  type FuzzOutcome,
  type FuzzRequest,
} from './fuzz-client';
import { unreadableBodies } from './known-inputs';
import { countCreated, watchImport, writeReport } from './fuzz-counts';

/**
 * Issue 13, item 2, behind the gateway: the booking worker's /internal API (self-service,
 * request state, campaign set-up, quotas, the ops audit log, the registry CSV import) and the
 * roster's (look-up fast path, day lists, search, check-in, counts, exports), each with
 * FUZZ_RUNS generated requests. An internal problem is `{ code, fields? }`; the same
 * invariants as the gateway's fuzz: no 5xx but a 503 with Retry-After, nothing created by a
 * refusal (booking and standby rows, registry rows, audit entries).
 */
const TOKEN = 'internal-token-for-fuzz-internal-42';
const namespace = uniqueNamespace('fuzz-int');
const redis = testRedis();
const prisma = createPrismaClient(TEST_DATABASE_URL, { poolSize: 2 });
const queue = bookingQueue(namespace);
const services: Record<string, RunningService> = {};
const outcomes: FuzzOutcome[] = [];
const started = Date.now();
const campaignId = newCampaignId('fuzz-int');
const who = person();
let bookingId = '';

beforeAll(async () => {
  await createTopics(namespace);
  const env = { INTERNAL_API_TOKEN: TOKEN, DATABASE_POOL_SIZE: '4', LOG_LEVEL: 'warn' };
  services.worker = await startService('booking-worker', namespace, {
    ...env,
    OUTBOX_RELAY_ENABLED: 'false',
    SNAPSHOT_INTERVAL_MS: '100',
  });
  services.roster = await startService('roster', namespace, {
    ...env,
    KAFKA_CLIENT_ID: `${namespace}-roster`,
  });
  const loaded = await fetch(`http://127.0.0.1:${services.worker.port}/internal/campaigns/${campaignId}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', [INTERNAL_TOKEN_HEADER]: TOKEN },
    body: JSON.stringify(tinyCampaign(campaignId)),
  });
  if (loaded.status !== 200) throw new Error(`campaign load: ${loaded.status} ${await loaded.text()}`);
  const outcome = await book(
    queue,
    bookingJob(campaignId, who, { groupCode: 'g1', siteId: 'SKH', slotId: slot('SKH') }),
  );
  if (outcome.status !== 'confirmed') throw new Error(`booking: ${JSON.stringify(outcome)}`);
  bookingId = outcome.booking.bookingId;
}, 120_000);

afterAll(async () => {
  const codes = [];
  for (const service of Object.values(services).reverse()) codes.push(await service.stop());
  await prisma.$executeRaw`DELETE FROM booking.registry_vaccinated WHERE imported_at >= ${new Date(started)}`;
  await queue.obliterate({ force: true });
  await queue.close();
  await deleteNamespace(redis, namespace);
  await deleteTopics(namespace);
  await closeRedis(redis);
  await prisma.$disconnect();
  writeReport('internal', outcomes, Date.now() - started);
  expect(codes.every((code) => code === 0)).toBe(true);
}, 120_000);

type Service = 'worker' | 'roster';
const UUID = '00000000-0000-4000-8000-000000000000';
const token = {
  [INTERNAL_TOKEN_HEADER]: fc.oneof(
    { weight: 8, arbitrary: fc.constant(TOKEN) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        undefined,
        '',
        TOKEN.slice(1),
        `${TOKEN} `,
        TOKEN.toUpperCase(),
        'x'.repeat(5000),
      ),
    },
  ),
};

/** The routes, by service; path values and bodies valid where the fixtures allow. */
function internalEndpoints(): [Service, Endpoint][] {
  const identity = { citizenId: who.citizenId, birthDate: who.birthDate };
  const campaigns = [campaignId, 'no-such-campaign'];
  const bookings = [bookingId || UUID, UUID];
  const ep = (service: Service, name: string, shape: Omit<RequestShape, 'headers'>): [Service, Endpoint] => [
    service,
    { name: `${service} ${name}`, envelope: 'internal', request: requestOf({ ...shape, headers: token }) },
  ];
  const MB2 = 2 * 1024 * 1024;
  const site = ['/internal/campaigns/', campaigns, '/sites/', ['SKH', 'KTB', 'NOPE']];
  return [
    ep('worker', 'POST /internal/appointments/lookup', {
      method: 'POST',
      path: ['/internal/appointments/lookup'],
      body: { valid: { campaignId, ...identity }, limitBytes: MB2 },
    }),
    ep('worker', 'GET /internal/requests/:id', {
      method: 'GET',
      path: ['/internal/requests/', [`${campaignId}.x`, UUID]],
    }),
    ep('worker', 'POST /internal/bookings/:id/cancel', {
      method: 'POST',
      path: ['/internal/bookings/', bookings, '/cancel'],
      body: { valid: { actor: 'staff', operator: 'fuzz', site: 'KTB', campaignId }, limitBytes: MB2 },
    }),
    ep('worker', 'POST /internal/bookings/:id/reschedule', {
      method: 'POST',
      path: ['/internal/bookings/', bookings, '/reschedule'],
      body: { valid: { ...identity, birthDate: '1900-01-01', slotId: slot('KTB') }, limitBytes: MB2 },
    }),
    ep('worker', 'PUT /internal/campaigns/:id', {
      method: 'PUT',
      path: ['/internal/campaigns/', [campaignId]],
      body: { valid: tinyCampaign(campaignId), limitBytes: MB2 },
    }),
    ep('worker', 'PATCH /internal/campaigns/:id/groups/:code', {
      method: 'PATCH',
      path: ['/internal/campaigns/', campaigns, '/groups/', ['g1', 'g2', 'zz']],
      body: { valid: { quota: 2 }, limitBytes: MB2 },
    }),
    ep('worker', 'POST /internal/campaigns/:id/quota-transfers', {
      method: 'POST',
      path: ['/internal/campaigns/', campaigns, '/quota-transfers'],
      body: { valid: { from: 'g1', to: 'g2', doses: 0 }, limitBytes: MB2 },
    }),
    ep('worker', 'PUT /internal/campaigns/:id/organisations/:org', {
      method: 'PUT',
      path: ['/internal/campaigns/', campaigns, '/organisations/', ['fuzz-org', 'a.b-c', '..']],
      body: { valid: { name: 'บริษัทฟัซ', cap: 10 }, limitBytes: MB2 },
    }),
    ep('worker', 'GET /internal/campaigns/:id/organisations/:org', {
      method: 'GET',
      path: ['/internal/campaigns/', campaigns, '/organisations/', ['fuzz-org', 'nobody']],
    }),
    ep('worker', 'POST /internal/ops/audit', {
      method: 'POST',
      path: ['/internal/ops/audit'],
      body: {
        valid: {
          operator: 'fuzz',
          action: 'quota.set',
          campaignId: 'no-such-campaign',
          detail: { quota: 1 },
        },
        limitBytes: 64 * 1024,
      },
    }),
    ep('worker', 'GET /internal/ops/audit', {
      method: 'GET',
      path: ['/internal/ops/audit'],
      query: { campaignId: campaigns, limit: ['1', '200'] },
    }),
    [
      'worker',
      {
        name: 'worker POST /internal/registry/vaccinated',
        envelope: 'internal',
        request: requestOf({
          method: 'POST',
          path: ['/internal/registry/vaccinated'],
          query: { source: ['fuzz-import'], mode: ['skip-bad', 'all-or-nothing'] },
          rawBody: csvBody,
          headers: token,
        }),
      },
    ],
    ep('roster', 'POST /internal/lookup (fast path)', {
      method: 'POST',
      path: ['/internal/lookup'],
      body: { valid: { campaignId, ...identity }, limitBytes: 8 * 1024 },
    }),
    ep('roster', 'GET /internal/campaigns/:id/sites/:site/roster', {
      method: 'GET',
      path: [...site, '/roster'],
      query: { date: ['2021-08-02'], q: ['สมชาย', '3'] },
    }),
    ep('roster', 'GET /internal/campaigns/:id/sites/:site/roster.csv', {
      method: 'GET',
      path: [...site, '/roster.csv'],
      query: { date: ['2021-08-02'] },
    }),
    ep('roster', 'POST /internal/bookings/:id/check-in', {
      method: 'POST',
      path: ['/internal/bookings/', [UUID], '/check-in'],
      body: { valid: { campaignId, siteId: 'SKH', operator: 'ops:fuzz' }, limitBytes: 8 * 1024 },
    }),
    ep('roster', 'GET /internal/campaigns/:id/counts', {
      method: 'GET',
      path: ['/internal/campaigns/', campaigns, '/counts'],
    }),
    ep('roster', 'GET /internal/campaigns/:id/registry-export.csv', {
      method: 'GET',
      path: ['/internal/campaigns/', campaigns, '/registry-export.csv'],
      query: { status: ['checked_in'] },
    }),
  ];
}

const auditRows = async () =>
  Number((await prisma.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM booking.ops_audit`)[0]!.n);

describe('inputs the fuzz found', () => {
  it('answers each with a 4xx in the envelope, not a 500 or an HTML page', async () => {
    const headers = { [INTERNAL_TOKEN_HEADER]: TOKEN, 'content-type': 'application/json' };
    const body = (value: unknown) => ({ kind: 'bytes', data: Buffer.from(JSON.stringify(value)) }) as const;
    // JSON.parse makes an own `__proto__` key of this text (an object literal would not).
    const jsonText = (file: Record<string, unknown>) =>
      ({
        kind: 'bytes',
        data: Buffer.from(JSON.stringify(file).replace(/^\{/, '{"__proto__":null,')),
      }) as const;
    const file = { ...tinyCampaign(campaignId), _note: 'a\u0000b', name: { th: '\ud800', en: 'x' } };
    const cases: [Service, FuzzRequest, number][] = [
      ...unreadableBodies('/internal/appointments/lookup', headers).map(
        (r): [Service, FuzzRequest, number] => ['worker', r, 400],
      ),
      ...unreadableBodies(`/internal/bookings/${UUID}/check-in`, headers).map(
        (r): [Service, FuzzRequest, number] => ['roster', r, 400],
      ),
      ['worker', { method: 'GET', path: '/internal/requests/%00', headers }, 404],
      [
        'worker',
        { method: 'PATCH', path: '/internal/campaigns/%00/groups/g1', headers, body: body({ quota: 2 }) },
        404,
      ],
      [
        'worker',
        { method: 'PUT', path: `/internal/campaigns/${campaignId}`, headers, body: body(file) },
        400,
      ],
      ['worker', { method: 'GET', path: '/internal/nothing/here', headers }, 404],
      [
        'worker',
        {
          method: 'PUT',
          path: `/internal/campaigns/${campaignId}`,
          headers,
          body: jsonText(tinyCampaign(campaignId)),
        },
        400,
      ],
      [
        'worker',
        {
          method: 'POST',
          path: '/internal/ops/audit',
          headers,
          body: body({ operator: 'a\u0000', action: 'quota.set', campaignId, detail: {} }),
        },
        400,
      ],
      [
        'roster',
        {
          method: 'POST',
          path: `/internal/bookings/${UUID}/check-in`,
          headers,
          body: body({ campaignId, siteId: 'SKH', operator: 'ops:\u0000' }),
        },
        400,
      ],
      [
        'roster',
        { method: 'GET', path: `/internal/campaigns/${campaignId}/sites/SKH/roster?q=a%00`, headers },
        400,
      ],
      ['roster', { method: 'GET', path: '/internal/nothing/here', headers }, 404],
      // Headers past Node's 16 KiB: was Node's bare 431 (no body), now `{ code }` in JSON.
      ...(['worker', 'roster'] as const).map((service): [Service, FuzzRequest, number] => [
        service,
        {
          method: 'GET',
          path: '/internal/nothing/here',
          headers: { ...headers, 'x-big': 'x'.repeat(20_000) },
        },
        431,
      ]),
    ];
    for (const [service, request, status] of cases) {
      const answer = await sendOnce(services[service]!.port, request);
      const got = 'status' in answer ? answer.status : answer.error;
      expect({ request, got, broken: violation('internal', request, answer) }).toEqual({
        request,
        got: status,
        broken: undefined,
      });
    }
  });
});

describe('fuzzing the internal APIs', () => {
  const names = internalEndpoints().map(([, e]) => e.name);
  for (const name of names.filter((n) => !FUZZ_ONLY || n.includes(FUZZ_ONLY))) {
    it(
      `${name}: no 5xx, the envelope, nothing created by a refusal`,
      async () => {
        const [service, endpoint] = internalEndpoints().find(([, e]) => e.name === name)!;
        const inserted = name.includes('registry/vaccinated') ? watchImport(endpoint) : () => 0;
        const counts = () => countCreated({ prisma, redis, namespace, jobs: () => queue.count() });
        const [before, auditBefore] = [await counts(), await auditRows()];
        const outcome = await fuzzEndpoint(services[service]!.port, endpoint);
        outcomes.push(outcome);
        const [after, auditAfter] = [await counts(), await auditRows()];
        process.stdout.write(`${summary(outcome)}\n`);
        expect({ failures: outcome.failures, replay: replayHint(outcome) }).toEqual({
          failures: [],
          replay: replayHint(outcome),
        });
        // Cancelling can promote a standby person (a new booking row) only when it succeeded.
        expect(after.bookingRows - before.bookingRows).toBeLessThanOrEqual(
          name.includes('cancel') ? (outcome.statuses['200'] ?? 0) : 0,
        );
        expect(after.jobs - before.jobs).toBe(0);
        expect(after.registryRows - before.registryRows).toBe(inserted());
        expect(auditAfter - auditBefore).toBeLessThanOrEqual(
          name.endsWith('POST /internal/ops/audit') ? (outcome.statuses['201'] ?? 0) : 0,
        );
      },
      FUZZ_TEST_TIMEOUT_MS,
    );
  }
});
