/**
 * Booking engine benchmark (issue 4). Not a test: it prints figures (docs/benchmarks.md).
 *
 *   node --import tsx loadtests/booking.bench.ts [--requests 30000] [--workers 2] [--rounds 2]
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
 */
import { execFile } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Queue } from 'bullmq';
import { QUEUES, type BookingRequestJob } from '@khiw/contracts';
import { createPrismaClient, ensureDatabase, migrate } from '@khiw/db';
import { createLogger } from '@khiw/observability';
import { bullPrefix, closeRedis, createRedisClient } from '@khiw/redis';
import { REPO_ROOT, spawnService, stopChild, waitUntilReady } from '../infra/local/services';
import { LoadCampaign } from '../services/booking-worker/src/campaigns/load-campaign.usecase';
import { BOOKING_JOB_OPTIONS } from '../services/gateway/src/bookings/submit-booking.usecase';
import { citizenIdFrom, freePort, sampleCampaign } from '../test/support/env';
import { deleteKeys } from './support/redis-memory';

const { values: args } = parseArgs({
  options: {
    requests: { type: 'string', default: '30000' },
    workers: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '2' },
    concurrency: { type: 'string' },
    'max-batch': { type: 'string' },
    pool: { type: 'string' },
    'pgbench-clients': { type: 'string', default: '8' },
    'pgbench-threads': { type: 'string', default: '2' },
    'pgbench-seconds': { type: 'string', default: '15' },
    database: { type: 'string', default: 'postgresql://postgres@127.0.0.1:5432/khiw_bench' },
    keep: { type: 'boolean', default: false },
    'cpu-prof': { type: 'string' },
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
const ROUND_LIMIT_MS = 180_000;
const DEADLINE_MS = 15 * 60_000;
const TARGET_RATE = 2000;
const TARGET_RATIO = 0.5;

if (!/@(127\.0\.0\.1|localhost)[:/]/.test(DATABASE_URL)) throw new Error('--database must be on 127.0.0.1');

const tag = randomBytes(3).toString('hex');
const namespace = `bench-${tag}`;
const PGBENCH_CAMPAIGN = `bench-${tag}-pgbench`;
const khiwCampaign = (round: number) => `bench-${tag}-khiw-${round}`;
const SCRIPT = path.join(REPO_ROOT, 'loadtests', 'booking-bench', 'book-one.sql');

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
// CPU by process, from /proc (what `top` shows, summed over the measured interval). Sampled
// every 250 ms so that processes ending meanwhile (pgbench's backends) still count.

const TICKS = 100; // USER_HZ on Linux
const BENCH_DB = new URL(DATABASE_URL).pathname.slice(1);
type CpuKind = 'workers' | 'postgres' | 'pgbench' | 'redis' | 'bench' | 'other';
interface CpuFigures {
  seconds: number;
  /** CPU seconds used by each kind of process over the interval. */
  used: Record<CpuKind, number>;
  /** The whole machine's busy share (all processes, everyone's), 0..1. */
  machineBusy: number;
}

class CpuMonitor {
  private readonly base = new Map<number, number>();
  private readonly last = new Map<number, { kind: CpuKind; ticks: number }>();
  private readonly kinds = new Map<number, CpuKind>();
  private readonly timer: NodeJS.Timeout;
  private readonly started = Date.now();
  private readonly machineStart = machineTicks();

  constructor(private readonly workerPids: number[]) {
    for (const [pid, ticks] of processTicks()) this.base.set(pid, ticks);
    this.timer = setInterval(() => this.sample(), 250);
  }

  private sample(): void {
    for (const [pid, ticks] of processTicks()) {
      if (!this.base.has(pid)) this.base.set(pid, 0); // started after the monitor did
      this.last.set(pid, { kind: this.kindOf(pid), ticks });
    }
  }

  private kindOf(pid: number): CpuKind {
    let kind = this.kinds.get(pid);
    if (kind) return kind;
    if (this.workerPids.includes(pid)) kind = 'workers';
    else if (pid === process.pid) kind = 'bench';
    else {
      let comm = '';
      let cmdline = '';
      try {
        comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
        cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      } catch {
        // gone
      }
      if (comm === 'pgbench') kind = 'pgbench';
      else if (comm.startsWith('redis')) kind = 'redis';
      else if (comm === 'postgres' || cmdline.startsWith('postgres')) {
        // A backend's title is "postgres: [<cluster>: ]<user> <database> <client> <state>":
        // another database is someone else's work; the server's own processes (WAL writer,
        // checkpointer, ...) count as ours.
        const backend = /^postgres: (?:\S+: )?\S+ (\S+) (?:\S+\(\d+\)|\[local\])/.exec(cmdline);
        kind = backend && backend[1] !== BENCH_DB ? 'other' : 'postgres';
      } else kind = 'other';
    }
    this.kinds.set(pid, kind);
    return kind;
  }

  stop(): CpuFigures {
    this.sample();
    clearInterval(this.timer);
    const used: Record<CpuKind, number> = {
      workers: 0,
      postgres: 0,
      pgbench: 0,
      redis: 0,
      bench: 0,
      other: 0,
    };
    for (const [pid, { kind, ticks }] of this.last) {
      const delta = ticks - (this.base.get(pid) ?? 0);
      if (delta > 0) used[kind] += delta / TICKS;
    }
    const end = machineTicks();
    return {
      seconds: (Date.now() - this.started) / 1000,
      used,
      machineBusy: (end.busy - this.machineStart.busy) / (end.total - this.machineStart.total),
    };
  }
}

function processTicks(): Map<number, number> {
  const out = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(name), Number(fields[11]) + Number(fields[12])); // utime + stime
    } catch {
      // the process ended meanwhile
    }
  }
  return out;
}

