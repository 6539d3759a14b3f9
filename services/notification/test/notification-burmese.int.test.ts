import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { Producer } from 'kafkajs';
import { BookingRescheduled, type BookingConfirmedEvent } from '@khiw/contracts';
import { createPrismaClient, type PrismaClient } from '@khiw/db';
import { createLogger } from '@khiw/observability';
import { campaignKey, closeRedis, createRedisClient, type Redis } from '@khiw/redis';
import { fakesmscCodings } from '../../../infra/local/fakesmsc-log';
import { createTopics, deleteTopics } from '../../../infra/local/kafka-admin';
import { startPrivateKannel, type PrivateKannel } from '../../../infra/local/kannel/private-kannel';
import { eventually, REDIS_URL, TEST_DATABASE_URL, uniqueNamespace } from '../../../test/support/env';
import type { RunningService } from '../../../test/support/services';
import { reminderDedupeKey } from '../src/sms/notify-booking-events.usecase';
import { renderSms } from '../src/sms/templates';
import { uuidFrom } from '../src/uuid-from';
import {
  campaignSnapshot,
  confirmedEvents,
  publishEvents,
  smsTo,
  startNotification,
  testKafka,
} from './notification-harness';

const HOUR = 3600_000;
const MYANMAR = /[\u1000-\u109F]/;

function appointmentIn(hoursAhead: number) {
  const startsAt = new Date(Math.ceil((Date.now() + hoursAhead * HOUR) / 1000) * 1000).toISOString();
  return {
    siteId: 'KTB',
    siteName: { th: 'โรงพยาบาลกระทุ่มแบน', en: 'Krathum Baen Hospital' },
    slotId: 'KTB-x',
    startsAt,
  };
}

/**
 * Issue 11 item 6: a booking made on the Burmese page gets its SMS in Burmese (Myanmar script,
 * UCS-2 through Kannel to fakesmsc) although the campaign says Thai, and so does the message
 * that follows later for the same booking, whose event carries no language: the ledger's
 * confirmation row says which.
 */
describe('SMS in Burmese', () => {
  const namespace = uniqueNamespace('sms-my');
  const campaignId = `sms-my-${namespace.slice(-6)}`;
  const kafka = testKafka('sms-my-test');
  const logger = createLogger({ service: 'test', level: 'silent' });
  let prisma: PrismaClient;
  let producer: Producer;
  let kannel: PrivateKannel;
  let redis: Redis;
  let service: RunningService;
  const [base] = confirmedEvents(campaignId, 1) as [BookingConfirmedEvent];

  beforeAll(async () => {
    prisma = createPrismaClient(TEST_DATABASE_URL, { poolSize: 2 });
    redis = createRedisClient({ url: REDIS_URL, name: 'test', logger, blocking: true });
    await redis.set(
      campaignKey(namespace, campaignId, 'info'),
      campaignSnapshot(campaignId, { reminderHoursBefore: 24, language: 'th' }),
    );
    await createTopics(namespace);
    producer = kafka.producer();
    await producer.connect();
    kannel = await startPrivateKannel({ throughput: 100 });
    service = await startNotification(namespace, kannel, 50);
  });

  afterAll(async () => {
    if (service) expect(await service.stop()).toBe(0);
    await producer?.disconnect();
    await kannel?.close();
    await closeRedis(redis);
    await deleteTopics(namespace).catch(() => undefined);
    await prisma?.$disconnect();
  });

  it('sends the confirmation and the later reschedule in Burmese, as UCS-2', async () => {
    const phone = base.data.person.phone;
    const first = appointmentIn(72);
    const moved = appointmentIn(120);
    const confirmed = { ...base, data: { ...base.data, language: 'my' as const, appointment: first } };
    await publishEvents(producer, namespace, [confirmed]);
    const smsFor = (count: number) =>
      eventually(
        async () => {
          const list = await smsTo(kannel, new Set([phone]));
          return list.length >= count ? list : undefined;
        },
        60_000,
        `${count} SMS to ${phone}`,
      );

    const [confirmation] = await smsFor(1);
    const expected = renderSms({ kind: 'confirmation', reference: base.data.reference, ...first }, 'my');
    expect(expected.language).toBe('my');
    expect(confirmation!.text).toBe(expected.text);
    expect(confirmation!.text).toMatch(MYANMAR);

    await publishEvents(producer, namespace, [
      BookingRescheduled.parse({
        schemaVersion: 1,
        eventId: randomUUID(),
        occurredAt: new Date().toISOString(),
        campaignId,
        bookingId: base.bookingId,
        requestId: base.requestId,
        type: 'BookingRescheduled',
        data: { reference: base.data.reference, phone, from: first, appointment: moved },
      }),
    ]);
    const [, reschedule] = await smsFor(2);
    expect(reschedule!.text).toBe(
      renderSms({ kind: 'reschedule', reference: base.data.reference, ...moved }, 'my').text,
    );
    // Kannel put both on the air as UCS-2 (coding=2), never as 8-bit UTF-8.
    const codings = await fakesmscCodings(kannel.fakesmscLog, phone);
    expect(codings.length).toBeGreaterThanOrEqual(2);
    for (const coding of codings) expect(['ucs-2', 'udh-ucs-2']).toContain(coding);

    // The reminder for the new time is Burmese too, waiting in the ledger.
    const reminder = await prisma.smsMessage.findUnique({
      where: { id: uuidFrom(reminderDedupeKey(base.bookingId, moved.startsAt)) },
    });
    expect(reminder).toMatchObject({ kind: 'reminder', status: 'scheduled', language: 'my' });
    expect(reminder!.text).toMatch(MYANMAR);
  });
});
