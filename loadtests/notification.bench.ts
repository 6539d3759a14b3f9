/**
 * Notification benchmark (issue 5): with Kannel's SMSC throughput set to T parts/s, does the
 * notification service keep the gateway full (≥ 0.95 T when offered more than T) and answer
 * quickly below it (booking committed → accepted by Kannel, p95 ≤ 2 s)? Printed side by side
 * with Kannel's own sendsms driven directly at the same rates, which is the ceiling.
 *
 *   node --import tsx loadtests/notification.bench.ts                 # T=200 parts/s, 30 s a run
 *   KANNEL_THROUGHPUT=400 BENCH_SECONDS=60 node --import tsx loadtests/notification.bench.ts
 *
 * Needs `bash infra/local/infra.sh up` (PostgreSQL, Redis, Kafka); Kannel is a private
 * instance on free ports. A Thai confirmation is 2 UCS-2 parts, so T parts/s = T/2 SMS/s,
 * and the service runs with SMS_RATE_PER_SECOND = T/2. Offered rates: 0.8 and 1.25 × T/2.
 *
 * --ceiling: the fake SMSC's own ceiling (issue 14): Kannel with no throughput limit, its
 * sendsms driven directly at rising rates (CEILING_RATES, SMS/s), parts counted at fakesmsc,
 * with the CPU of bearerbox, smsbox, fakesmsc and this process per SMS. With --smoke: one
 * low rate for 3 s.
 *
 * --smoke (or BENCH_SMOKE=1; what ./khiw test runs): 3 s per run and only the rate below T
 * (kannel sendsms, then the service): about 20 s. The figures then measure nothing. Every run
 * deletes its SMS rows, delivery reports, outbox rows, Redis keys and topics at the end.
 */
import { readFile } from 'node:fs/promises';
import type { Producer } from 'kafkajs';
import { createPrismaClient, type PrismaClient } from '@khiw/db';
import { createTopics, deleteTopics } from '../infra/local/kafka-admin';
import { startPrivateKannel, type PrivateKannel } from '../infra/local/kannel/private-kannel';
import {
  confirmedEvents,
  startNotification,
  testKafka,
} from '../services/notification/test/notification-harness';
import { renderSms } from '../services/notification/src/sms/templates';
import { REDIS_URL, TEST_DATABASE_URL, uniqueNamespace } from '../test/support/env';
import { deleteNamespaceKeys } from './support/redis-memory';
import { cpuMeter } from './support/cpu-meter';
import { SMOKE, sized } from './support/smoke';

const T = Number(process.env.KANNEL_THROUGHPUT ?? 200);
const SECONDS = Number(process.env.BENCH_SECONDS ?? sized(30, 3));
const SMS_RATE = Math.floor(T / 2);
const DEADLINE_MS = sized(30 * 60_000, 90_000);

interface Result {
  offered: number; // SMS/s
  acceptedPerSecond: number; // SMS/s accepted by Kannel, steady state
  partsPerSecond: number; // parts/s reaching the SMSC (fakesmsc), steady state
  latency: { p50: number; p95: number; p99: number }; // seconds, to accepted by Kannel
  /** Sends Kannel refused or never answered (kannel sendsms runs only). */
  failed?: number;
}

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Calls `fire(i)` `rate` times a second for `seconds`, evenly spaced, without waiting for it. */
async function pace(rate: number, seconds: number, fire: (i: number) => void): Promise<number> {
  const total = Math.round(rate * seconds);
  const start = Date.now();
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    if (due > Date.now()) await sleep(due - Date.now());
    fire(i);
  }
  return total;
}

/** Rate of events over the middle of the run (the first and last 15 % are ramp-up and drain). */
function steadyRate(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  const from = Math.floor(sorted.length * 0.15);
  const to = Math.floor(sorted.length * 0.85);
  const span = (sorted[to]! - sorted[from]!) / 1000;
  return span > 0 ? (to - from) / span : NaN;
}

/** When fakesmsc logged each part after `fromLine` (second resolution: spread within the second). */
async function partTimes(kannel: PrivateKannel, fromLine: number): Promise<number[]> {
  const lines = (await readFile(kannel.fakesmscLog, 'utf8')).split('\n').slice(fromLine);
  const bySecond = new Map<number, number>();
  for (const line of lines) {
    if (!/Got message \d+:/.test(line)) continue;
    const t = Date.parse(line.slice(0, 19).replace(' ', 'T'));
    bySecond.set(t, (bySecond.get(t) ?? 0) + 1);
  }
  return [...bySecond].flatMap(([t, n]) => Array.from({ length: n }, (_, i) => t + (i * 1000) / n));
}

async function logLines(kannel: PrivateKannel): Promise<number> {
  return (await readFile(kannel.fakesmscLog, 'utf8').catch(() => '')).split('\n').length;
}

