/**
 * Roster benchmark (issue 6). Not a test: it prints figures (docs/benchmarks.md, "Roster").
 *
 *   node --import tsx loadtests/roster.bench.ts [--events 20000] [--rate 1000] [--seconds 30]
 *
 * On 127.0.0.1, in its own Kafka namespace and a bench database (khiw_bench by default),
 * with a real roster process and a real gateway process:
 *  1. events applied per second: N realistic booking events (confirm, promote, reschedule,
 *     cancel; services/roster/test/event-stream.ts) published to booking.events as fast as the
 *     producer goes; time from the first send to the roster group's offsets committed at the
 *     end of every partition (offsets are committed only after the write);
 *  2. roster lag under the booking benchmark's load: a background stream of --rate booking
 *     events/s (the booking engine's measured ~1,100 confirmed/s here) for --seconds, and
 *     every 100 ms one probe booking: time from its send being acknowledged by Kafka to the
 *     resident look-up through the gateway answering 200 with it; p50/p95/max;
 *  3. look-up latency at a fixed 1,000 look-ups/s (autocannon, overallRate) through the
 *     gateway (rate limits off for the run: they count per citizen and per network, and
 *     one machine is one network), random known people; p50/p99, plus the roster's own
 *     /internal/lookup for comparison.
 *
 * Options: --events (20000), --rate (1000), --seconds (30), --lookup-seconds (20),
 * --lookup-rate (1000), --database (postgresql://postgres@127.0.0.1:5432/khiw_bench).
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import type { BookingConfirmedEvent } from '@khiw/contracts';
import { createPrismaClient, ensureDatabase, migrate } from '@khiw/db';
import { createTopics, deleteTopics } from '../infra/local/kafka-admin';
import { rosterGroupId } from '../services/roster/src/roster/roster-events.consumer';
import { bookingLives, seeded, type BookingTruth } from '../services/roster/test/event-stream';
import { caughtUp, connectedProducer, publish, testKafka } from '../services/roster/test/roster-fixtures';
import { bookingConfirmedEvent } from '../test/support/events';
import { startService, type RunningService } from '../test/support/services';

const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '20000' },
    rate: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '30' },
    'lookup-seconds': { type: 'string', default: '20' },
    'lookup-rate': { type: 'string', default: '1000' },
    database: { type: 'string', default: 'postgresql://postgres@127.0.0.1:5432/khiw_bench' },
  },
});
const EVENTS = Math.min(200_000, Number(args.events));
const RATE = Math.min(5000, Number(args.rate));
const SECONDS = Math.min(300, Number(args.seconds));
const LOOKUP_SECONDS = Math.min(120, Number(args['lookup-seconds']));
const LOOKUP_RATE = Math.min(5000, Number(args['lookup-rate']));
const DATABASE_URL = args.database!;

const log = (message: string) => console.log(`[roster-bench] ${message}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;

async function main(): Promise<void> {
  const namespace = `bench-roster-${randomUUID().slice(0, 6)}`;
  const campaignId = namespace;
  await ensureDatabase(DATABASE_URL);
  await migrate(DATABASE_URL);
  await createTopics(namespace);
  const kafka = testKafka();
  const producer = await connectedProducer(kafka);
  const prisma = createPrismaClient(DATABASE_URL, { poolSize: 2 });
  const services: RunningService[] = [];
  try {
    const roster = await startService('roster', namespace, { DATABASE_URL, LOG_LEVEL: 'warn' });
    services.push(roster);
    const gateway = await startService('gateway', namespace, {
      DATABASE_URL,
      LOG_LEVEL: 'warn',
      ROSTER_API_URL: `http://127.0.0.1:${roster.port}`,
      WAITING_ROOM_ADMISSION_LOOP: 'false',
      SELF_SERVICE_PER_CITIZEN_PER_MINUTE: '0',
      SELF_SERVICE_PER_NETWORK_PER_MINUTE: '0',
    });
    services.push(gateway);
    const gatewayUrl = `http://127.0.0.1:${gateway.port}`;

    // 1. Events applied per second.
    const { events, truth } = bookingLives(campaignId, EVENTS, seeded(42));
    // Let the consumer join the group first: the measurement is applying, not joining.
    await waitFor(() => caughtUp(kafka, namespace, rosterGroupId(namespace)), 60_000);
    const started = Date.now();
    await publish(producer, namespace, events);
    const published = Date.now();
    await waitFor(() => caughtUp(kafka, namespace, rosterGroupId(namespace)), 600_000, 50);
    const applySeconds = (Date.now() - started) / 1000;
    log(
      `1. ${EVENTS} events: published in ${((published - started) / 1000).toFixed(1)} s, all applied and committed after ${applySeconds.toFixed(1)} s = ${Math.round(EVENTS / applySeconds)} events/s`,
    );

    // 2. Lag under load.
    const background = bookingLives(`${campaignId}-load`, RATE * SECONDS, seeded(43)).events;
    const lags: number[] = [];
    const probes: Promise<void>[] = [];
    let failed = 0;
    const tickMs = 100;
    const perTick = Math.max(1, Math.round((RATE * tickMs) / 1000));
    const loadStart = Date.now();
    for (let tick = 0; tick * perTick < background.length; tick++) {
      const due = loadStart + tick * tickMs;
      if (due > Date.now()) await sleep(due - Date.now());
      const probe = bookingConfirmedEvent(campaignId, 1_000_000 + tick);
      void publish(producer, namespace, background.slice(tick * perTick, (tick + 1) * perTick));
      probes.push(
        publish(producer, namespace, [probe]).then(async () => {
          const sent = Date.now();
          const visible = await visibleInLookup(gatewayUrl, campaignId, probe, 30_000);
          if (visible === null) failed++;
          else lags.push(visible - sent);
        }),
      );
    }
    await Promise.all(probes);
    const loadSeconds = (Date.now() - loadStart) / 1000;
    lags.sort((a, b) => a - b);
    log(
      `2. lag at ${Math.round(background.length / loadSeconds)} events/s for ${loadSeconds.toFixed(0)} s, ${lags.length} probes: p50 ${quantile(lags, 0.5)} ms, p95 ${quantile(lags, 0.95)} ms, max ${lags.at(-1)} ms, not visible within 30 s: ${failed}`,
    );
    await waitFor(() => caughtUp(kafka, namespace, rosterGroupId(namespace)), 600_000);

    // 3. Look-up latency at a fixed rate.
    const people = [...truth.values()].filter((t) => t.status === 'confirmed');
    const viaGateway = await lookupLoad(`${gatewayUrl}/api/appointments/lookup`, campaignId, people);
    log(
      `3. gateway look-up at ${LOOKUP_RATE}/s for ${LOOKUP_SECONDS} s: ${viaGateway.rps} req/s, p50 ${viaGateway.p50} ms, p90 ${viaGateway.p90} ms, p99 ${viaGateway.p99} ms, max ${viaGateway.max} ms, non-2xx ${viaGateway.non2xx}, errors ${viaGateway.errors}`,
    );
    const direct = await lookupLoad(`http://127.0.0.1:${roster.port}/internal/lookup`, campaignId, people);
    log(
      `   roster /internal/lookup at ${LOOKUP_RATE}/s: ${direct.rps} req/s, p50 ${direct.p50} ms, p99 ${direct.p99} ms, max ${direct.max} ms, non-2xx ${direct.non2xx}`,
    );
  } finally {
    for (const service of services.reverse()) await service.stop().catch(() => undefined);
    await producer.disconnect();
    await prisma.rosterEntry.deleteMany({ where: { campaignId: { startsWith: campaignId } } });
    await prisma.$disconnect();
    await deleteTopics(namespace).catch(() => undefined);
  }
}

async function waitFor(probe: () => Promise<boolean>, timeoutMs: number, everyMs = 200): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return;
    await sleep(everyMs);
  }
  throw new Error('timed out');
}

/** ms timestamp when the gateway's look-up first answered 200 for the probe, or null. */
async function visibleInLookup(
  base: string,
  campaignId: string,
  event: BookingConfirmedEvent,
  timeoutMs: number,
): Promise<number | null> {
  const body = JSON.stringify({
    campaignId,
    citizenId: event.data.person.citizenId,
    birthDate: event.data.person.birthDate,
  });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const response = await fetch(`${base}/api/appointments/lookup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    }).catch(() => null);
    if (response?.status === 200) {
      const answer = (await response.json()) as { booking?: { bookingId?: string } };
      if (answer.booking?.bookingId === event.bookingId) return Date.now();
    } else {
      await response?.arrayBuffer();
    }
    await sleep(20);
  }
  return null;
}

async function lookupLoad(url: string, campaignId: string, people: BookingTruth[]) {
  let turn = 0;
  const result = await autocannon({
    url,
    method: 'POST',
    connections: 50,
    overallRate: LOOKUP_RATE,
    duration: LOOKUP_SECONDS,
    timeout: 10,
    headers: { 'content-type': 'application/json' },
    requests: [
      {
        method: 'POST',
        setupRequest: (request) => {
          const person = people[turn++ % people.length]!;
          return {
            ...request,
            body: JSON.stringify({ campaignId, citizenId: person.citizenId, birthDate: person.birthDate }),
          };
        },
      },
    ],
  });
  return {
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    max: result.latency.max,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
