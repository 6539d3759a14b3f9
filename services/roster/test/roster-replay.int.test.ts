import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Kafka, Producer } from 'kafkajs';
import { createPrismaClient, type PrismaClient } from '@khiw/db';
import { createTopics, deleteTopics } from '../../../infra/local/kafka-admin';
import { eventually, TEST_DATABASE_URL, uniqueNamespace } from '../../../test/support/env';
import { startService, type RunningService } from '../../../test/support/services';
import { rosterGroupId } from '../src/roster/roster-events.consumer';
import { bookingLives, seeded, shuffledWithinKey } from './event-stream';
import {
  caughtUp,
  connectedProducer,
  publish,
  rosterAsBookings,
  testKafka,
  truthRows,
} from './roster-fixtures';

// Done-when (issue 6): replaying the same 10,000 events twice, and once shuffled within each
// booking's key, gives the same roster as the booking database, compared row by row; the
// consumer killed mid-stream resumes without gaps or duplicates.

const namespace = uniqueNamespace('roster-replay');
let prisma: PrismaClient;
let kafka: Kafka;
let producer: Producer;
let roster: RunningService | undefined;

beforeAll(async () => {
  await createTopics(namespace);
  prisma = createPrismaClient(TEST_DATABASE_URL, { poolSize: 2 });
  kafka = testKafka();
  producer = await connectedProducer(kafka);
});

afterAll(async () => {
  await roster?.stop();
  await producer?.disconnect();
  await prisma?.$disconnect();
  await deleteTopics(namespace).catch(() => undefined);
});

const waitCaughtUp = () =>
  eventually(
    async () => ((await caughtUp(kafka, namespace, rosterGroupId(namespace))) ? true : undefined),
    120_000,
    'roster caught up',
  );

async function forget(campaignId: string, eventIds: string[]): Promise<void> {
  await prisma.rosterEntry.deleteMany({ where: { campaignId } });
  await prisma.rosterProcessedEvent.deleteMany({ where: { eventId: { in: eventIds } } });
}

describe('roster replay', () => {
  it('gives the booking database row by row: in order, replayed twice, and shuffled within each key', async () => {
    const campaignId = `${namespace}-a`;
    const random = seeded(6);
    const { events, truth, byBooking } = bookingLives(campaignId, 10_000, random);
    expect(events).toHaveLength(10_000);
    const expected = truthRows(truth);

    roster = await startService('roster', namespace);
    await publish(producer, namespace, events);
    await waitCaughtUp();
    expect(await rosterAsBookings(prisma, campaignId)).toEqual(expected);

    // The same 10,000 events again, twice: every one a duplicate, nothing changes.
    const before = await prisma.rosterEntry.findMany({
      where: { campaignId },
      orderBy: { bookingId: 'asc' },
    });
    await publish(producer, namespace, events);
    await publish(producer, namespace, events);
    await waitCaughtUp();
    const after = await prisma.rosterEntry.findMany({ where: { campaignId }, orderBy: { bookingId: 'asc' } });
    expect(after.map(({ updatedAt: _u, ...rest }) => rest)).toEqual(
      before.map(({ updatedAt: _u, ...rest }) => rest),
    );
    expect(await rosterAsBookings(prisma, campaignId)).toEqual(expected);

    // From an empty roster, each booking's events in a random order (cancel before confirm...).
    await forget(
      campaignId,
      events.map((e) => e.eventId),
    );
    await publish(producer, namespace, shuffledWithinKey(byBooking, random));
    await waitCaughtUp();
    expect(await rosterAsBookings(prisma, campaignId)).toEqual(expected);
  });

  it('resumes after SIGKILL mid-stream without gaps or duplicates', async () => {
    const campaignId = `${namespace}-b`;
    const { events, truth } = bookingLives(campaignId, 10_000, seeded(7));
    await roster?.stop();
    // Small chunks, one partition at a time: slow enough to be killed in the middle.
    const slow = { ROSTER_CHUNK_SIZE: '100', ROSTER_PARTITIONS_CONCURRENTLY: '1' };
    roster = await startService('roster', namespace, slow);
    await publish(producer, namespace, events);
    const ids = events.map((e) => e.eventId);
    const processed = () => prisma.rosterProcessedEvent.count({ where: { eventId: { in: ids } } });
    await eventually(
      async () => ((await processed()) >= 500 ? true : undefined),
      60_000,
      'some events applied',
    );
    await roster.stop('SIGKILL');
    const atKill = await processed();
    roster = await startService('roster', namespace, slow);
    await waitCaughtUp();
    expect(atKill).toBeLessThan(10_000);
    expect(await processed()).toBe(10_000);
    expect(await rosterAsBookings(prisma, campaignId)).toEqual(truthRows(truth));
  });

  it('sends a malformed message of either topic to its dead-letter topic with the reason, and keeps going', async () => {
    roster ??= await startService('roster', namespace);
    await producer.send({
      topic: `${namespace}.booking.events`,
      acks: -1,
      messages: [{ key: 'bad', value: JSON.stringify({ type: 'BookingConfirmed', eventId: 'nope' }) }],
    });
    await producer.send({
      topic: `${namespace}.notification.events`,
      acks: -1,
      messages: [{ key: 'worse', value: 'not json' }],
    });
    const reasons = new Map<string, string>();
    const dlq = kafka.consumer({ groupId: `${namespace}.dlq-reader`, maxWaitTimeInMs: 200 });
    await dlq.connect();
    await dlq.subscribe({
      topics: [`${namespace}.booking.events.dlq`, `${namespace}.notification.events.dlq`],
      fromBeginning: true,
    });
    await dlq.run({
      eachMessage: async ({ topic, message }) => {
        reasons.set(topic, String(message.headers?.['x-dead-letter-reason']));
      },
    });
    await eventually(async () => (reasons.size >= 2 ? true : undefined), 30_000, 'dead letters');
    await dlq.disconnect();
    expect(reasons.get(`${namespace}.booking.events.dlq`)).toContain('eventId');
    expect(reasons.get(`${namespace}.notification.events.dlq`)).toMatch(/^not JSON/);

    // Still applying: a new booking's life after them.
    const campaignId = `${namespace}-c`;
    const { events, truth } = bookingLives(campaignId, 20, seeded(8));
    await publish(producer, namespace, events);
    await waitCaughtUp();
    expect(await rosterAsBookings(prisma, campaignId)).toEqual(truthRows(truth));
  });
});