async function kannelDirect(kannel: PrivateKannel, rate: number): Promise<Result> {
  const fromLine = await logLines(kannel);
  const events = confirmedEvents('bench-direct', Math.round(rate * SECONDS));
  const latencies: number[] = [];
  const accepted: number[] = [];
  const inFlight: Promise<void>[] = [];
  let failed = 0; // refused or timed out: past the ceiling
  await pace(rate, SECONDS, (i) => {
    const e = events[i]!;
    const text = renderSms({ kind: 'confirmation', reference: e.data.reference, ...e.data.appointment }).text;
    const url = new URL(kannel.sendsmsUrl);
    url.search = new URLSearchParams({
      username: kannel.username,
      password: kannel.password,
      from: 'khiw',
      to: e.data.person.phone,
      text,
      charset: 'UTF-8',
      coding: '2',
      'dlr-mask': '31',
    }).toString();
    const started = Date.now();
    inFlight.push(
      fetch(url).then(
        async (r) => {
          await r.text();
          if (r.status === 202) {
            accepted.push(Date.now());
            latencies.push((Date.now() - started) / 1000);
          } else failed += 1;
        },
        () => void (failed += 1),
      ),
    );
  });
  await Promise.allSettled(inFlight);
  await sleep(3000 + (rate * SECONDS * 2 * 1000) / T / 4);
  const parts = await partTimes(kannel, fromLine);
  latencies.sort((a, b) => a - b);
  return {
    offered: rate,
    failed,
    acceptedPerSecond: steadyRate(accepted),
    partsPerSecond: steadyRate(parts),
    latency: {
      p50: quantile(latencies, 0.5),
      p95: quantile(latencies, 0.95),
      p99: quantile(latencies, 0.99),
    },
  };
}

async function throughService(kannel: PrivateKannel, prisma: PrismaClient, rate: number): Promise<Result> {
  const namespace = uniqueNamespace('bench-sms');
  const campaignId = `bench-${namespace.slice(-6)}`;
  const events = confirmedEvents(campaignId, Math.round(rate * SECONDS));
  await createTopics(namespace);
  // A producer per run: kafkajs keeps refreshing metadata of every topic it ever sent to, and
  // fails once an earlier run's topics are deleted.
  const producer: Producer = testKafka('notification-bench').producer();
  await producer.connect();
  const service = await startNotification(namespace, kannel, SMS_RATE, { SMS_CONCURRENCY: '40' });
  try {
    const fromLine = await logLines(kannel);
    // A fresh topic can take a moment to be known to every client: wait until it takes a message.
    for (let tries = 0; ; tries++) {
      try {
        await producer.send({
          topic: `${namespace}.booking.events`,
          messages: [{ key: 'warm-up', value: 'x' }],
        });
        break;
      } catch (error) {
        if (tries > 30) throw error;
        await sleep(1000);
      }
    }
    const sends: Promise<unknown>[] = [];
    let lost = 0;
    // occurredAt is when the booking would have committed: the moment the event is published.
    await pace(rate, SECONDS, (i) => {
      const e = { ...events[i]!, occurredAt: new Date().toISOString() };
      sends.push(
        producer
          .send({
            topic: `${namespace}.booking.events`,
            acks: -1,
            messages: [{ key: e.bookingId, value: JSON.stringify(e) }],
          })
          .catch(() => lost++),
      );
    });
    await Promise.all(sends);
    if (lost) console.warn(`${lost} events could not be published`);
    const ids = events.map((e) => e.eventId);
    const deadline = Date.now() + 120_000 + (events.length * 1000) / SMS_RATE;
    while (Date.now() < deadline) {
      const done = await prisma.smsMessage.count({ where: { id: { in: ids }, sentAt: { not: null } } });
      if (done >= events.length) break;
      await sleep(1000);
    }
    const rows = await prisma.smsMessage.findMany({
      where: { id: { in: ids }, sentAt: { not: null } },
      select: { sentAt: true, causedAt: true },
    });
    await sleep(3000);
    const parts = await partTimes(kannel, fromLine);
    const latencies = rows
      .map((r) => (r.sentAt!.getTime() - r.causedAt!.getTime()) / 1000)
      .sort((a, b) => a - b);
    return {
      offered: rate,
      acceptedPerSecond: steadyRate(rows.map((r) => r.sentAt!.getTime())),
      partsPerSecond: steadyRate(parts),
      latency: {
        p50: quantile(latencies, 0.5),
        p95: quantile(latencies, 0.95),
        p99: quantile(latencies, 0.99),
      },
    };
  } finally {
    await service.stop();
    await producer.disconnect();
    await deleteTopics(namespace).catch(() => undefined);
    await cleanUp(prisma, namespace, campaignId, events);
  }
}

/** What one service run left: its SMS rows (reminders too), their reports and events, its keys. */
async function cleanUp(
  prisma: PrismaClient,
  namespace: string,
  campaignId: string,
  events: { bookingId: string }[],
): Promise<void> {
  const reports = await prisma.deliveryReport.deleteMany({ where: { sms: { campaignId } } });
  const sms = await prisma.smsMessage.deleteMany({ where: { campaignId } });
  const outbox = await prisma.notificationOutboxEvent.deleteMany({
    where: { key: { in: events.map((e) => e.bookingId) } },
  });
  const keys = await deleteNamespaceKeys(REDIS_URL, namespace);
  console.log(
    `cleaned up ${sms.count} SMS rows, ${reports.count} delivery reports, ${outbox.count} outbox rows, ${keys} Redis keys and the topics of ${namespace}`,
  );
}

