import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { createPrismaClient, type PrismaClient } from '@khiw/db';
import { createTopics, deleteTopics } from '../infra/local/kafka-admin';
import { readFakesmscMessages } from '../infra/local/fakesmsc-log';
import { eventually, freePort, KAFKA_BROKERS, TEST_DATABASE_URL, uniqueNamespace } from './support/env';
import { bookingConfirmedEvent } from './support/events';
import { startService } from './support/services';

/**
 * The Kafka consumers stopped with SIGTERM in the middle of a stream: after a restart nothing
 * is missing and nothing is applied or sent twice (offsets are committed only after the work).
 */
describe('consumers stopped mid-stream', () => {
  const namespace = uniqueNamespace('consumers');
  const campaignId = `consumers-${namespace.slice(-6)}`;
  const total = 300;
  const events = Array.from({ length: total }, (_, i) => bookingConfirmedEvent(campaignId, i));
  let prisma: PrismaClient;
  let producer: Producer;

  beforeAll(async () => {
    prisma = createPrismaClient(TEST_DATABASE_URL, { poolSize: 2 });
    await createTopics(namespace);
    const kafka = new Kafka({
      brokers: [KAFKA_BROKERS],
      clientId: 'consumer-test',
      logLevel: logLevel.NOTHING,
    });
    producer = kafka.producer();
    await producer.connect();
    // A malformed message in the middle must go to the dead-letter topic, not stop anyone.
    const messages = events.map((e) => ({ key: e.bookingId, value: JSON.stringify(e) }));
    messages.splice(150, 0, { key: 'bad', value: '{"type":"BookingConfirmed"}' });
    await producer.send({ topic: `${namespace}.booking.events`, acks: -1, messages });
  });

  afterAll(async () => {
    await producer.disconnect();
    await deleteTopics(namespace).catch(() => undefined);
    await prisma.$disconnect();
  });

  it('roster: applies every event exactly once across a SIGTERM and restart', async () => {
    const bookingIds = events.map((e) => e.bookingId);
    const countEntries = () => prisma.rosterEntry.count({ where: { bookingId: { in: bookingIds } } });
    const first = await startService('roster', namespace);
    await eventually(async () => ((await countEntries()) >= 20 ? true : undefined), 60_000, 'some entries');
    expect(await first.stop()).toBe(0);
    const second = await startService('roster', namespace);
    await eventually(
      async () => ((await countEntries()) === total ? true : undefined),
      60_000,
      'all entries',
    );
    expect(
      await prisma.rosterProcessedEvent.count({ where: { eventId: { in: events.map((e) => e.eventId) } } }),
    ).toBe(total);
    expect(await second.stop()).toBe(0);
  });

  it('notification: one SMS per booking at fakesmsc across a SIGTERM and restart', async () => {
    const port = await freePort();
    const env = { PORT: String(port), DLR_BASE_URL: `http://127.0.0.1:${port}`, SMS_RATE_PER_SECOND: '100' };
    const phones = new Set(events.map((e) => e.data.person.phone));
    const received = async () => (await readFakesmscMessages()).filter((m) => phones.has(m.to));
    const first = await startService('notification', namespace, env);
    await eventually(async () => ((await received()).length >= 20 ? true : undefined), 60_000, 'some SMS');
    expect(await first.stop()).toBe(0);
    const second = await startService('notification', namespace, env);
    const messages = await eventually(
      async () => {
        const list = await received();
        return list.length >= total ? list : undefined;
      },
      90_000,
      'all SMS',
    );
    // Exactly one per booking (phones are unique per event), each with its own reference.
    expect(messages).toHaveLength(total);
    expect(new Set(messages.map((m) => m.to)).size).toBe(total);
    for (const event of events) {
      const sms = messages.find((m) => m.to === event.data.person.phone)!;
      expect(sms.text).toContain(`รหัส ${event.data.reference}`);
    }
    await eventually(
      async () => {
        const delivered = await prisma.smsMessage.count({
          where: { id: { in: events.map((e) => e.eventId) }, status: 'delivered' },
        });
        return delivered === total ? true : undefined;
      },
      60_000,
      'every delivery report',
    ).catch(async (error: Error) => {
      const byStatus = await prisma.smsMessage.groupBy({
        by: ['status'],
        where: { id: { in: events.map((e) => e.eventId) } },
        _count: true,
      });
      throw new Error(`${error.message}; messages by status: ${JSON.stringify(byStatus)}`, { cause: error });
    });
    expect(await second.stop()).toBe(0);
  });
});
