import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { Producer } from 'kafkajs';
import type { BookingConfirmedEvent } from '@khiw/contracts';
import { createPrismaClient, type PrismaClient } from '@khiw/db';
import { createTopics, deleteTopics } from '../../../infra/local/kafka-admin';
import { startPrivateKannel, type PrivateKannel } from '../../../infra/local/kannel/private-kannel';
import { eventually, TEST_DATABASE_URL, uniqueNamespace } from '../../../test/support/env';
import type { RunningService } from '../../../test/support/services';
import { renderSms } from '../src/sms/templates';
import {
  confirmedEvents,
  distinctEvents,
  publishEvents,
  readNotificationEvents,
  smsTo,
  startNotification,
  testKafka,
} from './notification-harness';

/**
 * Done-when 1 (issue 5): 5,000 BookingConfirmed, some duplicated on purpose (the same event
 * twice, and a second event with another id for the same booking), through a private Kannel
 * at 300 parts/s: fakesmsc receives exactly one SMS per booking with the right text, and
 * every delivery report is recorded and announced.
 */
describe('5,000 confirmations with duplicates', () => {
  const namespace = uniqueNamespace('sms-volume');
  const campaignId = `sms-volume-${namespace.slice(-6)}`;
  const total = 5000;
  const kafka = testKafka('sms-volume-test');
  const events: BookingConfirmedEvent[] = confirmedEvents(campaignId, total);
  let prisma: PrismaClient;
  let producer: Producer;
  let kannel: PrivateKannel;
  let service: RunningService | undefined;

  beforeAll(async () => {
    prisma = createPrismaClient(TEST_DATABASE_URL, { poolSize: 2 });
    await createTopics(namespace);
    producer = kafka.producer();
    await producer.connect();
    // Two parts per Thai confirmation: 150 SMS/s fill Kannel's 300 parts/s.
    kannel = await startPrivateKannel({ throughput: 300 });
  });

  afterAll(async () => {
    if (service) expect(await service.stop()).toBe(0);
    await producer?.disconnect();
    await kannel?.close();
    await deleteTopics(namespace).catch(() => undefined);
    await prisma?.$disconnect();
  });

  it('sends exactly one correct SMS per booking and records every delivery report', async () => {
    const sameEventAgain = events.filter((_, i) => i % 20 === 0); // 250 redelivered as is
    const sameBookingNewId = events
      .filter((_, i) => i % 50 === 7) // 100 re-emitted with another event id
      .map((e) => ({ ...e, eventId: randomUUID() }));
    await publishEvents(producer, namespace, [...events.slice(0, 2500), ...sameEventAgain]);
    service = await startNotification(namespace, kannel, 150, { SMS_CONCURRENCY: '40' });
    await publishEvents(producer, namespace, [...events.slice(2500), ...sameBookingNewId]);

    const phones = new Set(events.map((e) => e.data.person.phone));
    const received = await eventually(
      async () => {
        const list = await smsTo(kannel, phones);
        return list.length >= total ? list : undefined;
      },
      150_000,
      'every SMS at fakesmsc',
    );
    // Anything extra would have arrived by the time every delivery report is in.
    const ids = events.map((e) => e.eventId);
    await eventually(
      async () => {
        const delivered = await prisma.smsMessage.count({ where: { id: { in: ids }, status: 'delivered' } });
        return delivered === total ? true : undefined;
      },
      90_000,
      'every message delivered',
    );
    const final = await smsTo(kannel, phones);
    expect(final).toHaveLength(total);
    expect(new Set(final.map((m) => m.to)).size).toBe(total);
    const byPhone = new Map(received.map((m) => [m.to, m.text]));
    for (const event of events) {
      const { reference, appointment } = event.data;
      const expected = renderSms({ kind: 'confirmation', reference, ...appointment }).text;
      expect(byPhone.get(event.data.person.phone)).toBe(expected);
      expect(expected).not.toContain(event.data.person.citizenId);
    }

    // Every report Kannel sent (8: accepted by the SMSC, 1: delivered) is stored.
    const reports = await prisma.deliveryReport.groupBy({
      by: ['providerStatus'],
      where: { smsId: { in: ids } },
      _count: true,
    });
    expect(Object.fromEntries(reports.map((r) => [r.providerStatus, r._count]))).toEqual({
      1: total,
      8: total,
    });
    expect(await prisma.smsMessage.count({ where: { campaignId } })).toBe(total);

    // The roster hears about each message once: SmsSent and SmsDelivered per booking.
    const published = distinctEvents(
      await readNotificationEvents(
        kafka,
        namespace,
        (list) => distinctEvents(list).length >= 2 * total,
        90_000,
      ),
    );
    const count = (type: string) =>
      new Set(published.filter((e) => e.type === type).map((e) => e.bookingId)).size;
    expect(count('SmsSent')).toBe(total);
    expect(count('SmsDelivered')).toBe(total);
    expect(published).toHaveLength(2 * total);
  });
});