function machineTicks(): { busy: number; total: number } {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = cpu.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - (cpu[3] ?? 0) - (cpu[4] ?? 0), total };
}

/** "workers 0.41 cores (0.62 ms/booking), ..." for the kinds that used anything. */
function cpuLine(cpu: CpuFigures, bookings: number, kinds: CpuKind[]): string {
  const parts = kinds.map(
    (k) =>
      `${k} ${(cpu.used[k] / cpu.seconds).toFixed(2)} (${((cpu.used[k] * 1000) / bookings).toFixed(2)} ms/booking)`,
  );
  const ours = kinds.reduce((sum, k) => sum + cpu.used[k], 0);
  return `${parts.join(', ')}; total ${((ours * 1000) / bookings).toFixed(2)} ms CPU per booking; others on the machine ${(cpu.used.other / cpu.seconds).toFixed(2)} cores; machine ${(cpu.machineBusy * 100).toFixed(0)} % busy`;
}
const cpuPerBooking = (cpu: CpuFigures, bookings: number, kinds: CpuKind[]) =>
  (kinds.reduce((sum, k) => sum + cpu.used[k], 0) * 1000) / bookings;
const KHIW_KINDS: CpuKind[] = ['workers', 'postgres', 'redis', 'bench'];
const PGBENCH_KINDS: CpuKind[] = ['postgres', 'pgbench'];

// ---------------------------------------------------------------------------------------------
// Database and campaigns

async function prepareDatabase(): Promise<void> {
  const created = await ensureDatabase(DATABASE_URL);
  const result = await migrate(DATABASE_URL);
  log(
    `database ${new URL(DATABASE_URL).pathname.slice(1)}: ${created ? 'created, ' : ''}${result.applied.length} migrations applied, ${result.alreadyApplied.length} already`,
  );
}

async function loadCampaign(id: string): Promise<void> {
  await new LoadCampaign(prisma).execute(
    sampleCampaign(id, { name: { th: 'ทดสอบภาระ', en: `Benchmark ${id}` } }),
  );
}

/** The pgbench copy never runs out: every guarded UPDATE finds room. */
async function raiseCapacities(id: string): Promise<void> {
  const big = 1_000_000_000;
  await prisma.$transaction([
    prisma.$executeRawUnsafe(`UPDATE booking.campaigns SET total_doses = $2 WHERE id = $1`, id, big),
    prisma.$executeRawUnsafe(`UPDATE booking.priority_groups SET quota = $2 WHERE campaign_id = $1`, id, big),
    prisma.$executeRawUnsafe(`UPDATE booking.slots SET capacity = $2 WHERE campaign_id = $1`, id, big),
  ]);
}

async function deleteCampaign(id: string): Promise<void> {
  // Bench data only: one statement at a time (no transaction to time out).
  await prisma.$executeRawUnsafe(`DELETE FROM booking.outbox_events WHERE payload->>'campaignId' = $1`, id);
  for (const table of ['bookings', 'standby_entries', 'slots', 'sites', 'priority_groups'])
    await prisma.$executeRawUnsafe(`DELETE FROM booking.${table} WHERE campaign_id = $1`, id);
  await prisma.$executeRawUnsafe(`DELETE FROM booking.campaigns WHERE id = $1`, id);
}

