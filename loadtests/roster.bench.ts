/**
 * Roster benchmark (issue 6). Not a test: it prints figures (docs/benchmarks.md, "Roster").
 *
 *   node --import tsx loadtests/roster.bench.ts [--events 20000] [--rate 1000] [--seconds 30] [--smoke]
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
 *  3. look-up latency at a fixed 1,000 look-ups/s, open loop (requests leave on schedule
 *     whatever the answers do; latency counts from the scheduled time; see lookupLoad)
 *     through the gateway (rate limits off for the run: they count per citizen and per
 *     network, and one machine is one network), known people in turn; the first
 *     --lookup-warmup seconds at the same rate are reported apart (JIT, connections opening);
 *     p50/p90/p99 of the rest, plus the roster's own /internal/lookup for comparison, and the
 *     CPU each process spent per look-up (Linux /proc; "whole machine" includes neighbours).
 *
 * Options: --events (20000), --rate (1000), --seconds (30), --lookup-seconds (20),
 * --lookup-warmup (3), --lookup-rate (1000),
 * --database (postgresql://postgres@127.0.0.1:5432/khiw_bench).
 *
 * --smoke (what ./khiw test runs): 500 events, 100 events/s for 2 s, look-ups at 100/s for 2 s
 * after 1 s of warm-up; about 15 s. Any option given still wins. The figures then measure
 * nothing. Every run deletes its roster rows, the event ids it recorded, its Redis keys and
 * its topics at the end.
 */
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { parseArgs } from 'node:util';
import type { BookingConfirmedEvent } from '@khiw/contracts';
import { createPrismaClient, ensureDatabase, migrate } from '@khiw/db';
import { eventually } from '../infra/local/eventually';
import { createTopics, deleteTopics } from '../infra/local/kafka-admin';
import { rosterGroupId } from '../services/roster/src/roster/roster-events.consumer';
import { bookingLives, seeded, type BookingTruth } from '../services/roster/test/event-stream';
import { caughtUp, connectedProducer, publish, testKafka } from '../services/roster/test/roster-fixtures';
import { bookingConfirmedEvent } from '../test/support/events';
import { REDIS_URL } from '../test/support/env';
import { startService, type RunningService } from '../test/support/services';
import { cpuMeter } from './support/cpu-meter';
import { deleteNamespaceKeys } from './support/redis-memory';
import { sized } from './support/smoke';

