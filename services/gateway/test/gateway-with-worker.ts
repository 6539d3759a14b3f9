import { afterAll, beforeAll, expect } from '@jest/globals';
import { createPrismaClient } from '@khiw/db';
import { TEST_DATABASE_URL, uniqueNamespace } from '../../../test/support/env';
import { startService, type RunningService } from '../../../test/support/services';
import { book, bookingJob, slot, type Person } from '../../booking-worker/test/worker-fixtures';
import { generateSigningKey, Keyring, privateKeyPem } from '../src/waiting-room/tokens/keyring';
import { QueueTokens } from '../src/waiting-room/tokens/queue-tokens';
import { bookingQueue, client, type HttpAnswer } from './booking-fixtures';
import { closeRedis, deleteNamespace, testRedis } from './waiting-room-fixtures';

/** Shared by the gateway and worker started here (and any other service a test starts beside them). */
export const INTERNAL_TOKEN = 'internal-token-for-tests-0123456789';

/**
 * A gateway against a REAL booking worker, for the file that calls it (beforeAll/afterAll):
 * both processes run (startService), the gateway's BOOKING_API_URL points at the worker's
 * port and both share INTERNAL_API_TOKEN, so every 2xx also proves the gateway sent the
 * token (the worker answers 401 without it). Campaigns are loaded through the gateway's ops
 * route; the database is there to check what the worker did. `gatewayEnv` adds or
 * overrides gateway settings (WAITING_ROOM_MAX_BOOKINGS, say); a function is called when the
 * gateway starts (settings known only then, another service's port).
 */
export function gatewayWithWorker(
  name: string,
  gatewayEnv: Record<string, string> | (() => Record<string, string>) = {},
) {
  const namespace = uniqueNamespace(name);
  const key = generateSigningKey('test-key');
  const tokens = new QueueTokens(new Keyring(key), { ticketTtlSeconds: 3600 });
  const redis = testRedis();
  let worker: RunningService | undefined;
  let gateway: RunningService | undefined;
  let base = '';
  /** The campaigns loaded, whose outbox rows are marked published at the end. */
  const loaded = new Set<string>();
  const env = {
    namespace,
    /** The run's Redis (the gateway's keys are under `namespace`). */
    redis,
    /** Signs with the gateway's key: tickets, access and ops tokens of any shape. */
    tokens,
    opsToken: tokens.signOps({ subject: 'test-ops', role: 'ops', ttlSeconds: 600 }),
    staffToken: tokens.signOps({ subject: 'test-staff', role: 'staff', ttlSeconds: 600 }),
    /** A site's staff token (`staffToken` names no site). */
    siteStaffToken: (site: string) =>
      tokens.signOps({ subject: `staff-${site}`, role: 'staff', site, ttlSeconds: 600 }),
    queue: bookingQueue(namespace),
    prisma: createPrismaClient(TEST_DATABASE_URL, { poolSize: 2 }),
    call: client(() => base),
    /** The worker's process id (to pause it). */
    workerPid: () => worker!.child.pid!,
    /** The worker's own address (its internal API), for tests of that API. */
    workerBase: () => `http://127.0.0.1:${worker!.port}`,
    /** The gateway's port (raw sockets). */
    gatewayPort: () => gateway!.port,
  };

  beforeAll(async () => {
    worker = await startService('booking-worker', namespace, {
      INTERNAL_API_TOKEN: INTERNAL_TOKEN,
      // The outbox table is shared with every other run on this database: no relay here.
      OUTBOX_RELAY_ENABLED: 'false',
      SNAPSHOT_INTERVAL_MS: '100',
      DATABASE_POOL_SIZE: '4',
    });
    gateway = await startService('gateway', namespace, {
      GATEWAY_SIGNING_KEY: privateKeyPem(key),
      GATEWAY_SIGNING_KEY_ID: 'test-key',
      WAITING_ROOM_OUTFLOW_PER_MINUTE: '60000',
      WAITING_ROOM_POW_DIFFICULTY: '0',
      WAITING_ROOM_TICK_MS: '200',
      BOOKING_API_URL: `http://127.0.0.1:${worker.port}`,
      BOOKING_API_TIMEOUT_MS: '800',
      INTERNAL_API_TOKEN: INTERNAL_TOKEN,
      SELF_SERVICE_PER_CITIZEN_PER_MINUTE: '5',
      SELF_SERVICE_PER_NETWORK_PER_MINUTE: '8',
      ...(typeof gatewayEnv === 'function' ? gatewayEnv() : gatewayEnv),
    });
    base = `http://127.0.0.1:${gateway.port}`;
  });

  afterAll(async () => {
    const gatewayCode = await gateway?.stop();
    const workerCode = await worker?.stop();
    // No relay ran here: the outbox rows of these campaigns would otherwise be published by
    // the next test that runs one (the table is shared), flooding its topics and SMS.
    await env.prisma.$executeRaw`
      UPDATE booking.outbox_events SET published_at = now()
      WHERE published_at IS NULL AND payload->>'campaignId' = ANY(${[...loaded]}::text[])`;
    await env.queue.obliterate({ force: true });
    await env.queue.close();
    await deleteNamespace(redis, namespace);
    await closeRedis(redis);
    await env.prisma.$disconnect();
    expect([gatewayCode, workerCode]).toEqual([0, 0]);
  });

  return {
    ...env,
    async loadThroughGateway(file: Record<string, unknown>): Promise<void> {
      loaded.add(String(file.id));
      const answer = await env.call('PUT', `/api/admin/campaigns/${String(file.id)}`, {
        token: env.opsToken,
        body: file,
      });
      if (answer.status !== 200)
        throw new Error(`campaign load: ${answer.status} ${JSON.stringify(answer.body)}`);
    },
    /** A confirmed booking made by the real worker from a job on the real queue. */
    async booked(campaignId: string, who: Person, groupCode: string, site: string, time: string) {
      const outcome = await book(
        env.queue,
        bookingJob(campaignId, who, { groupCode, siteId: site, slotId: slot(site, time) }),
      );
      if (outcome.status !== 'confirmed') throw new Error(`set-up booking: ${JSON.stringify(outcome)}`);
      return outcome.booking.bookingId;
    },
  };
}

export function expectProblem(answer: HttpAnswer, status: number, code: string) {
  expect({ status: answer.status, code: answer.body.error?.code }).toEqual({ status, code });
  expect(answer.body.error.message.th).toMatch(/[\u0E00-\u0E7F]/);
}