// ---------------------------------------------------------------------------------------------
// pgbench: one booking per transaction

interface PgbenchFigures {
  tps: number;
  cpu: CpuFigures;
  transactions: number;
  failed: number;
  latencyMs: number;
}

function pgbench(round: number): Promise<PgbenchFigures> {
  const file = sampleCampaign(PGBENCH_CAMPAIGN) as {
    sites: { id: string }[];
    groups: { code: string }[];
    slotGrid: { firstDay: string; days: number; times: string[] };
  };
  const url = new URL(DATABASE_URL);
  const define = {
    campaign: PGBENCH_CAMPAIGN,
    sites: file.sites.map((s) => s.id).join(','),
    nsites: file.sites.length,
    first_day: file.slotGrid.firstDay,
    days: file.slotGrid.days,
    times: file.slotGrid.times.map((t) => t.replace(':', '')).join(','),
    ntimes: file.slotGrid.times.length,
    groups: file.groups.map((g) => g.code).join(','),
    ngroups: file.groups.length,
    run: round,
    seq: 0,
  };
  const argv = [
    '-n',
    '-M',
    'prepared',
    '-c',
    String(PG_CLIENTS),
    '-j',
    String(PG_THREADS),
    '-T',
    String(PG_SECONDS),
    '-f',
    SCRIPT,
    ...Object.entries(define).flatMap(([k, v]) => ['-D', `${k}=${v}`]),
    '-h',
    url.hostname,
    '-p',
    url.port || '5432',
    '-U',
    decodeURIComponent(url.username) || 'postgres',
    url.pathname.slice(1),
  ];
  const monitor = new CpuMonitor([]);
  return new Promise((resolve, reject) => {
    execFile(
      'pgbench',
      argv,
      { timeout: (PG_SECONDS + 60) * 1000, env: { ...process.env, PGPASSWORD: url.password } },
      (error, stdout, stderr) => {
        const grab = (re: RegExp) => Number(re.exec(stdout)?.[1] ?? NaN);
        const figures = {
          cpu: monitor.stop(),
          tps: grab(/tps = ([\d.]+) \(without initial connection time\)/),
          transactions: grab(/number of transactions actually processed: (\d+)/),
          failed: grab(/number of failed transactions: (\d+)/) || 0,
          latencyMs: grab(/latency average = ([\d.]+) ms/),
        };
        if (error || !Number.isFinite(figures.tps) || /aborted|error/i.test(stderr)) {
          reject(new Error(`pgbench failed: ${error?.message ?? ''}\n${stdout}\n${stderr.slice(-3000)}`));
        } else resolve(figures);
      },
    );
  });
}

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
    NODE_ENV: 'production',
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

