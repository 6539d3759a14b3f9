import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startPrivateKannel, type PrivateKannel } from '../infra/local/kannel/private-kannel';
import { startPrivatePostgres, type PrivatePostgres } from '../infra/local/postgres/private-postgres';
import { eventually, KAFKA_BROKERS } from './support/env';
import { WholePath, type Counts } from './support/whole-path';

/**
 * Issue 13 item 4: PostgreSQL killed with SIGKILL (its postmaster, as the OOM killer would)
 * in the middle of a booking run, then started again (crash recovery). The booking worker,
 * its outbox relay, the notification and roster consumers and the SMS sender all lose their
 * connections at once and must reconnect by themselves: no service restarted, every person
 * booked exactly once, every event relayed, one SMS and one roster entry per booking.
 * The cluster is the test's own (initdb on a free port), never the shared one.
 */
const PEOPLE = 400;
/** Long enough for every pooled connection to fail and BullMQ to retry jobs into the outage. */
const DOWN_MS = 3000;

let pg: PrivatePostgres;
let kannel: PrivateKannel;
let path: WholePath;

beforeAll(async () => {
  [pg, kannel] = await Promise.all([startPrivatePostgres(), startPrivateKannel({ throughput: 400 })]);
  path = new WholePath({
    label: 'pg-restart',
    people: PEOPLE,
    databaseUrl: pg.url,
    kafkaBrokers: KAFKA_BROKERS,
    kannel,
    smsPerSecond: 150,
  });
  await path.start();
}, 120_000);

afterAll(async () => {
  const codes = await path?.close();
  await kannel?.close();
  await pg?.close();
  // Every service stops cleanly on SIGTERM after the outage: part of what this test proves.
  expect(codes).toEqual({ 'booking-worker': 0, roster: 0, notification: 0 });
});

describe('PostgreSQL killed (SIGKILL to the postmaster) mid-run and started again', () => {
  it('every service reconnects by itself; each person booked once, each event relayed, one SMS and one roster entry each', async () => {
    const started = Date.now();
    await path.feed(PEOPLE / 4);
    const feeding = path.feedRest(10, 100);
    // Mid-run: bookings decided, events relayed and consumed, SMS going out.
    const before: Counts = await eventually(
      async () => {
        const c = await path.counts();
        return c.bookings >= PEOPLE / 3 && c.roster >= 20 && c.sms >= 20 ? c : undefined;
      },
      60_000,
      'the run under way',
      50,
    );
    const relayFailures = await path.relayFailures();
    const killedAt = Date.now();
    await pg.kill();
    await new Promise((resolve) => setTimeout(resolve, DOWN_MS));
    await pg.start();
    const downMs = Date.now() - killedAt;
    await feeding;

    const { counts, duplicateEvents } = await path.expectEveryoneOnce();
    path.expectServicesAlive();
    process.stdout.write(
      `postgres-restart: people ${PEOPLE}; before the kill ${JSON.stringify(before)}; ` +
        `fed ${path.fedCount}; down ${downMs} ms; after ${JSON.stringify(counts)}; ` +
        `BookingConfirmed events in Kafka twice: ${duplicateEvents}; run ${Date.now() - started} ms\n`,
    );
    // The fault hit the run: bookings still to decide, and the relay failed against it.
    expect(before.bookings).toBeLessThan(PEOPLE);
    expect(await path.relayFailures()).toBeGreaterThan(relayFailures);
  }, 240_000);
});