function row(label: string, r: Result, throughput = T): string {
  const f = (n: number, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : '-');
  return [
    label.padEnd(26),
    f(r.offered).padStart(8),
    f(r.acceptedPerSecond).padStart(10),
    f(r.partsPerSecond).padStart(10),
    `${throughput >= UNLIMITED ? '-' : f(r.partsPerSecond / throughput, 2)}`.padStart(7),
    f(r.latency.p50, 3).padStart(8),
    f(r.latency.p95, 3).padStart(8),
    f(r.latency.p99, 3).padStart(8),
  ].join(' ');
}

/** Kannel's processes would outlive this one: a run that hangs stops them before it exits. */
function stopAtDeadline(kannel: PrivateKannel): NodeJS.Timeout {
  const deadline = setTimeout(() => {
    console.error(`benchmark exceeded ${DEADLINE_MS / 1000} s; stopping`);
    void kannel.close().finally(() => process.exit(2));
  }, DEADLINE_MS);
  return deadline.unref();
}

/** Kannel's `throughput` when asked for no limit: far above anything this machine can send. */
const UNLIMITED = 1_000_000;

/**
 * The SMS path's ceiling on this machine, without khiw: Kannel at no throughput limit, driven
 * directly at each rate in turn, and what reached fakesmsc per second. The highest rate whose
 * parts keep up is the ceiling a replay's `KANNEL_THROUGHPUT` must stay under.
 */
async function ceiling(): Promise<void> {
  const rates = (process.env.CEILING_RATES ?? (SMOKE ? '50' : '200,400,800,1600')).split(',').map(Number);
  const kannel = await startPrivateKannel({ throughput: UNLIMITED });
  const deadline = stopAtDeadline(kannel);
  try {
    const lines: string[] = [];
    for (const rate of rates) {
      const meter = cpuMeter({ ...kannel.pids(), 'load generator': process.pid });
      const r = await kannelDirect(kannel, rate);
      lines.push(
        `${row(`kannel sendsms, ${rate}/s`, r, UNLIMITED)}\n    not accepted ${r.failed ?? 0}; CPU per SMS: ${meter(rate * SECONDS)}`,
      );
    }
    console.log(
      `\n${SMOKE ? '(smoke) ' : ''}The SMS path's ceiling: Kannel with no throughput limit (${UNLIMITED}), driven directly; ${SECONDS} s per rate; a Thai confirmation = 2 UCS-2 parts\n`,
    );
    console.log(
      `${'run'.padEnd(26)} ${'offered'.padStart(8)} ${'accept/s'.padStart(10)} ${'parts/s'.padStart(10)} ${'-'.padStart(7)} ${'p50 s'.padStart(8)} ${'p95 s'.padStart(8)} ${'p99 s'.padStart(8)}`,
    );
    for (const line of lines) console.log(line);
    console.log('\nparts/s: what reached fakesmsc, steady state (its log has one-second resolution).');
  } finally {
    await kannel.close();
    clearTimeout(deadline);
  }
}

async function main(): Promise<void> {
  if (process.argv.includes('--ceiling')) return ceiling();
  const kannel = await startPrivateKannel({ throughput: T });
  const deadline = stopAtDeadline(kannel);
  const prisma = createPrismaClient(TEST_DATABASE_URL, { poolSize: 4 });
  const below = Math.floor(SMS_RATE * 0.8);
  const above = Math.ceil(SMS_RATE * 1.25);
  const rates = [
    ['below T', below],
    ['above T', above],
  ] as const;
  try {
    const results: [string, Result][] = [];
    for (const [name, rate] of SMOKE ? rates.slice(0, 1) : rates) {
      results.push([`kannel sendsms, ${name}`, await kannelDirect(kannel, rate)]);
      results.push([`notification, ${name}`, await throughService(kannel, prisma, rate)]);
    }
    console.log(
      `\n${SMOKE ? '(smoke) ' : ''}Kannel throughput T = ${T} parts/s (Thai confirmation = 2 parts, so ${SMS_RATE} SMS/s); ${SECONDS} s per run; SMS_RATE_PER_SECOND=${SMS_RATE}\n`,
    );
    console.log(
      `${'run'.padEnd(26)} ${'offered'.padStart(8)} ${'accept/s'.padStart(10)} ${'parts/s'.padStart(10)} ${'of T'.padStart(7)} ${'p50 s'.padStart(8)} ${'p95 s'.padStart(8)} ${'p99 s'.padStart(8)}`,
    );
    for (const [label, r] of results) console.log(row(label, r));
    console.log(
      '\noffered/accept: SMS/s; parts/s: reaching the SMSC (fakesmsc), steady state; latency: event published → Kannel answered 202 (for sendsms: request → 202).',
    );
  } finally {
    await prisma.$disconnect();
    await kannel.close();
    clearTimeout(deadline);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
