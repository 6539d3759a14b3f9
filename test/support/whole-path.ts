import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from '@jest/globals';
import { Queue } from 'bullmq';
import { Kafka, logLevel } from 'kafkajs';
import { QUEUES, type BookingRequestJob } from '@khiw/contracts';
import { createPrismaClient, type PrismaClient } from '@khiw/db';
import { topicName } from '@khiw/kafka';
import { createLogger } from '@khiw/observability';
import { bullPrefix, closeRedis, createRedisClient, type Redis } from '@khiw/redis';
import { readFakesmscMessages } from '../../infra/local/fakesmsc-log';
import { createTopics, deleteTopics } from '../../infra/local/kafka-admin';
import type { PrivateKannel } from '../../infra/local/kannel/private-kannel';
import { LoadCampaign } from '../../services/booking-worker/src/campaigns/load-campaign.usecase';
import { publishCampaignSnapshot } from '../../services/booking-worker/src/campaigns/campaign-snapshot';
import {
  bookingJob,
  expectCountersMatchRows,
  person,
  slot,
  tinyCampaign,
} from '../../services/booking-worker/test/worker-fixtures';
import { BOOKING_JOB_OPTIONS } from '../../services/gateway/src/bookings/submit-booking.usecase';
import { eventually, freePort, REDIS_URL, uniqueNamespace } from './env';
import { startService, type RunningService } from './services';

/**
 * The whole booking path (BullMQ job → booking worker → outbox → Kafka → notification → SMS
 * at fakesmsc, and → roster) as real processes on a database and a broker that a fault test
 * owns, so it can kill them. Jobs carry the gateway's own options (5 attempts, exponential
 * backoff), as a resident's request would. Every person is eligible and there is a dose for
 * each, so the only right end state is: each person booked once, each booking's event in
 * Kafka, one SMS per booking, and a roster entry per booking.
 */
export interface WholePathOptions {
  label: string;
  people: number;
  databaseUrl: string;
  kafkaBrokers: string;
  kannel: PrivateKannel;
  /** SMS per second the notification service sends (each Thai SMS is two parts). */
  smsPerSecond?: number;
}

export interface Counts {
  bookings: number;
  published: number;
  sms: number;
  roster: number;
}

const SLOT_TIMES = ['09:00', '10:00', '11:00', '13:00', '14:00'];

export class WholePath {
  readonly namespace: string;
  readonly campaignId: string;
  readonly jobs: BookingRequestJob[];
  readonly services: RunningService[] = [];
  readonly prisma: PrismaClient;
  private readonly redis: Redis;
  private readonly queue: Queue;
  private readonly phones: Set<string>;
  private fed = 0;

  constructor(private readonly options: WholePathOptions) {
    this.namespace = uniqueNamespace(options.label);
    this.campaignId = `${options.label}-${this.namespace.slice(-6)}`;
    // Phones unique in the run (random ones collide and would look like a doubled SMS).
    const base = Math.floor(Math.random() * 9e6);
    this.jobs = Array.from({ length: options.people }, (_, i) => {
      const phone = `+6687${String(base + i).padStart(7, '0')}`;
      const group = i % 2 === 0 ? 'g1' : 'g2';
      const siteId = i % 4 < 2 ? 'SKH' : 'KTB';
      const time = SLOT_TIMES[Math.floor(i / 4) % SLOT_TIMES.length]!;
      return bookingJob(this.campaignId, person({ phone }), {
        groupCode: group,
        siteId,
        slotId: slot(siteId, time),
      });
    });
    this.phones = new Set(this.jobs.map((j) => j.phone));
    this.prisma = createPrismaClient(options.databaseUrl, { poolSize: 2 });
    this.redis = createRedisClient({
      url: REDIS_URL,
      name: `${options.label}-test`,
      logger: createLogger({ service: 'test', level: 'silent' }),
      blocking: true,
    });
    this.queue = new Queue(QUEUES.booking, { connection: this.redis, prefix: bullPrefix(this.namespace) });
  }

