import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Queue } from 'bullmq';
import { bookingRequestId, QUEUES, type BookingRequestJob } from '@khiw/contracts';
import { createPrismaClient, type PrismaClient } from '@khiw/db';
import { createLogger } from '@khiw/observability';
import { bullPrefix, closeRedis, createRedisClient, type Redis } from '@khiw/redis';
import { LoadCampaign } from '../services/booking-worker/src/campaigns/load-campaign.usecase';
import { createTopics, deleteTopics } from '../infra/local/kafka-admin';
import { REPO_ROOT, SERVICES, spawnService } from '../infra/local/services';
import {
  eventually,
  freePortRange,
  randomCitizenId,
  randomMobile,
  REDIS_URL,
  sampleCampaign,
  TEST_DATABASE_URL,
  uniqueNamespace,
} from './support/env';
import { startService } from './support/services';

describe('start-up configuration', () => {
  it.each(SERVICES.map((s) => s.name))('%s refuses a wrong or missing setting and names it', async (name) => {
    const child = spawnService(name, {
      PORT: 'eighty',
      REDIS_URL: 'http://nowhere',
      DATABASE_URL: 'mysql://x',
      KAFKA_BROKERS: 'no-port',
    });
    let stderr = '';
    child.stderr?.on('data', (chunk) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(78);
    expect(stderr).toContain(`${name}: Invalid configuration`);
    expect(stderr).toMatch(/PORT: /);
    expect(stderr).toMatch(/REDIS_URL: must be a URL with scheme redis or rediss/);
    if (name !== 'gateway') expect(stderr).toMatch(/DATABASE_URL: must be a URL/);
  });
});

describe('booking-worker SIGTERM in the middle of a run', () => {
  const namespace = uniqueNamespace('drain');
  const campaignId = `drain-${namespace.slice(-6)}`;
  const total = 400;
  let prisma: PrismaClient;
  let redis: Redis;
  let queue: Queue;

  beforeAll(async () => {
    prisma = createPrismaClient(TEST_DATABASE_URL, { poolSize: 2 });
    redis = createRedisClient({
      url: REDIS_URL,
      name: 'test',
      logger: createLogger({ service: 'test', level: 'silent' }),
      blocking: true,
    });
    await createTopics(namespace);
    await new LoadCampaign(prisma).execute(sampleCampaign(campaignId));
    queue = new Queue(QUEUES.booking, { connection: redis, prefix: bullPrefix(namespace) });
  });

  afterAll(async () => {
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    await deleteTopics(namespace).catch(() => undefined);
    await closeRedis(redis);
    await prisma.$disconnect();
  });

  it('finishes the jobs in flight, loses none, and the restarted worker completes the rest', async () => {
    const jobs: BookingRequestJob[] = Array.from({ length: total }, (_, i) => {
      const citizenId = randomCitizenId();
      return {
        schemaVersion: 1,
        requestId: bookingRequestId(campaignId, `${i}-${citizenId}`),
        campaignId,
        citizenId,
        firstName: 'ทดสอบ',
        lastName: `คนที่ ${i}`,
        birthDate: '1950-01-01',
        phone: randomMobile(),
        groupCode: 'elderly70',
        provinceCode: '74',
        siteId: 'SKH',
        // 84 SKH slots of 19 places: room for every request, so each one must be confirmed.
        slotId: `SKH-202108${String(2 + (Math.floor(i / 6) % 14)).padStart(2, '0')}-${['0900', '1000', '1100', '1300', '1400', '1500'][i % 6]}`,
        channel: 'web',
        language: 'th',
        submittedAt: new Date().toISOString(),
      };
    });
    await queue.addBulk(jobs.map((data) => ({ name: 'book', data, opts: { jobId: data.requestId } })));

    const first = await startService('booking-worker', namespace, { BOOKING_CONCURRENCY: '8' });
    await eventually(
      async () => ((await queue.getCompletedCount()) >= 40 ? true : undefined),
      60_000,
      '40 completed',
    );
    expect(await first.stop('SIGTERM')).toBe(0);

    const counts = await queue.getJobCounts(
      'active',
      'completed',
      'waiting',
      'failed',
      'delayed',
      'prioritized',
    );
    expect(counts.active).toBe(0);
    expect(counts.failed).toBe(0);
    expect(counts.completed).toBeLessThan(total); // stopped mid-run
    expect(
      (counts.completed ?? 0) + (counts.waiting ?? 0) + (counts.prioritized ?? 0) + (counts.delayed ?? 0),
    ).toBe(total);
    // Every job reported complete has its booking and outbox row; nothing was committed twice.
    expect(await prisma.booking.count({ where: { campaignId } })).toBe(counts.completed);

    const second = await startService('booking-worker', namespace, { BOOKING_CONCURRENCY: '8' });
    await eventually(
      async () => ((await queue.getCompletedCount()) === total ? true : undefined),
      90_000,
      'all completed',
    );
    const outcomes = (await queue.getCompleted(0, total)).map(
      (job) => (job.returnvalue as { status: string }).status,
    );
    expect(new Set(outcomes)).toEqual(new Set(['confirmed']));
    const bookings = await prisma.booking.findMany({ where: { campaignId }, select: { id: true } });
    expect(bookings).toHaveLength(total);
    await eventually(
      async () => {
        const unpublished = await prisma.outboxEvent.count({
          where: { key: { in: bookings.map((b) => b.id) }, publishedAt: null },
        });
        return unpublished === 0 ? true : undefined;
      },
      30_000,
      'outbox drained',
    );
    expect(await prisma.outboxEvent.count({ where: { key: { in: bookings.map((b) => b.id) } } })).toBe(total);
    expect(await second.stop('SIGTERM')).toBe(0);
  });
});

describe('./khiw start supervisor', () => {
  it('brings all four services to ready and, on SIGTERM, stops them all and leaves no orphan', async () => {
    const basePort = await freePortRange(SERVICES.length);
    // Its own namespace and the test database: the live demo empties the sample's waiting
    // room, which must not be the one of a `./khiw start` running beside the tests.
    const namespace = uniqueNamespace('supervisor');
    await createTopics(namespace);
    const supervisor = spawn(
      process.execPath,
      ['--import', 'tsx', 'infra/local/supervisor.ts', '--opens-in', '5'],
      {
        cwd: REPO_ROOT,
        env: {
          ...process.env,
          KHIW_BASE_PORT: String(basePort),
          KHIW_NAMESPACE: namespace,
          DATABASE_URL: TEST_DATABASE_URL,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    supervisor.stdout.on('data', (chunk) => (output += chunk));
    supervisor.stderr.on('data', (chunk) => (output += chunk));
    try {
      await eventually(
        async () => (output.includes('Press Ctrl-C to stop.') ? true : undefined),
        120_000,
        'supervisor ready',
      );
      for (const [i] of SERVICES.entries()) {
        expect((await fetch(`http://127.0.0.1:${basePort + i}/readyz`)).status).toBe(200);
      }
      // The live demo: the sample opens in 5 minutes, so its room is a pre-queue; an ops token.
      const room = (await (
        await fetch(`http://127.0.0.1:${basePort}/api/campaigns/samut-sakhon-sinopharm-2021-07/queue/state`)
      ).json()) as { state: string; opensAt: string };
      expect(room.state).toBe('prequeue');
      expect(Date.parse(room.opensAt) - Date.now()).toBeGreaterThan(3 * 60_000);
      expect(output).toMatch(/ops token +[\w-]+\.[\w-]+\.[\w-]+\n/);
      expect(output).toContain(`http://127.0.0.1:${basePort}/ops/`);
      // Every child, including tsx's esbuild helper; four of them are the services.
      const childPids = spawnSync('pgrep', ['-P', String(supervisor.pid)])
        .stdout.toString()
        .trim()
        .split('\n')
        .filter(Boolean)
        .map(Number);
      const services = childPids.filter((pid) => commandLine(pid).includes('src/main.ts'));
      expect(services).toHaveLength(SERVICES.length);

      const exitCode = await new Promise<number | null>((resolve) => {
        supervisor.once('exit', resolve);
        supervisor.kill('SIGTERM');
      });
      expect(exitCode).toBe(0);
      // tsx's esbuild helper leaves when its pipe from the supervisor closes, a moment later.
      await eventually(async () => (childPids.some(isAlive) ? undefined : true), 5000, 'children gone').catch(
        () => undefined,
      );
      expect(childPids.filter(isAlive)).toEqual([]);
      for (const { name } of SERVICES) expect(output).toContain(`${name} stopped (exit 0)`);
    } catch (error) {
      process.stderr.write(`supervisor output:\n${output.slice(-4000)}\n`);
      throw error;
    } finally {
      // Its services notice the closed IPC channel and stop themselves.
      if (supervisor.exitCode === null) supervisor.kill('SIGKILL');
      await deleteTopics(namespace).catch(() => undefined);
      await deleteKeys(namespace);
    }
  });
});

/** The namespace's keys: campaign snapshot and waiting room, and BullMQ's. */
async function deleteKeys(namespace: string): Promise<void> {
  const redis = createRedisClient({
    url: REDIS_URL,
    name: 'test',
    logger: createLogger({ service: 'test', level: 'silent' }),
    blocking: true,
  });
  for (const pattern of [`${namespace}:*`, `${bullPrefix(namespace)}:*`]) {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  }
  await closeRedis(redis);
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
