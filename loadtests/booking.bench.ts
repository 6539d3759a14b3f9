/**
 * Booking engine benchmark (issue 4). Not a test: it prints figures (docs/benchmarks.md).
 *
 *   node --import tsx loadtests/booking.bench.ts [--requests 30000] [--workers 2] [--rounds 2] [--smoke]
 *
 * In one run, on 127.0.0.1 only, bounded in count and time, cleaning up after itself, it
 * alternates two measurements on the same PostgreSQL database (khiw_bench by default):
 *  1. pgbench running ONE booking per transaction (loadtests/booking-bench/book-one.sql: lock
 *     the campaign row, guarded UPDATEs of slot, group and campaign, INSERT booking and its
 *     outbox row) on a copy of the sample campaign whose capacities are raised so it never
 *     runs out, with a fixed number of clients for a fixed time: tps;
 *  2. khiw end to end: N booking jobs for a fresh copy of the sample campaign (distinct
 *     eligible people spread over the groups by quota and over the slots within capacity)
 *     added to the BullMQ `booking` queue with addBulk, decided by W booking-worker processes
 *     (started like production, OUTBOX_RELAY_ENABLED=false: Kafka is out of the measurement,
 *     the outbox rows are written in the booking transaction all the same): time from the
 *     first add to the last booking committed, confirmed bookings/s, the workers' batch-size
 *     histogram, CPU by process, and the invariants afterwards.
 * Then the table: khiw bookings/s, pgbench tps, ratio (targets ≥ 2,000/s and ≥ 0.5×).
 *
 * Options (all optional): --requests N (30000), --workers W (2), --rounds R (2),
 * --concurrency (BOOKING_CONCURRENCY, worker default), --max-batch (BOOKING_MAX_BATCH),
 * --pool (DATABASE_POOL_SIZE), --pgbench-clients (8), --pgbench-threads (2),
 * --pgbench-seconds (15), --database (postgresql://postgres@127.0.0.1:5432/khiw_bench),
 * --keep (leave the campaigns' rows in the database), --cpu-prof DIR (V8 CPU profiles of the
 * workers into DIR).
 *
 * --smoke (what ./khiw test runs): 300 requests, 1 worker, 1 round, pgbench -c 2 for 2 s, a
 * round limit of 60 s; about 10 s. Any option given still wins. The figures then measure nothing.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Queue } from 'bullmq';
import { QUEUES } from '@khiw/contracts';
import { createPrismaClient } from '@khiw/db';
import { createLogger } from '@khiw/observability';
import { bullPrefix, closeRedis, createRedisClient } from '@khiw/redis';
import { spawnService, stopChild, waitUntilReady } from '../infra/local/services';
import { BOOKING_JOB_OPTIONS } from '../services/gateway/src/bookings/submit-booking.usecase';
import { freePort, sampleCampaign } from '../test/support/env';
import { checkInvariants, makeJobs } from './booking-bench/bookings';
import { deleteCampaign, loadCampaign, prepareDatabase, raiseCapacities } from './booking-bench/campaigns';
import {
  cpuLine,
  CpuMonitor,
  cpuPerBooking,
  KHIW_KINDS,
  PGBENCH_KINDS,
  type CpuFigures,
} from './booking-bench/cpu-monitor';
import { pgbench, type PgbenchFigures } from './booking-bench/pgbench';
import {
  histogramLine,
  metricsDelta,
  workerMetrics,
  type WorkerMetrics,
} from './booking-bench/worker-metrics';
import { productionEnv } from './support/production-env';
import { deleteKeys } from './support/redis-memory';
import { SMOKE, sized } from './support/smoke';

const { values: args } = parseArgs({
  options: {
    requests: { type: 'string', default: sized('30000', '300') },
    workers: { type: 'string', default: sized('2', '1') },
    rounds: { type: 'string', default: sized('2', '1') },
    concurrency: { type: 'string' },
    'max-batch': { type: 'string' },
    pool: { type: 'string' },
    'pgbench-clients': { type: 'string', default: sized('8', '2') },
    'pgbench-threads': { type: 'string', default: sized('2', '1') },
    'pgbench-seconds': { type: 'string', default: sized('15', '2') },
    database: { type: 'string', default: 'postgresql://postgres@127.0.0.1:5432/khiw_bench' },
    keep: { type: 'boolean', default: false },
    'cpu-prof': { type: 'string' },
    smoke: { type: 'boolean', default: false },
  },
});
const bounded = (name: string, value: string | undefined, min: number, max: number) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new Error(`--${name} must be an integer ${min}..${max}`);
  return n;
};
const REQUESTS = bounded('requests', args.requests, 1, 100_000);
const WORKERS = bounded('workers', args.workers, 1, 8);
const ROUNDS = bounded('rounds', args.rounds, 1, 5);
const PG_CLIENTS = bounded('pgbench-clients', args['pgbench-clients'], 1, 64);
const PG_THREADS = bounded('pgbench-threads', args['pgbench-threads'], 1, 8);
const PG_SECONDS = bounded('pgbench-seconds', args['pgbench-seconds'], 1, 120);
const DATABASE_URL = args.database!;
const REDIS_URL = 'redis://127.0.0.1:6379';
/** One khiw round may take this long before it is reported as unfinished. */
const ROUND_LIMIT_MS = sized(180_000, 60_000);
const DEADLINE_MS = sized(15 * 60_000, 90_000);
const TARGET_RATE = 2000;
const TARGET_RATIO = 0.5;