  /** Topics, the campaign (a dose and a slot place for everyone) and the three services. */
  async start(): Promise<void> {
    const { people, databaseUrl, kafkaBrokers, kannel } = this.options;
    await createTopics(this.namespace, [kafkaBrokers]);
    const perSlot = Math.ceil(people / (2 * SLOT_TIMES.length));
    const campaign = tinyCampaign(this.campaignId, {
      totalDoses: people,
      quotas: [Math.ceil(people / 2), Math.ceil(people / 2)],
      times: SLOT_TIMES,
      capacity: perSlot,
      standbySize: 0,
    });
    await new LoadCampaign(this.prisma).execute(campaign);
    await publishCampaignSnapshot(this.prisma, this.redis, this.namespace, this.campaignId);
    const common = { DATABASE_URL: databaseUrl, KAFKA_BROKERS: kafkaBrokers, DATABASE_POOL_SIZE: '4' };
    const notificationPort = await freePort();
    this.services.push(
      ...(await Promise.all([
        startService('booking-worker', this.namespace, { ...common, OUTBOX_BATCH_SIZE: '50' }),
        startService('roster', this.namespace, { ...common, ROSTER_CHUNK_SIZE: '50' }),
        startService('notification', this.namespace, {
          ...common,
          PORT: String(notificationPort),
          DLR_BASE_URL: `http://127.0.0.1:${notificationPort}`,
          KANNEL_SENDSMS_URL: kannel.sendsmsUrl,
          KANNEL_USERNAME: kannel.username,
          KANNEL_PASSWORD: kannel.password,
          SMS_RATE_PER_SECOND: String(this.options.smsPerSecond ?? 100),
        }),
      ])),
    );
  }

  /** Adds `count` more jobs (the gateway's job options), as residents submitting. */
  async feed(count: number): Promise<void> {
    const next = this.jobs.slice(this.fed, this.fed + count);
    this.fed += next.length;
    await this.queue.addBulk(
      next.map((data) => ({ name: 'book', data, opts: { ...BOOKING_JOB_OPTIONS, jobId: data.requestId } })),
    );
  }

  /** Feeds the rest in steps of `perStep` every `everyMs`, while the caller injects a fault. */
  async feedRest(perStep: number, everyMs: number): Promise<void> {
    while (this.fed < this.jobs.length) {
      await this.feed(perStep);
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  }

  get fedCount(): number {
    return this.fed;
  }

  async smsCount(): Promise<number> {
    return (await readFakesmscMessages(this.options.kannel.fakesmscLog)).filter((m) => this.phones.has(m.to))
      .length;
  }

  /** What has got how far; reads PostgreSQL, so it fails while the database is down. */
  async counts(): Promise<Counts> {
    const [row] = await this.prisma.$queryRaw<{ bookings: number; published: number; roster: number }[]>`
      SELECT (SELECT count(*) FROM booking.bookings WHERE campaign_id = ${this.campaignId})::int AS bookings,
             (SELECT count(*) FROM booking.outbox_events
               WHERE payload->>'campaignId' = ${this.campaignId} AND published_at IS NOT NULL)::int AS published,
             (SELECT count(*) FROM roster.entries WHERE campaign_id = ${this.campaignId})::int AS roster`;
    return { ...row!, sms: await this.smsCount() };
  }

  /** Outbox batches the booking worker's relay failed to publish so far (its metric). */
  async relayFailures(): Promise<number> {
    const worker = this.services.find((s) => s.name === 'booking-worker')!;
    const text = await (await fetch(`http://127.0.0.1:${worker.port}/metrics`)).text();
    return Number(/^khiw_booking_worker_outbox_failures_total(?:\{[^}]*\})? (\S+)$/m.exec(text)?.[1] ?? 0);
  }

  /** Every service still the process the test started: none crashed or had to be restarted. */
  expectServicesAlive(): void {
    const dead = this.services.filter((s) => s.child.exitCode !== null || s.child.signalCode !== null);
    if (dead.length > 0) {
      throw new Error(
        `services exited: ${dead.map((s) => `${s.name} (${s.child.exitCode ?? s.child.signalCode})\n${s.output().slice(-3000)}`).join('\n')}`,
      );
    }
  }

