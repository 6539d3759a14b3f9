import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startPrivateKafka, type PrivateKafka } from '../infra/local/kafka/private-kafka';
import { startPrivateKannel, type PrivateKannel } from '../infra/local/kannel/private-kannel';
import { startPrivatePostgres, type PrivatePostgres } from '../infra/local/postgres/private-postgres';
import { eventually } from './support/env';
import { WholePath, type Counts } from './support/whole-path';

/**
 * Issue 13 item 5: the Kafka broker killed with SIGKILL (no controlled shutdown) twice in one
 * booking run, and started again each time: first while the booking worker's outbox relay is
 * publishing bookings, then while the SMS go out, i.e. while the notification service's relay
 * publishes SmsSent/SmsDelivered and the roster and notification consumers read. The producers
 * are at-least-once (packages/kafka createProducer): a batch the broker appended but never
 * acknowledged is sent again, and the consumers absorb the copy by event id. Afterwards: every
 * person booked once, every event in Kafka, one SMS and one roster entry per booking, every
 * SMS state in the roster, no service restarted. Broker, database and Kannel are the test's
 * own; the shared broker on 9092 is never touched.
 */
const PEOPLE = 400;
/** Held down this long before the restart, which itself takes a few seconds (JVM start, log recovery). */
const DOWN_MS = 500;

let kafka: PrivateKafka;
let pg: PrivatePostgres;
let kannel: PrivateKannel;
let path: WholePath;

/** Kills the broker, waits, counts what got where while it was down, starts it again. */
async function outage(): Promise<{ downMs: number; whileDown: Counts }> {
  const at = Date.now();
  await kafka.kill();
  await new Promise((resolve) => setTimeout(resolve, DOWN_MS));
  const whileDown = await path.counts();
  await kafka.start();
  return { downMs: Date.now() - at, whileDown };
}

beforeAll(async () => {
  [kafka, pg, kannel] = await Promise.all([
    startPrivateKafka(),
    startPrivatePostgres(),
    startPrivateKannel({ throughput: 200 }),
  ]);
  path = new WholePath({
    label: 'kafka-kill',
    people: PEOPLE,
    databaseUrl: pg.url,
    kafkaBrokers: kafka.brokers,
    kannel,
    // Slow enough that SMS, their events and the roster's reading of them outlast both outages.
    smsPerSecond: 40,
  });
  await path.start();
}, 120_000);

afterAll(async () => {
  const codes = await path?.close();
  await Promise.all([kafka?.close(), kannel?.close(), pg?.close()]);
  expect(codes).toEqual({ 'booking-worker': 0, roster: 0, notification: 0 });
});

describe('Kafka broker killed with SIGKILL during the outbox relay and during consumption', () => {
  it('nothing lost, no SMS doubled, the roster equals the bookings, no service restarted', async () => {
    const started = Date.now();
    await path.feed(PEOPLE / 4);
    const feeding = path.feedRest(10, 100);

    // 1. During the relay: bookings still coming, some already published.
    const beforeRelayKill: Counts = await eventually(
      async () => {
        const c = await path.counts();
        return c.published >= 50 ? c : undefined;
      },
      60_000,
      'the relay under way',
      50,
    );
    const relayOutage = await outage();
    await feeding;

    // 2. During consumption: SMS going out, their events relayed and read by the roster.
    const beforeConsumerKill: Counts = await eventually(
      async () => {
        const c = await path.counts();
        return c.sms >= PEOPLE / 3 ? c : undefined;
      },
      120_000,
      'a third of the SMS sent',
      50,
    );
    const consumerOutage = await outage();

    const { counts, duplicateEvents } = await path.expectEveryoneOnce(180_000);
    path.expectServicesAlive();
    process.stdout.write(
      `kafka-broker-kill: people ${PEOPLE}; kill 1 (relay) at ${JSON.stringify(beforeRelayKill)}, ` +
        `down ${relayOutage.downMs} ms, while down ${JSON.stringify(relayOutage.whileDown)}; ` +
        `kill 2 (consumption) at ${JSON.stringify(beforeConsumerKill)}, down ${consumerOutage.downMs} ms, ` +
        `while down ${JSON.stringify(consumerOutage.whileDown)}; end ${JSON.stringify(counts)}; ` +
        `BookingConfirmed events in Kafka twice: ${duplicateEvents}; run ${Date.now() - started} ms\n`,
    );
    // Both faults hit work in progress: the first left bookings in the outbox (the worker went
    // on deciding without Kafka), the second came while SMS and their events were still going.
    expect(relayOutage.whileDown.published).toBeLessThan(relayOutage.whileDown.bookings);
    expect(beforeConsumerKill.sms).toBeLessThan(PEOPLE);
  }, 300_000);
});
