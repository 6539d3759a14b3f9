import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes, randomUUID } from 'node:crypto';
import type { Consumer, Kafka, Producer } from 'kafkajs';
import { createPrismaClient, type PrismaClient } from '@khiw/db';
import { createLogger } from '@khiw/observability';
import { createTopics, deleteTopics } from '../../../infra/local/kafka-admin';
import {
  eventually,
  freePort,
  KAFKA_BROKERS,
  TEST_DATABASE_URL,
  uniqueNamespace,
} from '../../../test/support/env';
import { createConsumer, createKafka, createProducer } from './client';
import {
  OutboxRelay,
  type OutboxDatabase,
  type OutboxRelayOptions,
  type OutboxTransaction,
  type RelayCounter,
} from './outbox-relay';
import { topicName } from './topics';

/**
 * The outbox relay against the real PostgreSQL and Kafka: scratch outbox tables in a schema of
 * their own (dropped after), topics under a namespace of their own (deleted after), and one
 * consumer that reads everything back.
 */
const logger = createLogger({ service: 'outbox-relay-test', level: 'silent' });
const namespace = uniqueNamespace('relay');
const schema = `relay_${randomBytes(4).toString('hex')}`;
const received: { topic: string; key: string; eventId: string; n: number }[] = [];

let prisma: PrismaClient;
let kafka: Kafka;
let producer: Producer;
let consumer: Consumer;
let tables = 0;
const relays: OutboxRelay[] = [];

beforeAll(async () => {
  await createTopics(namespace);
  prisma = createPrismaClient(TEST_DATABASE_URL, { poolSize: 6 });
  await prisma.$executeRawUnsafe(`CREATE SCHEMA ${schema}`);
  kafka = createKafka({ brokers: [KAFKA_BROKERS], clientId: 'outbox-relay-test', logger });
  producer = createProducer(kafka);
  await producer.connect();
  consumer = createConsumer(kafka, `${namespace}-reader`);
  await consumer.subscribe({
    topics: [
      topicName(namespace, 'bookingEvents'),
      topicName(namespace, 'rosterEvents'),
      topicName(namespace, 'notificationEvents'),
    ],
    fromBeginning: true,
  });
  await consumer.run({
    eachMessage: async ({ topic, message }) => {
      const payload = JSON.parse(message.value!.toString()) as { eventId: string; n: number };
      received.push({ topic, key: message.key!.toString(), eventId: payload.eventId, n: payload.n });
    },
  });
});

afterEach(async () => {
  await Promise.all(relays.splice(0).map((relay) => relay.close()));
});

