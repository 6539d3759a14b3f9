import type { Kafka, Producer } from 'kafkajs';
import type { BookingEvent, NotificationEvent } from '@khiw/contracts';
import type { PrismaClient } from '@khiw/db';
import { createKafka, createProducer, topicName } from '@khiw/kafka';
import { createLogger } from '@khiw/observability';
import { KAFKA_BROKERS } from '../../../test/support/env';
import type { BookingTruth } from './event-stream';

export function testKafka(): Kafka {
  return createKafka({
    brokers: [KAFKA_BROKERS],
    clientId: 'roster-test',
    logger: createLogger({ service: 'roster-test', level: 'silent' }),
  });
}

export async function connectedProducer(kafka: Kafka): Promise<Producer> {
  const producer = createProducer(kafka);
  await producer.connect();
  return producer;
}

/** Publishes like the outbox relay: keyed by booking id (request id before a booking exists). */
export async function publish(
  producer: Producer,
  namespace: string,
  events: (BookingEvent | NotificationEvent)[],
  topic: 'bookingEvents' | 'notificationEvents' = 'bookingEvents',
): Promise<void> {
  for (let i = 0; i < events.length; i += 1000) {
    await producer.send({
      topic: topicName(namespace, topic),
      acks: -1,
      messages: events.slice(i, i + 1000).map((e) => ({
        key: e.bookingId ?? ('requestId' in e ? e.requestId : e.eventId),
        value: JSON.stringify(e),
      })),
    });
  }
}

/** The roster of a campaign in the shape of the booking database's rows, sorted by booking id. */
export async function rosterAsBookings(prisma: PrismaClient, campaignId: string): Promise<BookingTruth[]> {
  const rows = await prisma.rosterEntry.findMany({ where: { campaignId }, orderBy: { bookingId: 'asc' } });
  return rows.map((r) => ({
    bookingId: r.bookingId,
    campaignId: r.campaignId,
    reference: r.reference,
    citizenId: r.citizenId ?? '(none)',
    birthDate: r.birthDate?.toISOString().slice(0, 10) ?? '(none)',
    firstName: r.firstName ?? '(none)',
    lastName: r.lastName ?? '(none)',
    groupCode: r.groupCode ?? '(none)',
    siteId: r.siteId,
    slotId: r.slotId,
    startsAt: r.startsAt.toISOString(),
    status: r.status === 'cancelled' ? 'cancelled' : 'confirmed',
  }));
}

export function truthRows(truth: Map<string, BookingTruth>): BookingTruth[] {
  return [...truth.values()].sort((a, b) =>
    a.bookingId < b.bookingId ? -1 : a.bookingId > b.bookingId ? 1 : 0,
  );
}

/** True once the group has committed every offset of the namespace's booking and notification topics. */
export async function caughtUp(kafka: Kafka, namespace: string, groupId: string): Promise<boolean> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (const key of ['bookingEvents', 'notificationEvents'] as const) {
      const topic = topicName(namespace, key);
      const ends = await admin.fetchTopicOffsets(topic);
      const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
      for (const end of ends) {
        const done = committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? '-1';
        const high = Number(end.high);
        if (high > 0 && Number(done) < high) return false;
      }
    }
    return true;
  } finally {
    await admin.disconnect();
  }
}