interface WorkerMetrics {
  /** Upper bound → cumulative count, summed over the workers. */
  buckets: Map<string, number>;
  batches: number;
  decided: number;
  outcomes: Map<string, number>;
}
async function workerMetrics(workers: RunningWorker[]): Promise<WorkerMetrics> {
  const sum: WorkerMetrics = { buckets: new Map(), batches: 0, decided: 0, outcomes: new Map() };
  for (const w of workers) {
    const text = await (await fetch(`http://127.0.0.1:${w.port}/metrics`)).text();
    for (const line of text.split('\n')) {
      const m = /^(\w+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
      if (!m) continue;
      const [, name, labelText = '', value] = m;
      const labels = Object.fromEntries([...labelText.matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
      const n = Number(value);
      if (name === 'khiw_booking_worker_batch_size_bucket')
        sum.buckets.set(labels.le!, (sum.buckets.get(labels.le!) ?? 0) + n);
      else if (name === 'khiw_booking_worker_batch_size_count') sum.batches += n;
      else if (name === 'khiw_booking_worker_batch_size_sum') sum.decided += n;
      else if (name === 'khiw_booking_worker_requests_total') {
        const key = labels.reason ? `${labels.status}:${labels.reason}` : labels.status!;
        sum.outcomes.set(key, (sum.outcomes.get(key) ?? 0) + n);
      }
    }
  }
  return sum;
}
function metricsDelta(before: WorkerMetrics, after: WorkerMetrics): WorkerMetrics {
  const diff = (a: Map<string, number>, b: Map<string, number>) =>
    new Map([...a].map(([k, v]) => [k, v - (b.get(k) ?? 0)] as const).filter(([, v]) => v !== 0));
  return {
    buckets: new Map([...after.buckets].map(([k, v]) => [k, v - (before.buckets.get(k) ?? 0)])),
    batches: after.batches - before.batches,
    decided: after.decided - before.decided,
    outcomes: diff(after.outcomes, before.outcomes),
  };
}
function histogramLine(m: WorkerMetrics): string {
  const parts: string[] = [];
  let previous = 0;
  let previousLe = '0';
  for (const [le, cumulative] of m.buckets) {
    const n = cumulative - previous;
    if (n > 0) parts.push(`${le === '+Inf' ? `>${previousLe}` : `≤${le}`}: ${n}`);
    previous = cumulative;
    previousLe = le;
  }
  return parts.join(', ');
}

/** N distinct eligible people: groups by quota (shuffled), slots round-robin within capacity. */
async function makeJobs(campaignId: string, count: number): Promise<BookingRequestJob[]> {
  const groups = await q<{ code: string; quota: number }>(
    `SELECT code, quota FROM booking.priority_groups WHERE campaign_id = $1 ORDER BY sort_order`,
    campaignId,
  );
  const slots = await q<{ id: string; site_id: string }>(
    `SELECT id, site_id FROM booking.slots WHERE campaign_id = $1 ORDER BY starts_at, site_id`,
    campaignId,
  );
  const bag = groups.flatMap((g) => Array.from({ length: g.quota }, () => g.code));
  for (let i = bag.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [bag[i], bag[j]] = [bag[j]!, bag[i]!];
  }
  const base = Math.floor(Math.random() * 9e10);
  const submittedAt = new Date().toISOString();
  return Array.from({ length: count }, (_, i) => {
    const citizenId = citizenIdFrom(`1${String(base + i).padStart(11, '0')}`);
    const slot = slots[i % slots.length]!;
    return {
      schemaVersion: 1,
      requestId: `${campaignId}.${citizenId}`,
      campaignId,
      citizenId,
      firstName: 'สมชาย',
      lastName: 'ทดสอบภาระ',
      birthDate: `${1941 + (i % 60)}-0${1 + (i % 9)}-1${i % 10}`,
      phone: `+6689${String(i % 10_000_000).padStart(7, '0')}`,
      groupCode: bag[i % bag.length]!,
      siteId: slot.site_id,
      slotId: slot.id,
      provinceCode: '74',
      channel: 'web',
      submittedAt,
    } satisfies BookingRequestJob;
  });
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
  await loadCampaign(campaignId);
  const jobs = await makeJobs(campaignId, REQUESTS);
  const expected = Math.min(REQUESTS, totalDoses);
  const metricsBefore = await workerMetrics(workers);
  const monitor = new CpuMonitor(workers.map((w) => w.child.pid!));
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
  const metrics = metricsDelta(metricsBefore, await workerMetrics(workers));
  const { lines, ok } = await checkInvariants(campaignId, expected, await countStandby());
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

async function checkInvariants(campaignId: string, expected: number, standby: number) {
  const one = async (sql: string) =>
    Number(Object.values((await q<Record<string, bigint>>(sql, campaignId))[0]!)[0]);
  const confirmed = await one(
    `SELECT count(*) FROM booking.bookings WHERE campaign_id = $1 AND status = 'confirmed'`,
  );
  const checks: [string, boolean][] = [];
  checks.push([`confirmed bookings = ${confirmed} (expected ${expected})`, confirmed === expected]);
  const slotsOver = await one(
    `SELECT count(*) FROM booking.slots WHERE campaign_id = $1 AND booked > capacity`,
  );
  const slotsOff = await one(`
    SELECT count(*) FROM booking.slots sl
    LEFT JOIN (SELECT slot_id, count(*) AS n FROM booking.bookings WHERE campaign_id = $1 AND status = 'confirmed'
               GROUP BY slot_id) b ON b.slot_id = sl.id
    WHERE sl.campaign_id = $1 AND sl.booked <> coalesce(b.n, 0)`);
  checks.push([
    `slots over capacity: ${slotsOver}; slot counters ≠ bookings: ${slotsOff}`,
    !slotsOver && !slotsOff,
  ]);
  const groupsOver = await one(
    `SELECT count(*) FROM booking.priority_groups WHERE campaign_id = $1 AND booked > quota`,
  );
  const groupsOff = await one(`
    SELECT count(*) FROM booking.priority_groups g
    LEFT JOIN (SELECT group_code, count(*) AS n FROM booking.bookings WHERE campaign_id = $1 AND status = 'confirmed'
               GROUP BY group_code) b ON b.group_code = g.code
    WHERE g.campaign_id = $1 AND g.booked <> coalesce(b.n, 0)`);
  checks.push([
    `groups over quota: ${groupsOver}; group counters ≠ bookings: ${groupsOff}`,
    !groupsOver && !groupsOff,
  ]);
  const [campaign] = await q<{ booked_doses: number; total_doses: number; state: string }>(
    `SELECT booked_doses, total_doses, state FROM booking.campaigns WHERE id = $1`,
    campaignId,
  );
  checks.push([
    `campaign booked_doses ${campaign!.booked_doses} / total ${campaign!.total_doses}, state ${campaign!.state}`,
    campaign!.booked_doses <= campaign!.total_doses && campaign!.booked_doses === confirmed,
  ]);
  // outbox_events has no index on key: count them per key once, then join (hash join).
  const events = await one(`
    SELECT count(*) FROM booking.bookings b
    LEFT JOIN (SELECT key, count(*) AS n FROM booking.outbox_events
               WHERE type = 'BookingConfirmed' AND payload->>'campaignId' = $1 GROUP BY key) o
      ON o.key = b.id::text
    WHERE b.campaign_id = $1 AND b.status = 'confirmed' AND coalesce(o.n, 0) <> 1`);
  checks.push([
    `confirmed bookings without exactly one BookingConfirmed outbox row: ${events}`,
    events === 0,
  ]);
  if (REQUESTS > expected) {
    const standbyExpected = Math.min(REQUESTS - expected, 10_000);
    checks.push([`standby: ${standby} (expected ${standbyExpected})`, standby === standbyExpected]);
  }
  return {
    lines: checks.map(([text, ok]) => `${ok ? 'ok  ' : 'FAIL'} ${text}`),
    ok: checks.every(([, ok]) => ok),
  };
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const deadline = setTimeout(() => {
    console.error(`benchmark exceeded ${DEADLINE_MS / 60_000} min; stopping`);
    for (const w of workers) w.child.kill('SIGKILL');
    process.exit(2);
  }, DEADLINE_MS);
  deadline.unref();
  const cpus = os.cpus();
  log(
    `khiw booking benchmark · namespace ${namespace} · ${REQUESTS} requests · ${WORKERS} booking-worker processes · ${ROUNDS} rounds · pgbench -c ${PG_CLIENTS} -j ${PG_THREADS} -T ${PG_SECONDS}`,
  );
  log(`machine: ${cpus.length} cores (${cpus[0]?.model.trim()}), node ${process.version}`);
  const redis = createRedisClient({ url: REDIS_URL, name: 'bench', logger, blocking: true });
  const queue = new Queue(QUEUES.booking, { connection: redis, prefix: bullPrefix(namespace) });
  const campaigns: string[] = [];
  const results: { pgbench: PgbenchFigures[]; khiw: KhiwFigures[] } = { pgbench: [], khiw: [] };
  try {
    await prepareDatabase();
    campaigns.push(PGBENCH_CAMPAIGN);
    await loadCampaign(PGBENCH_CAMPAIGN);
    await raiseCapacities(PGBENCH_CAMPAIGN);
    const totalDoses = (sampleCampaign('x') as { totalDoses: number }).totalDoses;

    log(`starting ${WORKERS} booking-worker processes (OUTBOX_RELAY_ENABLED=false, no Kafka)`);
    workers.push(...(await Promise.all(Array.from({ length: WORKERS }, () => startWorker()))));
    const env = (name: string, fallback: string) => args[name as 'pool'] ?? fallback;
    log(
      `  BOOKING_CONCURRENCY ${env('concurrency', '200 (default)')}, BOOKING_MAX_BATCH ${env('max-batch', '200 (default)')}, DATABASE_POOL_SIZE ${env('pool', '10 (default)')}`,
    );

    for (let round = 1; round <= ROUNDS; round++) {
      log(`\nround ${round}/${ROUNDS}`);
      const pg = await pgbench(round);
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
    if (!args.keep) for (const id of campaigns) await deleteCampaign(id);
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