afterAll(async () => {
  await consumer?.disconnect();
  await producer?.disconnect();
  await prisma?.$executeRawUnsafe(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await prisma?.$disconnect();
  await deleteTopics(namespace).catch(() => undefined);
});

/** A fresh outbox table shaped like booking's and roster's (`mark`) or notification's (`delete`). */
async function outboxTable(kind: 'mark' | 'delete'): Promise<string> {
  const table = `${schema}.outbox_${++tables}`;
  await prisma.$executeRawUnsafe(
    kind === 'mark'
      ? `CREATE TABLE ${table} (id uuid PRIMARY KEY, seq bigserial UNIQUE, topic text NOT NULL, key text NOT NULL,
           payload jsonb NOT NULL, published_at timestamptz)`
      : `CREATE TABLE ${table} (seq bigserial PRIMARY KEY, id uuid UNIQUE NOT NULL, key text NOT NULL,
           payload jsonb NOT NULL)`,
  );
  return table;
}

type Written = { id: string; key: string; topic: string };

/** Writes `count` events spread over `keys` booking ids, in one transaction, one `seq` each. */
async function write(
  table: string,
  count: number,
  { keys = 3, topics = ['booking.events'] } = {},
): Promise<Written[]> {
  const rows: Written[] = [];
  const bookings = Array.from({ length: keys }, () => randomUUID());
  for (let n = 0; n < count; n++)
    rows.push({ id: randomUUID(), key: bookings[n % keys]!, topic: topics[n % topics.length]! });
  const hasTopic = (await columns(table)).includes('topic');
  await prisma.$transaction(async (tx) => {
    for (const [n, row] of rows.entries()) {
      const payload = JSON.stringify({ eventId: row.id, n });
      await (hasTopic
        ? tx.$executeRawUnsafe(
            `INSERT INTO ${table} (id, topic, key, payload) VALUES ($1::uuid, $2, $3, $4::jsonb)`,
            row.id,
            row.topic,
            row.key,
            payload,
          )
        : tx.$executeRawUnsafe(
            `INSERT INTO ${table} (id, key, payload) VALUES ($1::uuid, $2, $3::jsonb)`,
            row.id,
            row.key,
            payload,
          ));
    }
  });
  return rows;
}

async function columns(table: string): Promise<string[]> {
  const [schemaName, tableName] = table.split('.');
  const rows = await prisma.$queryRawUnsafe<{ column_name: string }[]>(
    'SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2',
    schemaName,
    tableName,
  );
  return rows.map((r) => r.column_name);
}

const unpublished = async (table: string, kind: 'mark' | 'delete'): Promise<number> => {
  const [row] = await prisma.$queryRawUnsafe<{ n: number }[]>(
    `SELECT count(*)::int AS n FROM ${table}${kind === 'mark' ? ' WHERE published_at IS NULL' : ''}`,
  );
  return row!.n;
};

function counter(): RelayCounter & { value: number } {
  return {
    value: 0,
    inc(by = 1) {
      this.value += by;
    },
  };
}

function relay(
  table: string,
  overrides: Partial<OutboxRelayOptions> & Pick<OutboxRelayOptions, 'onPublished'>,
): OutboxRelay & {
  metrics: { published: ReturnType<typeof counter>; failures: ReturnType<typeof counter> };
} {
  const metrics = { published: counter(), failures: counter() };
  const created = new OutboxRelay({
    db: prisma,
    producer,
    table,
    lockKey: 74_2021_99,
    topic: { column: 'topic', namespace },
    batchSize: 25,
    pollMs: 20,
    logger,
    metrics,
    ...overrides,
  });
  relays.push(created);
  return Object.assign(created, { metrics });
}

/** Waits until Kafka holds every written event, then returns what arrived for them, in arrival order. */
async function arrived(rows: Written[]): Promise<typeof received> {
  const ids = new Set(rows.map((r) => r.id));
  return eventually(
    async () => {
      const ours = received.filter((m) => ids.has(m.eventId));
      return new Set(ours.map((m) => m.eventId)).size === ids.size ? ours : undefined;
    },
    60_000,
    `${ids.size} events in Kafka`,
  );
}

/** Each event exactly once, on its topic, and each booking's events in the order they were written. */
function expectOnceAndInOrder(
  messages: typeof received,
  rows: Written[],
  topicOf: (row: Written) => string,
): void {
  expect(messages).toHaveLength(rows.length);
  expect(new Set(messages.map((m) => m.eventId)).size).toBe(rows.length);
  const byId = new Map(rows.map((r) => [r.id, r]));
  for (const message of messages) {
    const row = byId.get(message.eventId)!;
    expect({ topic: message.topic, key: message.key }).toEqual({ topic: topicOf(row), key: row.key });
  }
  for (const key of new Set(rows.map((r) => r.key))) {
    const order = messages.filter((m) => m.key === key).map((m) => m.n);
    expect(order).toEqual([...order].sort((a, b) => a - b));
  }
}

describe('OutboxRelay', () => {
  it('publishes in seq order to the topic each row names, and marks the rows published', async () => {
    const table = await outboxTable('mark');
    const rows = await write(table, 120, { topics: ['booking.events', 'booking.events', 'roster.events'] });
    const mark = relay(table, { onPublished: 'mark' });
    mark.start();

    const messages = await arrived(rows);
    await eventually(
      async () => ((await unpublished(table, 'mark')) === 0 ? true : undefined),
      30_000,
      'marks',
    );
    expectOnceAndInOrder(messages, rows, (row) => `${namespace}.${row.topic}`);
    const [{ n } = { n: -1 }] = await prisma.$queryRawUnsafe<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM ${table}`,
    );
    expect(n).toBe(120);
    expect(mark.metrics.published.value).toBe(120);
    expect(mark.metrics.failures.value).toBe(0);
  });

  it('publishes a table without a topic column to its one topic and deletes the rows', async () => {
    const table = await outboxTable('delete');
    const rows = await write(table, 60);
    const fixed = topicName(namespace, 'notificationEvents');
    relay(table, { onPublished: 'delete', topic: { name: fixed } }).start();

    const messages = await arrived(rows);
    await eventually(
      async () => ((await unpublished(table, 'delete')) === 0 ? true : undefined),
      30_000,
      'deletes',
    );
    expectOnceAndInOrder(messages, rows, () => fixed);
  });

  it('two relays on one table publish each row once and in order while rows keep coming', async () => {
    const table = await outboxTable('mark');
    const replica = createPrismaClient(TEST_DATABASE_URL, { poolSize: 2 });
    try {
      const rows = await write(table, 150, { keys: 4 });
      const a = relay(table, { onPublished: 'mark', batchSize: 10, pollMs: 5 });
      const b = relay(table, { onPublished: 'mark', batchSize: 10, pollMs: 5, db: replica });
      a.start();
      b.start();
      for (let i = 0; i < 5; i++) rows.push(...(await write(table, 30, { keys: 4 })));

      const messages = await arrived(rows);
      expectOnceAndInOrder(messages, rows, (row) => `${namespace}.${row.topic}`);
      await Promise.all([a.close(), b.close()]);
      expect(a.metrics.published.value + b.metrics.published.value).toBe(rows.length);
    } finally {
      await replica.$disconnect();
    }
  });

  it('nudge() publishes at once instead of at the next poll', async () => {
    const table = await outboxTable('mark');
    const db = counted(prisma);
    const idle = relay(table, { onPublished: 'mark', pollMs: 600_000, db });
    idle.start();
    // The first (empty) batch has run and the relay now waits out its long poll.
    await eventually(async () => (db.batches >= 1 ? true : undefined), 10_000, 'the first batch');
    const rows = await write(table, 5);
    idle.nudge();
    expectOnceAndInOrder(await arrived(rows), rows, (row) => `${namespace}.${row.topic}`);
  });

  it('close() finishes, drains what is left, and is safe to call twice; a relay never started does not drain', async () => {
    const table = await outboxTable('mark');
    const db = counted(prisma);
    const idle = relay(table, { onPublished: 'mark', pollMs: 600_000, batchSize: 10, db });
    idle.start();
    await eventually(async () => (db.batches >= 1 ? true : undefined), 10_000, 'the first batch');
    const rows = await write(table, 35);

    const first = idle.close();
    const second = idle.close();
    expect(second).toBe(first);
    await Promise.all([first, second]);
    expect(await unpublished(table, 'mark')).toBe(0);
    expectOnceAndInOrder(await arrived(rows), rows, (row) => `${namespace}.${row.topic}`);
    await idle.close();
    idle.start();
    idle.nudge();

    const later = await write(table, 3);
    const neverStarted = relay(table, { onPublished: 'mark' });
    await neverStarted.close();
    expect(await unpublished(table, 'mark')).toBe(later.length);
    expect(neverStarted.metrics.published.value).toBe(0);
  });

  it('Kafka down: the rows wait, and go once each when Kafka is back', async () => {
    const table = await outboxTable('mark');
    const rows = await write(table, 40);
    const nowhere = createKafka({
      brokers: [`127.0.0.1:${await freePort()}`],
      clientId: 'outbox-relay-test-down',
      logger,
      extra: { retry: { retries: 1, initialRetryTime: 50, maxRetryTime: 100 } },
    });
    const downProducer = createProducer(nowhere);
    await expect(downProducer.connect()).rejects.toThrow();
    const down = relay(table, { onPublished: 'mark', producer: downProducer });
    down.start();
    await eventually(
      async () => (down.metrics.failures.value >= 2 ? true : undefined),
      30_000,
      'failed batches',
    );
    await down.close();
    expect(await unpublished(table, 'mark')).toBe(rows.length);
    expect(down.metrics.published.value).toBe(0);

    const back = relay(table, { onPublished: 'mark' });
    back.start();
    expectOnceAndInOrder(await arrived(rows), rows, (row) => `${namespace}.${row.topic}`);
    await eventually(
      async () => ((await unpublished(table, 'mark')) === 0 ? true : undefined),
      30_000,
      'marks',
    );
  });

  it('a crash between send and mark sends the batch again with the same event ids', async () => {
    const table = await outboxTable('delete');
    const rows = await write(table, 8);
    let crashes = 1;
    // The database fails once right after Kafka has the batch: the transaction rolls back.
    const flaky: OutboxDatabase = {
      $transaction: (work, options) =>
        prisma.$transaction(
          (tx) =>
            work({
              $queryRawUnsafe: (sql, ...values) => tx.$queryRawUnsafe(sql, ...values),
              $executeRawUnsafe: (sql, ...values) =>
                crashes-- > 0
                  ? Promise.reject(new Error('connection lost'))
                  : tx.$executeRawUnsafe(sql, ...values),
            }),
          options,
        ),
    };
    const fixed = topicName(namespace, 'notificationEvents');
    const crashing = relay(table, {
      onPublished: 'delete',
      topic: { name: fixed },
      db: flaky,
      batchSize: 100,
    });
    crashing.start();

    await eventually(
      async () => ((await unpublished(table, 'delete')) === 0 ? true : undefined),
      30_000,
      'deletes',
    );
    const ids = new Set(rows.map((r) => r.id));
    const messages = await eventually(
      async () => {
        const ours = received.filter((m) => ids.has(m.eventId));
        return ours.length === 2 * rows.length ? ours : undefined;
      },
      30_000,
      'both copies',
    );
    expect(crashing.metrics.failures.value).toBe(1);
    expect(crashing.metrics.published.value).toBe(rows.length);
    for (const id of ids) expect(messages.filter((m) => m.eventId === id)).toHaveLength(2);
  });
});

/** The database, counting the relay's finished batches (transactions). */
function counted(db: OutboxDatabase): OutboxDatabase & { batches: number } {
  const wrapper = {
    batches: 0,
    async $transaction<T>(
      work: (tx: OutboxTransaction) => Promise<T>,
      options?: { timeout?: number },
    ): Promise<T> {
      const result = await db.$transaction(work, options);
      wrapper.batches++;
      return result;
    },
  };
  return wrapper;
}