const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: sized('20000', '500') },
    rate: { type: 'string', default: sized('1000', '100') },
    seconds: { type: 'string', default: sized('30', '2') },
    'lookup-seconds': { type: 'string', default: sized('20', '2') },
    'lookup-warmup': { type: 'string', default: sized('3', '1') },
    'lookup-rate': { type: 'string', default: sized('1000', '100') },
    database: { type: 'string', default: 'postgresql://postgres@127.0.0.1:5432/khiw_bench' },
    smoke: { type: 'boolean', default: false },
  },
});
const EVENTS = Math.min(200_000, Number(args.events));
const RATE = Math.min(5000, Number(args.rate));
const SECONDS = Math.min(300, Number(args.seconds));
const LOOKUP_SECONDS = Math.min(120, Number(args['lookup-seconds']));
const LOOKUP_WARMUP_SECONDS = Math.min(60, Number(args['lookup-warmup']));
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
  /** Every event id published: the roster records each in roster.processed_events. */
  const eventIds: string[] = [];
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
    await eventually(
      () => caughtUp(kafka, namespace, rosterGroupId(namespace)),
      60_000,
      'the roster to catch up',
    );
    const started = Date.now();
    eventIds.push(...events.map((e) => e.eventId));
    await publish(producer, namespace, events);
    const published = Date.now();
    await eventually(
      () => caughtUp(kafka, namespace, rosterGroupId(namespace)),
      600_000,
      'the roster to catch up',
      50,
    );
    const applySeconds = (Date.now() - started) / 1000;
    log(
      `1. ${EVENTS} events: published in ${((published - started) / 1000).toFixed(1)} s, all applied and committed after ${applySeconds.toFixed(1)} s = ${Math.round(EVENTS / applySeconds)} events/s`,
    );

    // 2. Lag under load.
    const background = bookingLives(`${campaignId}-load`, RATE * SECONDS, seeded(43)).events;
    eventIds.push(...background.map((e) => e.eventId));
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
      eventIds.push(probe.eventId);
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
    await eventually(
      () => caughtUp(kafka, namespace, rosterGroupId(namespace)),
      600_000,
      'the roster to catch up',
    );

    // 3. Look-up latency at a fixed rate.
    const people = [...truth.values()].filter((t) => t.status === 'confirmed');
    const processes = { bench: process.pid, gateway: gateway.child.pid, roster: roster.child.pid };
    let cpu = cpuMeter({});
    const viaGateway = await lookupLoad(
      `${gatewayUrl}/api/appointments/lookup`,
      campaignId,
      people,
      () => (cpu = cpuMeter(processes)),
    );
    log(
      `3. gateway look-up at ${LOOKUP_RATE}/s for ${LOOKUP_SECONDS} s after ${LOOKUP_WARMUP_SECONDS} s of warm-up (warm-up p99 ${viaGateway.warmupP99} ms, max ${viaGateway.warmupMax} ms): ${viaGateway.rps} req/s, p50 ${viaGateway.p50} ms, p90 ${viaGateway.p90} ms, p99 ${viaGateway.p99} ms, max ${viaGateway.max} ms, non-2xx ${viaGateway.non2xx}, errors ${viaGateway.errors}, connections ${viaGateway.connections}`,
    );
    log(`   CPU per look-up: ${cpu(viaGateway.count)}`);
    const direct = await lookupLoad(
      `http://127.0.0.1:${roster.port}/internal/lookup`,
      campaignId,
      people,
      () => (cpu = cpuMeter(processes)),
    );
    log(
      `   roster /internal/lookup at ${LOOKUP_RATE}/s, same warm-up (p99 ${direct.warmupP99} ms, max ${direct.warmupMax} ms): ${direct.rps} req/s, p50 ${direct.p50} ms, p90 ${direct.p90} ms, p99 ${direct.p99} ms, max ${direct.max} ms, non-2xx ${direct.non2xx}, errors ${direct.errors}, connections ${direct.connections}`,
    );
    log(`   CPU per look-up: ${cpu(direct.count)}`);
  } finally {
    for (const service of services.reverse()) await service.stop().catch(() => undefined);
    await producer.disconnect();
    const entries = await prisma.rosterEntry.deleteMany({
      where: { campaignId: { startsWith: campaignId } },
    });
    let processed = 0;
    for (let i = 0; i < eventIds.length; i += 5000)
      processed += await prisma.$executeRawUnsafe(
        `DELETE FROM roster.processed_events WHERE event_id = ANY($1::uuid[])`,
        eventIds.slice(i, i + 5000),
      );
    await prisma.$disconnect();
    await deleteTopics(namespace).catch(() => undefined);
    const keys = await deleteNamespaceKeys(REDIS_URL, namespace);
    log(
      `cleaned up ${entries.count} roster entries, ${processed} processed event ids, ${keys} Redis keys and the topics of ${namespace}`,
    );
  }
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

/**
 * Open-loop fixed-rate load: request i leaves at start + i / rate whatever the answers do,
 * on an idle keep-alive connection (a new one when all are busy), and its latency counts from
 * that scheduled time, so a server (or this generator) falling behind shows in the figures
 * instead of slowing the offer. Not autocannon's overallRate: that gives each connection a
 * per-second quota sent back to back at the top of every second (a burst at full concurrency,
 * then idle) and records an answer of L ms L times over (its coordinated-omission correction
 * with a 1 ms expected interval). Raw sockets and prebuilt requests like autocannon, because
 * this process shares the two cores with what it measures: node:http cost ~250 µs a request.
 */