if (!/@(127\.0\.0\.1|localhost)[:/]/.test(DATABASE_URL)) throw new Error('--database must be on 127.0.0.1');

const tag = randomBytes(3).toString('hex');
const namespace = `bench-${tag}`;
const PGBENCH_CAMPAIGN = `bench-${tag}-pgbench`;
const khiwCampaign = (round: number) => `bench-${tag}-khiw-${round}`;
const BENCH_DB = new URL(DATABASE_URL).pathname.slice(1);

const logger = createLogger({ service: 'bench', level: 'warn' });
const log = (...parts: unknown[]) => console.log(...parts);
const rate = (n: number) => Math.round(n).toLocaleString('en-US');
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const workers: RunningWorker[] = [];
const prisma = createPrismaClient(DATABASE_URL, { poolSize: 3, applicationName: 'khiw-bench' });
const q = <T>(sql: string, ...params: unknown[]) => prisma.$queryRawUnsafe<T[]>(sql, ...params);

// ---------------------------------------------------------------------------------------------
// khiw: booking workers, jobs, progress

interface RunningWorker {
  child: ChildProcess;
  port: number;
  output: () => string;
}

async function startWorker(): Promise<RunningWorker> {
  const port = await freePort();
  const env: Record<string, string> = {
    ...(await productionEnv('booking-worker')),
    LOG_LEVEL: 'warn',
    KHIW_NAMESPACE: namespace,
    PORT: String(port),
    REDIS_URL,
    DATABASE_URL,
    // Never contacted: the relay is off, so Kafka is not part of what is measured.
    KAFKA_BROKERS: '127.0.0.1:9092',
    OUTBOX_RELAY_ENABLED: 'false',
    SHUTDOWN_TIMEOUT_MS: '20000',
  };
  if (args.concurrency) env.BOOKING_CONCURRENCY = args.concurrency;
  if (args['max-batch']) env.BOOKING_MAX_BATCH = args['max-batch'];
  if (args.pool) env.DATABASE_POOL_SIZE = args.pool;
  // V8 CPU profiles of the workers, written when they exit.
  const nodeArgs = args['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(args['cpu-prof'])}`] : [];
  const child = spawnService('booking-worker', env, { nodeArgs });
  let output = '';
  child.stdout?.on('data', (chunk) => (output = (output + chunk).slice(-20_000)));
  child.stderr?.on('data', (chunk) => (output = (output + chunk).slice(-20_000)));
  try {
    await waitUntilReady(port, 60_000, child);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`booking-worker did not start: ${(error as Error).message}\n${output.slice(-3000)}`, {
      cause: error,
    });
  }
  return { child, port, output: () => output };
}

interface KhiwFigures {
  campaignId: string;
  expected: number;
  confirmed: number;
  seconds: number;
  addSeconds: number;
  allDecidedSeconds: number | null;
  rate: number;
  metrics: WorkerMetrics;
  cpu: CpuFigures;
  invariants: string[];
  invariantsOk: boolean;
}

