import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Queue } from 'bullmq';
import { Kafka, logLevel } from 'kafkajs';
import { BookingEvent, bookingRequestId, QUEUES, type BookingRequestJob } from '@khiw/contracts';
import { createPrismaClient, type PrismaClient } from '@khiw/db';
import { createLogger } from '@khiw/observability';
import { bullPrefix, closeRedis, createRedisClient, type Redis } from '@khiw/redis';
import { LoadCampaign } from '../services/booking-worker/src/campaigns/load-campaign.usecase';
import { publishCampaignSnapshot } from '../services/booking-worker/src/campaigns/campaign-snapshot';
import { createTopics, deleteTopics } from '../infra/local/kafka-admin';
import { readFakesmscMessages } from '../infra/local/fakesmsc-log';
import {
  eventually,
  freePort,
  KAFKA_BROKERS,
  randomCitizenId,
  randomMobile,
  REDIS_URL,
  sampleCampaign,
  TEST_DATABASE_URL,
  uniqueNamespace,
} from './support/env';
import { startService, type RunningService } from './support/services';

/**
 * The walking skeleton (issue 2): one booking job travels the whole shape against the real
 * Redis, PostgreSQL, Kafka and Kannel + fakesmsc, with the four services as real processes.
 */
describe('walking skeleton: booking job → worker → outbox → Kafka → roster + SMS', () => {
  const namespace = uniqueNamespace('skeleton');
  const campaignId = `skeleton-${namespace.slice(-6)}`;
  const logger = createLogger({ service: 'test', level: 'silent' });
  let prisma: PrismaClient;
  let redis: Redis;
  let queue: Queue;
  const services: RunningService[] = [];

  beforeAll(async () => {
    prisma = createPrismaClient(TEST_DATABASE_URL, { poolSize: 2 });
    redis = createRedisClient({ url: REDIS_URL, name: 'test', logger, blocking: true });
    await createTopics(namespace);
    await new LoadCampaign(prisma).execute(
      sampleCampaign(campaignId, {
        slotGrid: { firstDay: '2021-08-02', days: 1, times: ['09:00'], capacityPerSlotPerSite: 5 },
      }),
    );
    await publishCampaignSnapshot(prisma, redis, namespace, campaignId);
    queue = new Queue(QUEUES.booking, { connection: redis, prefix: bullPrefix(namespace) });
    const notificationPort = await freePort();
    services.push(
      ...(await Promise.all([
        startService('gateway', namespace),
        startService('booking-worker', namespace),
        startService('roster', namespace),
        startService('notification', namespace, {
          PORT: String(notificationPort),
          DLR_BASE_URL: `http://127.0.0.1:${notificationPort}`,
        }),
      ])),
    );
  });

  afterAll(async () => {
    // Every service must stop cleanly on SIGTERM (exit 0) — part of what this test proves.
    const codes = await Promise.all(services.map(async (s) => [s.name, await s.stop()] as const));
    await queue?.obliterate({ force: true }).catch(() => undefined);
    await queue?.close();
    await deleteTopics(namespace).catch(() => undefined);
    await closeRedis(redis);
    await prisma.$disconnect();
    expect(Object.fromEntries(codes)).toEqual({
      gateway: 0,
      'booking-worker': 0,
      roster: 0,
      notification: 0,
    });
  });

  it('confirms the booking, publishes the event, fills the roster and delivers one Thai SMS', async () => {
    const citizenId = randomCitizenId();
    const phone = randomMobile();
    const requestId = bookingRequestId(campaignId, citizenId + namespace.slice(-6));
    const job: BookingRequestJob = {
      schemaVersion: 1,
      requestId,
      campaignId,
      citizenId,
      firstName: 'สมศรี',
      lastName: 'มีสุข',
      birthDate: '1948-03-14',
      phone,
      groupCode: 'elderly70',
      provinceCode: '74',
      siteId: 'KTB',
      slotId: 'KTB-20210802-0900',
      channel: 'web',
      language: 'th',
      submittedAt: new Date().toISOString(),
    };
    await queue.add('book', job, { jobId: requestId });

    // 1. The resident's view through the gateway: the request becomes confirmed.
    const gateway = services.find((s) => s.name === 'gateway')!;
    const outcome = await eventually(
      async () => {
        const body = (await (
          await fetch(`http://127.0.0.1:${gateway.port}/api/bookings/requests/${requestId}`)
        ).json()) as {
          status: string;
          booking?: { bookingId: string; reference: string };
        };
        return body.status === 'pending' ? undefined : body;
      },
      30_000,
      'request outcome',
    );
    expect(outcome).toMatchObject({
      status: 'confirmed',
      booking: { siteId: 'KTB', slotId: 'KTB-20210802-0900' },
    });
    const { bookingId, reference } = outcome.booking!;

    // 2. The booking row and its counters, written with the outbox row in one transaction.
    const booking = await prisma.booking.findUniqueOrThrow({ where: { id: bookingId } });
    expect(booking).toMatchObject({ campaignId, citizenId, siteId: 'KTB', status: 'confirmed', reference });
    const slot = await prisma.slot.findUniqueOrThrow({
      where: { campaignId_id: { campaignId, id: 'KTB-20210802-0900' } },
    });
    expect(slot.booked).toBe(1);
    const outbox = await eventually(
      async () => {
        const rows = await prisma.outboxEvent.findMany({ where: { key: bookingId } });
        return rows.length === 1 && rows[0]!.publishedAt ? rows : undefined;
      },
      30_000,
      'outbox row published',
    );

    // 3. The event in Kafka, read back by a real consumer of the namespaced topic.
    const kafka = new Kafka({
      brokers: [KAFKA_BROKERS],
      clientId: 'skeleton-test',
      logLevel: logLevel.NOTHING,
    });
    const consumer = kafka.consumer({ groupId: `${namespace}.test-reader`, maxWaitTimeInMs: 200 });
    const received: BookingEvent[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: `${namespace}.booking.events`, fromBeginning: true });
    const keys: string[] = [];
    await consumer.run({
      eachMessage: async ({ message }) => {
        const event = BookingEvent.parse(JSON.parse(message.value!.toString()));
        // The outbox table is shared by every test in the database, and a relay publishes
        // every unsent row: other tests' events may land in this topic too. Ours only.
        if (event.campaignId !== campaignId) return;
        received.push(event);
        keys.push(message.key?.toString() ?? '');
      },
    });
    await eventually(async () => (received.length > 0 ? true : undefined), 30_000, 'event in Kafka');
    await consumer.disconnect();
    expect(received).toHaveLength(1);
    expect(keys).toEqual([bookingId]);
    expect(received[0]).toMatchObject({
      type: 'BookingConfirmed',
      eventId: outbox[0]!.id,
      bookingId,
      data: {
        reference,
        person: { citizenId, phone },
        appointment: { siteId: 'KTB', startsAt: '2021-08-02T02:00:00.000Z' },
      },
    });

    // 4. The roster entry.
    const entry = await eventually(
      () => prisma.rosterEntry.findUnique({ where: { bookingId } }).then((e) => e ?? undefined),
      30_000,
      'roster entry',
    );
    expect(entry).toMatchObject({
      campaignId,
      reference,
      status: 'confirmed',
      siteId: 'KTB',
      lastEventId: outbox[0]!.id,
    });

    // 5. One SMS at fakesmsc, in Thai, with site, date, time and reference but never the citizen ID.
    const sms = await eventually(
      async () => {
        const messages = (await readFakesmscMessages()).filter((m) => m.to === phone);
        return messages.length ? messages : undefined;
      },
      30_000,
      'SMS at fakesmsc',
    );
    expect(sms).toHaveLength(1);
    expect(sms[0]!.text).toBe(
      `ยืนยันนัดฉีดวัคซีน โรงพยาบาลกระทุ่มแบน วันที่ 2 ส.ค. 2564 เวลา 09:00 น. รหัส ${reference} กรุณานำบัตรประชาชนมาด้วย`,
    );
    expect(sms[0]!.text).not.toContain(citizenId);

    // 6. Its delivery reports (SMSC accepted, then delivered) recorded by the notification service.
    const message = await eventually(
      async () => {
        const row = await prisma.smsMessage.findFirst({
          where: { bookingId },
          include: { deliveryReports: true },
        });
        return row?.status === 'delivered' && row.deliveryReports.length >= 2 ? row : undefined;
      },
      30_000,
      'delivery report',
    );
    expect(message.deliveryReports.map((r) => r.providerStatus).sort()).toEqual([1, 8]);
    expect(message.deliveredAt).not.toBeNull();
  });
});