async function lookupLoad(url: string, campaignId: string, people: BookingTruth[], onMeasuring: () => void) {
  const target = new URL(url);
  const warmup = LOOKUP_RATE * LOOKUP_WARMUP_SECONDS;
  const total = warmup + LOOKUP_RATE * LOOKUP_SECONDS;
  const warmupLatencies: number[] = [];
  const latencies: number[] = [];
  const idle: Connection[] = [];
  const all = new Set<Connection>();
  let non2xx = 0;
  let errors = 0;
  let sent = 0;
  let settled = 0;
  let finished: () => void = () => undefined;
  const settle = () => {
    if (++settled === total) finished();
  };

  interface Connection {
    socket: net.Socket;
    scheduled: number;
    measured: boolean;
    busy: boolean;
    received: Buffer;
  }
  const open = (): Connection => {
    const connection: Connection = {
      socket: net.connect(Number(target.port), target.hostname),
      scheduled: 0,
      measured: false,
      busy: false,
      received: Buffer.alloc(0),
    };
    connection.socket.setNoDelay(true);
    connection.socket.on('data', (chunk: Buffer) => {
      connection.received = connection.received.length ? Buffer.concat([connection.received, chunk]) : chunk;
      const status = completeAnswer(connection.received);
      if (status === undefined) return;
      (connection.measured ? latencies : warmupLatencies).push(performance.now() - connection.scheduled);
      if (connection.measured && (status < 200 || status >= 300)) non2xx++;
      connection.received = Buffer.alloc(0);
      connection.busy = false;
      idle.push(connection);
      settle();
    });
    const lost = () => {
      all.delete(connection);
      const at = idle.indexOf(connection);
      if (at >= 0) idle.splice(at, 1);
      if (connection.busy) {
        connection.busy = false;
        if (connection.measured) errors++;
        settle();
      }
    };
    connection.socket.once('error', lost);
    connection.socket.once('close', lost);
    all.add(connection);
    return connection;
  };
  const head = `POST ${target.pathname} HTTP/1.1\r\nHost: ${target.host}\r\nContent-Type: application/json\r\n`;
  const requests = people.map((person) => {
    const body = JSON.stringify({ campaignId, citizenId: person.citizenId, birthDate: person.birthDate });
    return Buffer.from(`${head}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  });

  const start = performance.now();
  const measuredFrom = start + LOOKUP_WARMUP_SECONDS * 1000;
  await new Promise<void>((resolve) => {
    finished = resolve;
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - start) * LOOKUP_RATE) / 1000) + 1);
      for (; sent < due; sent++) {
        const connection = idle.pop() ?? open();
        if (sent === warmup) onMeasuring();
        connection.busy = true;
        connection.measured = sent >= warmup;
        connection.scheduled = start + (sent * 1000) / LOOKUP_RATE;
        connection.socket.write(requests[sent % requests.length]!);
      }
      if (sent < total) setTimeout(tick, 1);
    };
    tick();
  });
  const seconds = (performance.now() - measuredFrom) / 1000;
  const connections = all.size;
  for (const connection of all) connection.socket.destroy();
  latencies.sort((a, b) => a - b);
  warmupLatencies.sort((a, b) => a - b);
  const ms = (value: number) => Math.round(value * 10) / 10;
  return {
    warmupP99: ms(quantile(warmupLatencies, 0.99)),
    warmupMax: ms(warmupLatencies.at(-1) ?? NaN),
    count: latencies.length,
    rps: Math.round(latencies.length / seconds),
    p50: ms(quantile(latencies, 0.5)),
    p90: ms(quantile(latencies, 0.9)),
    p99: ms(quantile(latencies, 0.99)),
    max: ms(latencies.at(-1) ?? NaN),
    non2xx,
    errors,
    connections,
  };
}

/**
 * The status code once `data` holds one whole HTTP/1.1 answer (Content-Length or chunked),
 * else undefined. Enough for our own services' answers; not a general parser.
 */
function completeAnswer(data: Buffer): number | undefined {
  const headEnd = data.indexOf('\r\n\r\n');
  if (headEnd < 0) return undefined;
  const head = data.toString('latin1', 0, headEnd).toLowerCase();
  const length = /\r\ncontent-length: *(\d+)/.exec(head);
  if (length) {
    if (data.length < headEnd + 4 + Number(length[1])) return undefined;
  } else if (/\r\ntransfer-encoding: *chunked/.test(head)) {
    if (data.lastIndexOf('0\r\n\r\n') !== data.length - 5) return undefined;
  }
  return Number(head.slice(9, 12));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