async function khiwRound(
  round: number,
  queue: Queue,
  workers: RunningWorker[],
  totalDoses: number,
): Promise<KhiwFigures> {
  const campaignId = khiwCampaign(round);
  await loadCampaign(prisma, campaignId);
  const jobs = await makeJobs(q, campaignId, REQUESTS);
  const expected = Math.min(REQUESTS, totalDoses);
  const ports = workers.map((w) => w.port);
  const metricsBefore = await workerMetrics(ports);
  const monitor = new CpuMonitor(
    BENCH_DB,
    workers.map((w) => w.child.pid!),
  );
  // booked_doses moves in the same transaction as the booking rows (a primary-key read, cheap
  // enough to poll every 50 ms); the invariants check the rows themselves afterwards.
  const countConfirmed = async () =>
    (await q<{ n: number }>(`SELECT booked_doses AS n FROM booking.campaigns WHERE id = $1`, campaignId))[0]!
      .n;
  const finishedJobs = async () => {
    const counts = (await queue.getJobCounts('completed', 'failed')) as Record<string, number>;
    return (counts.completed ?? 0) + (counts.failed ?? 0);
  };
  const finishedBefore = await finishedJobs();
  const countStandby = async () =>
    Number(
      (
        await q<{ n: bigint }>(
          `SELECT count(*) AS n FROM booking.standby_entries WHERE campaign_id = $1`,
          campaignId,
        )
      )[0]!.n,
    );

  const started = performance.now();
  let addSeconds = 0;
  const adding = (async () => {
    for (let i = 0; i < jobs.length; i += 1000) {
      await queue.addBulk(
        jobs.slice(i, i + 1000).map((data) => ({
          name: 'request',
          data,
          opts: { ...BOOKING_JOB_OPTIONS, jobId: data.requestId },
        })),
      );
    }
    addSeconds = (performance.now() - started) / 1000;
  })();

  let confirmed = 0;
  let lastConfirmedAt = started;
  let allDecidedSeconds: number | null = null;
  let cpu: CpuFigures | null = null;
  while (performance.now() - started < ROUND_LIMIT_MS) {
    await sleep(50);
    const now = await countConfirmed();
    const at = performance.now();
    if (now > confirmed) {
      confirmed = now;
      lastConfirmedAt = at;
    }
    if (confirmed >= expected && !cpu) cpu = monitor.stop();
    if (confirmed >= expected) {
      // Everyone else (standby, rejected) is decided too before the round ends.
      if ((await finishedJobs()) - finishedBefore >= REQUESTS) {
        allDecidedSeconds = (performance.now() - started) / 1000;
        break;
      }
    }
  }
  await adding;
  cpu ??= monitor.stop();
  const seconds = (lastConfirmedAt - started) / 1000;
  const metrics = metricsDelta(metricsBefore, await workerMetrics(ports));
  const { lines, ok } = await checkInvariants(q, {
    campaignId,
    expected,
    requests: REQUESTS,
    standby: await countStandby(),
  });
  return {
    campaignId,
    expected,
    confirmed,
    seconds,
    addSeconds,
    allDecidedSeconds,
    rate: confirmed / seconds,
    metrics,
    cpu,
    invariants: lines,
    invariantsOk: ok,
  };
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const deadline = setTimeout(() => {
    console.error(`benchmark exceeded ${DEADLINE_MS / 1000} s; stopping`);
    for (const w of workers) w.child.kill('SIGKILL');
    process.exit(2);
  }, DEADLINE_MS);
  deadline.unref();
  const cpus = os.cpus();
  log(
    `khiw booking benchmark${SMOKE ? ' (smoke)' : ''} · namespace ${namespace} · ${REQUESTS} requests · ${WORKERS} booking-worker processes · ${ROUNDS} rounds · pgbench -c ${PG_CLIENTS} -j ${PG_THREADS} -T ${PG_SECONDS}`,
  );
  log(`machine: ${cpus.length} cores (${cpus[0]?.model.trim()}), node ${process.version}`);
  const redis = createRedisClient({ url: REDIS_URL, name: 'bench', logger, blocking: true });
  const queue = new Queue(QUEUES.booking, { connection: redis, prefix: bullPrefix(namespace) });
  const campaigns: string[] = [];
  const results: { pgbench: PgbenchFigures[]; khiw: KhiwFigures[] } = { pgbench: [], khiw: [] };
  try {
    log(await prepareDatabase(DATABASE_URL));
    campaigns.push(PGBENCH_CAMPAIGN);
    await loadCampaign(prisma, PGBENCH_CAMPAIGN);
    await raiseCapacities(prisma, PGBENCH_CAMPAIGN);
    const totalDoses = (sampleCampaign('x') as { totalDoses: number }).totalDoses;

    log(`starting ${WORKERS} booking-worker processes (OUTBOX_RELAY_ENABLED=false, no Kafka)`);
    workers.push(...(await Promise.all(Array.from({ length: WORKERS }, () => startWorker()))));
    const env = (name: string, fallback: string) => args[name as 'pool'] ?? fallback;
    log(
      `  BOOKING_CONCURRENCY ${env('concurrency', '200 (default)')}, BOOKING_MAX_BATCH ${env('max-batch', '200 (default)')}, DATABASE_POOL_SIZE ${env('pool', '10 (default)')}`,
    );

    for (let round = 1; round <= ROUNDS; round++) {
      log(`\nround ${round}/${ROUNDS}`);
      const pg = await pgbench({
        databaseUrl: DATABASE_URL,
        campaignId: PGBENCH_CAMPAIGN,
        clients: PG_CLIENTS,
        threads: PG_THREADS,
        seconds: PG_SECONDS,
        round,
      });
      results.pgbench.push(pg);
      log(
        `  pgbench: ${rate(pg.tps)} tps (${pg.transactions} bookings, ${pg.failed} failed, ${pg.latencyMs} ms average latency)`,
      );
      log(`  CPU (cores): ${cpuLine(pg.cpu, pg.transactions, PGBENCH_KINDS)}`);
      campaigns.push(khiwCampaign(round));
      const k = await khiwRound(round, queue, workers, totalDoses);
      results.khiw.push(k);
      log(
        `  khiw: ${k.confirmed} confirmed in ${k.seconds.toFixed(2)} s = ${rate(k.rate)} bookings/s (jobs added in ${k.addSeconds.toFixed(2)} s; every job decided after ${k.allDecidedSeconds?.toFixed(2) ?? 'NOT FINISHED'} s)`,
      );
      const avg = k.metrics.batches ? k.metrics.decided / k.metrics.batches : 0;
      log(
        `  batches: ${k.metrics.batches}, average ${avg.toFixed(1)} requests; sizes ${histogramLine(k.metrics)}`,
      );
      log(`  outcomes: ${[...k.metrics.outcomes].map(([key, n]) => `${key} ${n}`).join(', ')}`);
      log(`  CPU (cores): ${cpuLine(k.cpu, k.confirmed, KHIW_KINDS)}`);
      for (const line of k.invariants) log(`  ${line}`);
    }

    const khiwRate = median(results.khiw.map((k) => k.rate));
    const pgTps = median(results.pgbench.map((p) => p.tps));
    const row = (cells: string[]) => `| ${cells.join(' | ')} |`;
    log(
      `\nConfirmed bookings per second (${REQUESTS} requests, ${WORKERS} workers; pgbench -c ${PG_CLIENTS})`,
    );
    log(
      row([
        'round',
        'khiw end to end (bookings/s)',
        'pgbench one booking per tx (tps)',
        'khiw ÷ pgbench',
        'CPU ms per booking, khiw / pgbench',
      ]),
    );
    log(row(['---', '---:', '---:', '---:', '---:']));
    const cpuMs = (i: number) =>
      `${cpuPerBooking(results.khiw[i]!.cpu, results.khiw[i]!.confirmed, KHIW_KINDS).toFixed(2)} / ${cpuPerBooking(results.pgbench[i]!.cpu, results.pgbench[i]!.transactions, PGBENCH_KINDS).toFixed(2)}`;
    results.khiw.forEach((k, i) => {
      const p = results.pgbench[i]!;
      log(row([String(i + 1), rate(k.rate), rate(p.tps), `${(k.rate / p.tps).toFixed(2)}×`, cpuMs(i)]));
    });
    const ratio = khiwRate / pgTps;
    const khiwCpu = median(results.khiw.map((k) => cpuPerBooking(k.cpu, k.confirmed, KHIW_KINDS)));
    log(
      row([
        'median',
        `**${rate(khiwRate)}**`,
        `**${rate(pgTps)}**`,
        `**${ratio.toFixed(2)}×**`,
        `${khiwCpu.toFixed(2)} / ${median(results.pgbench.map((p) => cpuPerBooking(p.cpu, p.transactions, PGBENCH_KINDS))).toFixed(2)}`,
      ]),
    );
    log(
      `CPU-bound ceiling of khiw with all ${cpus.length} cores to itself: ≈ ${rate((cpus.length * 1000) / khiwCpu)} bookings/s (workers + postgres + redis + job producer)`,
    );
    log(
      `targets: ≥ ${rate(TARGET_RATE)} bookings/s ${khiwRate >= TARGET_RATE ? 'ok' : 'BELOW'}; ≥ ${TARGET_RATIO}× pgbench ${ratio >= TARGET_RATIO ? 'ok' : 'BELOW'}; invariants ${results.khiw.every((k) => k.invariantsOk) ? 'ok' : 'FAILED'}`,
    );
    if (!results.khiw.every((k) => k.invariantsOk)) process.exitCode = 1;
  } finally {
    for (const w of workers) {
      const code = await stopChild(w.child, 30_000);
      if (code !== 0) process.stderr.write(`booking-worker exited ${code}:\n${w.output().slice(-3000)}\n`);
    }
    await queue.close();
    const deleted = await deleteKeys(redis, [`${bullPrefix(namespace)}:*`, `${namespace}:*`]);
    if (!args.keep) for (const id of campaigns) await deleteCampaign(prisma, id);
    log(
      `\ncleaned up ${deleted} Redis keys of ${namespace}; ${args.keep ? 'kept' : 'deleted'} the rows of ${campaigns.length} campaigns (${campaigns.join(', ')})`,
    );
    await closeRedis(redis);
    await prisma.$disconnect();
    clearTimeout(deadline);
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