  /**
   * Waits until every job is decided, every outbox row published, every SMS at fakesmsc, every
   * roster entry written and every SMS state in the roster delivered; then checks the
   * invariants. Returns how many BookingConfirmed events Kafka holds more than once.
   */
  async expectEveryoneOnce(timeoutMs = 120_000): Promise<{ counts: Counts; duplicateEvents: number }> {
    const people = this.jobs.length;
    await eventually(
      async () => {
        const c = await this.queue.getJobCounts('completed', 'failed');
        return (c.completed ?? 0) + (c.failed ?? 0) === people ? c : undefined;
      },
      timeoutMs,
      'every booking job finished',
    );
    expect(await this.queue.getJobCounts('failed')).toEqual({ failed: 0 });
    const counts = await eventually(
      async () => {
        const c = await this.counts();
        const states = await this.prisma.rosterSmsState.count({
          where: { bookingId: { in: await this.bookingIds() }, status: 'delivered' },
        });
        return c.published >= people && c.sms >= people && c.roster >= people && states >= people
          ? c
          : undefined;
      },
      timeoutMs,
      'events published, SMS sent and delivered, roster filled',
    );
    // Once each, per citizen: no booking lost or doubled.
    const perCitizen = await this.prisma.$queryRaw<{ citizen_id: string; n: number }[]>`
      SELECT citizen_id, count(*)::int AS n FROM booking.bookings
      WHERE campaign_id = ${this.campaignId} GROUP BY citizen_id`;
    expect(perCitizen.filter((r) => r.n !== 1)).toEqual([]);
    expect(new Set(perCitizen.map((r) => r.citizen_id))).toEqual(new Set(this.jobs.map((j) => j.citizenId)));
    expect(
      await this.prisma.booking.count({ where: { campaignId: this.campaignId, status: 'confirmed' } }),
    ).toBe(people);
    await expectCountersMatchRows(this.prisma, this.campaignId);
    // One outbox row per booking, each in Kafka (perhaps twice: at-least-once, deduplicated by id).
    const ids = await this.bookingIds();
    const outbox = await this.prisma.outboxEvent.findMany({
      where: { key: { in: ids } },
      select: { id: true, type: true, publishedAt: true },
    });
    expect(outbox.map((o) => o.type).filter((t) => t !== 'BookingConfirmed')).toEqual([]);
    expect(outbox).toHaveLength(people);
    expect(outbox.filter((o) => !o.publishedAt)).toEqual([]);
    const inKafka = await this.confirmedEventsInKafka();
    expect(new Set(inKafka.keys())).toEqual(new Set(outbox.map((o) => o.id)));
    // One SMS per booking, one roster entry per booking, nothing else.
    const sms = (await readFakesmscMessages(this.options.kannel.fakesmscLog)).filter((m) =>
      this.phones.has(m.to),
    );
    const perPhone = new Map<string, number>();
    for (const m of sms) perPhone.set(m.to, (perPhone.get(m.to) ?? 0) + 1);
    expect([...perPhone].filter(([, n]) => n !== 1)).toEqual([]);
    expect(perPhone.size).toBe(people);
    const roster = await this.prisma.rosterEntry.findMany({
      where: { campaignId: this.campaignId },
      select: { bookingId: true },
    });
    expect(new Set(roster.map((r) => r.bookingId))).toEqual(new Set(ids));
    expect(roster).toHaveLength(people);
    const duplicateEvents = [...inKafka.values()].filter((n) => n > 1).length;
    return { counts: { ...counts, sms: sms.length }, duplicateEvents };
  }

  private async bookingIds(): Promise<string[]> {
    const rows = await this.prisma.booking.findMany({
      where: { campaignId: this.campaignId },
      select: { id: true },
    });
    return rows.map((r) => r.id);
  }

  /** Event id → copies of BookingConfirmed in the namespace's booking.events, read to its end. */
  private async confirmedEventsInKafka(): Promise<Map<string, number>> {
    const kafka = new Kafka({
      brokers: [this.options.kafkaBrokers],
      clientId: `${this.namespace}-reader`,
      logLevel: logLevel.NOTHING,
    });
    const topic = topicName(this.namespace, 'bookingEvents');
    const admin = kafka.admin();
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
    const seen = new Map<string, number>();
    const readUpTo = new Map<number, number>();
    const consumer = kafka.consumer({ groupId: `${this.namespace}.reader`, maxWaitTimeInMs: 200 });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        readUpTo.set(partition, Number(message.offset) + 1);
        const event = JSON.parse(String(message.value)) as { type: string; eventId: string };
        if (event.type === 'BookingConfirmed') seen.set(event.eventId, (seen.get(event.eventId) ?? 0) + 1);
      },
    });
    try {
      await eventually(
        async () => ends.every((end) => (readUpTo.get(end.partition) ?? 0) >= Number(end.high)),
        60_000,
        'the reader at the end of booking.events',
      );
    } finally {
      await consumer.disconnect();
    }
    return seen;
  }

  /** Stops the services (each must exit 0 on SIGTERM) and removes the queue and topics. */
  async close(): Promise<Record<string, number | null>> {
    const codes = await Promise.all(
      this.services.map(async (s) => [s.name, await s.stop().catch(() => null)] as const),
    );
    // WHOLE_PATH_LOGS=<dir>: keep each service's output, to see what it went through.
    const logs = process.env.WHOLE_PATH_LOGS;
    if (logs) {
      await mkdir(logs, { recursive: true });
      for (const s of this.services)
        await writeFile(join(logs, `${this.namespace}-${s.name}.log`), s.output());
    }
    await this.queue.obliterate({ force: true }).catch(() => undefined);
    await this.queue.close();
    await deleteTopics(this.namespace, [this.options.kafkaBrokers]).catch(() => undefined);
    await closeRedis(this.redis);
    await this.prisma.$disconnect();
    return Object.fromEntries(codes);
  }
}
