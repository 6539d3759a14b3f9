import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { Producer } from 'kafkajs';
import type { BookingConfirmedEvent } from '@khiw/contracts';
import { createPrismaClient, type PrismaClient } from '@khiw/db';
import { readFile } from 'node:fs/promises';
import type { FakeSms } from '../../../infra/local/fakesmsc-log';
import { createTopics, deleteTopics } from '../../../infra/local/kafka-admin';
import { startPrivateKannel, type PrivateKannel } from '../../../infra/local/kannel/private-kannel';
import { eventually, TEST_DATABASE_URL, uniqueNamespace } from '../../../test/support/env';
import type { RunningService } from '../../../test/support/services';
import { confirmedEvents, publishEvents, smsTo, startNotification, testKafka } from './notification-harness';

const RATE = 25; // SMS/s, two parts each: Kannel at 50 parts/s
/** notification's SMS_MAX_ATTEMPTS (its default): the outage must outlast it. */
const MAX_ATTEMPTS = 10;

/** Exactly one SMS per booking at fakesmsc and every message delivered, or a clear diff. */
async function expectExactlyOnce(
  prisma: PrismaClient,
  kannel: PrivateKannel,
  events: BookingConfirmedEvent[],
): Promise<FakeSms[]> {
  const phones = new Set(events.map((e) => e.data.person.phone));
  const ids = events.map((e) => e.eventId);
  await eventually(
    async () => ((await smsTo(kannel, phones)).length >= events.length ? true : undefined),
    180_000,
    'every SMS at fakesmsc',
  );
  await eventually(
    async () =>
      (await prisma.smsMessage.count({ where: { id: { in: ids }, status: 'delivered' } })) === events.length
        ? true
        : undefined,
    120_000,
    'every message delivered',
  );
  const received = await smsTo(kannel, phones);
  const perPhone = new Map<string, number>();
  for (const m of received) perPhone.set(m.to, (perPhone.get(m.to) ?? 0) + 1);
  expect([...perPhone.values()].filter((n) => n > 1)).toEqual([]);
  expect(perPhone.size).toBe(events.length);
  for (const e of events) {
    expect(received.find((m) => m.to === e.data.person.phone)?.text).toContain(`รหัส ${e.data.reference}`);
  }
  expect(await prisma.smsMessage.count({ where: { id: { in: ids }, status: 'failed' } })).toBe(0);
  return received;
}

/** Parts fakesmsc logged per wall-clock second (its log has second resolution). */
function partsPerSecond(logLines: string[], from: number): number[] {
  const seconds = new Map<string, number>();
  for (const line of logLines.slice(from)) {
    if (!/Got message \d+:/.test(line)) continue;
    const at = line.slice(0, 19);
    seconds.set(at, (seconds.get(at) ?? 0) + 1);
  }
  return [...seconds.values()];
}

describe('notification faults', () => {
  const namespace = uniqueNamespace('sms-faults');
  const kafka = testKafka('sms-faults-test');
  let prisma: PrismaClient;
  let producer: Producer;
  let kannel: PrivateKannel;
  const services: RunningService[] = [];

  beforeAll(async () => {
    prisma = createPrismaClient(TEST_DATABASE_URL, { poolSize: 2 });
    await createTopics(namespace);
    producer = kafka.producer();
    await producer.connect();
    kannel = await startPrivateKannel({ throughput: RATE * 2 });
  });

  afterEach(async () => {
    // A test that failed half-way leaves its service and a stopped gateway behind.
    for (const s of services.splice(0)) await s.stop('SIGKILL').catch(() => undefined);
    if (!(await kannel.status().catch(() => ''))) await kannel.start();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await kannel?.close();
    await deleteTopics(namespace).catch(() => undefined);
    await prisma?.$disconnect();
  });

  it('Kannel stopped mid-run until messages were tried more often than their attempts allow: nothing lost or duplicated, the backlog drains at the configured rate', async () => {
    const events = confirmedEvents(`faults-kannel-${namespace.slice(-6)}`, 600);
    const phones = new Set(events.map((e) => e.data.person.phone));
    await publishEvents(producer, namespace, events);
    const service = await startNotification(namespace, kannel, RATE);
    services.push(service);
    await eventually(
      async () => ((await smsTo(kannel, phones)).length >= 100 ? true : undefined),
      60_000,
      '100 SMS',
    );

    await kannel.stop();
    const sentBefore = (await smsTo(kannel, phones)).length;
    // The outage lasts until some message was tried more often than its attempts allow (the
    // ledger counts every try): had an outage spent attempts, that message would have failed.
    const outageFrom = Date.now();
    await eventually(
      async () =>
        (await prisma.smsMessage.count({
          where: { id: { in: events.map((e) => e.eventId) }, attempts: { gt: MAX_ATTEMPTS + 1 } },
        })) > 0,
      120_000,
      `a message tried more than ${MAX_ATTEMPTS + 1} times during the outage`,
    );
    process.stdout.write(`Kannel down for ${Date.now() - outageFrom} ms\n`);
    // Nothing was given up while the gateway was away: the queue waited without spending attempts.
    expect(
      await prisma.smsMessage.count({
        where: { id: { in: events.map((e) => e.eventId) }, status: 'failed' },
      }),
    ).toBe(0);
    const linesAtRestart = (await readFile(kannel.fakesmscLog, 'utf8')).split('\n').length;
    await kannel.start();

    await expectExactlyOnce(prisma, kannel, events);
    expect(sentBefore).toBeLessThan(events.length);
    // The backlog went out no faster than the gateway's rate (2 parts per SMS); full seconds only.
    const lines = (await readFile(kannel.fakesmscLog, 'utf8')).split('\n');
    const perSecond = partsPerSecond(lines, linesAtRestart).slice(1, -1);
    process.stdout.write(`backlog drain after the outage, parts/s: ${perSecond.join(' ')}\n`);
    expect(Math.max(...perSecond)).toBeLessThanOrEqual(RATE * 2 * 1.5);
    expect(await service.stop()).toBe(0);
    services.splice(0);
  });

  it('consumer and sender killed with SIGKILL mid-run: after a restart, nothing lost or duplicated', async () => {
    const events = confirmedEvents(`faults-kill-${namespace.slice(-6)}`, 600);
    const phones = new Set(events.map((e) => e.data.person.phone));
    // Half before the start, half while it runs, so both consuming and sending are under way.
    await publishEvents(producer, namespace, events.slice(0, 300));
    const first = await startNotification(namespace, kannel, RATE);
    services.push(first);
    await publishEvents(producer, namespace, events.slice(300));
    await eventually(
      async () => ((await smsTo(kannel, phones)).length >= 150 ? true : undefined),
      60_000,
      '150 SMS',
    );
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));
    services.splice(0);

    const second = await startNotification(namespace, kannel, RATE, { PORT: String(first.port) });
    services.push(second);
    await expectExactlyOnce(prisma, kannel, events);
    expect(await second.stop()).toBe(0);
    services.splice(0);
  });
});
