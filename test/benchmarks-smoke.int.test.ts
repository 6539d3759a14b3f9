import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createPrismaClient, type PrismaClient } from '@khiw/db';
import { createLogger } from '@khiw/observability';
import { closeRedis, createRedisClient, type Redis } from '@khiw/redis';
import { REPO_ROOT } from '../infra/local/services';
import { scanKeys } from '../loadtests/support/redis-memory';
import { REDIS_URL, TEST_DATABASE_URL } from './support/env';

/**
 * Every benchmark in loadtests/ run as a user would (`node --import tsx loadtests/<x>.bench.ts
 * --smoke`, its own process, real services), at smoke sizes: it must start, measure, print its
 * figures and clean up after itself. The figures only have to be there and sane (more than 0
 * per second, nothing lost, invariants held); docs/benchmarks.md quotes full runs. This is
 * what keeps a bench from rotting unnoticed, as waiting-room.bench.ts once did when the
 * gateway began to require BOOKING_REQUEST_ID_SECRET in production.
 *
 * Each bench stops itself after 90 s in smoke mode (and cleans up); the test gives it 120 s.
 */
const BENCH_TIMEOUT_MS = 120_000;

interface BenchRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  output: string;
  seconds: number;
}

/** Runs loadtests/<file> with --smoke as its own process; kills it after BENCH_TIMEOUT_MS. */
function runBench(file: string, args: string[] = []): Promise<BenchRun> {
  const started = performance.now();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join('loadtests', file), '--smoke', ...args],
    { cwd: REPO_ROOT, env: { ...process.env, BENCH_SMOKE: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk;
    output += chunk;
  });
  child.stderr.on('data', (chunk: Buffer) => (output += chunk));
  const timer = setTimeout(() => child.kill('SIGTERM'), BENCH_TIMEOUT_MS);
  return new Promise((resolve) => {
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const seconds = (performance.now() - started) / 1000;
      timings.push(`${file} ${seconds.toFixed(1)} s`);
      resolve({ code, signal, stdout, output, seconds });
    });
  });
}

/** The run's exit, with the end of its output when it failed (the bench says why). */
function expectSuccess(run: BenchRun): void {
  if (run.code !== 0) throw new Error(`exit ${run.code ?? run.signal}:\n${run.output.slice(-6000)}`);
}

/** The capture groups of the first line of `text` matching `re`, as given (fails if none). */
function grab(text: string, re: RegExp): string[] {
  const match = re.exec(text);
  if (!match) throw new Error(`no line matching ${re} in:\n${text.slice(-4000)}`);
  return match.slice(1);
}
const num = (text: string | undefined) => Number(String(text).replace(/,/g, ''));

const timings: string[] = [];
let prisma: PrismaClient;
let redis: Redis;

beforeAll(() => {
  prisma = createPrismaClient(TEST_DATABASE_URL, { poolSize: 2 });
  redis = createRedisClient({
    url: REDIS_URL,
    name: 'bench-smoke-test',
    logger: createLogger({ service: 'bench-smoke-test', level: 'warn' }),
    blocking: true,
  });
});

afterAll(async () => {
  await prisma?.$disconnect();
  if (redis) await closeRedis(redis);
  console.log(`benchmark smoke runs: ${timings.join(', ')}`);
});

/** Keys left in Redis under these namespaces (a bench's own and BullMQ's `khiw-<namespace>`). */
async function keysLeft(namespace: string): Promise<number> {
  const keys = [
    ...(await scanKeys(redis, `${namespace}:*`)),
    ...(await scanKeys(redis, `khiw-${namespace}:*`)),
  ];
  return keys.length;
}

describe('benchmarks in smoke mode', () => {
  it(
    'waiting room: redis-benchmark, bare express and the production gateway, a room of residents',
    async () => {
      const run = await runBench('waiting-room.bench.ts');
      expectSuccess(run);
      const out = run.stdout;
      const [namespace] = grab(out, /namespace (bench-[0-9a-f]+)/);
      for (const [label, script] of [
        ['join \\(POST …/queue\\)', 'join-5'],
        ['status \\(GET /api/queue/status\\)', 'status-9'],
      ]) {
        // | step | redis-benchmark ops/s | bare req/s (p50/p99) | gateway req/s (p50/p99) | ratio | target |
        const [redisOps, bare, gateway, ratio] = grab(
          out,
          new RegExp(
            `^\\| ${label} \\| ([\\d,.]+) \\(EVALSHA ${script}\\) \\| ([\\d,.]+) \\([\\d.]+/[\\d.]+\\) \\| ([\\d,.]+) \\([\\d.]+/[\\d.]+\\) \\| ([\\d.]+)×`,
            'm',
          ),
        );
        expect(num(redisOps)).toBeGreaterThan(0);
        expect(num(bare)).toBeGreaterThan(0);
        expect(num(gateway)).toBeGreaterThan(0);
        expect(num(ratio)).toBeGreaterThan(0);
      }
      expect(num(grab(out, /redis-benchmark INCR: ([\d,]+) ops\/s/)[0])).toBeGreaterThan(0);
      const [placed] = grab(out, /Memory with ([\d,]+) residents waiting/);
      expect(num(placed)).toBe(500);
      const [perResident] = grab(out, /MEMORY USAGE of the room's keys: [\d.]+ MB \((\d+) B per resident\)/);
      expect(num(perResident)).toBeGreaterThan(0);
      expect(out).not.toMatch(/non-2xx/);
      expect(num(grab(out, /cleaned up (\d+) keys of bench-/)[0])).toBeGreaterThan(0);
      expect(await keysLeft(namespace!)).toBe(0);
    },
    BENCH_TIMEOUT_MS + 10_000,
  );

  it(
    'booking engine: pgbench and khiw end to end on the production booking worker, invariants held',
    async () => {
      const run = await runBench('booking.bench.ts', ['--database', TEST_DATABASE_URL]);
      expectSuccess(run);
      const out = run.stdout;
      const [namespace] = grab(out, /namespace (bench-[0-9a-f]+)/);
      const [tps, transactions, failed] = grab(out, /pgbench: ([\d,]+) tps \((\d+) bookings, (\d+) failed/);
      expect(num(tps)).toBeGreaterThan(0);
      expect(num(transactions)).toBeGreaterThan(0);
      expect(num(failed)).toBe(0);
      const [confirmed, rate] = grab(out, /khiw: (\d+) confirmed in [\d.]+ s = ([\d,]+) bookings\/s/);
      expect(num(confirmed)).toBe(300);
      expect(num(rate)).toBeGreaterThan(0);
      expect(out).toMatch(/every job decided after [\d.]+ s/);
      expect(out).toMatch(/ok +confirmed bookings = 300 \(expected 300\)/);
      expect(out).not.toMatch(/FAIL/);
      expect(out).toMatch(/invariants ok/);
      const [, campaigns] = grab(
        out,
        /cleaned up (\d+) Redis keys of bench-\S+; deleted the rows of (\d+) campaigns/,
      );
      expect(num(campaigns)).toBe(2);
      const left = await prisma.$queryRawUnsafe<{ n: bigint }[]>(
        `SELECT count(*) AS n FROM booking.campaigns WHERE id LIKE $1`,
        `${namespace}-%`,
      );
      expect(Number(left[0]!.n)).toBe(0);
      expect(await keysLeft(namespace!)).toBe(0);
    },
    BENCH_TIMEOUT_MS + 10_000,
  );

  it(
    'notification: Kannel sendsms and the notification service below Kannel throughput',
    async () => {
      const run = await runBench('notification.bench.ts');
      expectSuccess(run);
      const out = run.stdout;
      // run, offered, accept/s, parts/s, of T, p50 s, p95 s, p99 s
      for (const label of ['kannel sendsms, below T', 'notification, below T']) {
        const [offered, accepted, , , , p95] = grab(
          out,
          new RegExp(
            `^${label} +(\\d+) +([\\d-]+) +([\\d-]+) +([\\d.-]+) +([\\d.]+) +([\\d.]+) +([\\d.]+)$`,
            'm',
          ),
        );
        expect(num(offered)).toBe(80);
        expect(num(accepted)).toBeGreaterThan(0);
        expect(num(p95)).toBeGreaterThan(0);
      }
      const [sms, namespace] = grab(out, /cleaned up (\d+) SMS rows, .* of (t-bench-sms-[0-9a-f]+)/);
      expect(num(sms)).toBeGreaterThanOrEqual(240);
      const left = await prisma.smsMessage.count({ where: { campaignId: `bench-${namespace!.slice(-6)}` } });
      expect(left).toBe(0);
      expect(await keysLeft(namespace!)).toBe(0);
    },
    BENCH_TIMEOUT_MS + 10_000,
  );

  it(
    'notification.bench.ts --ceiling: Kannel with no limit driven directly, parts at fakesmsc, CPU per SMS',
    async () => {
      const run = await runBench('notification.bench.ts', ['--ceiling']);
      expectSuccess(run);
      const [offered, accepted, parts] = grab(
        run.stdout,
        /^kannel sendsms, 50\/s +(\d+) +([\d-]+) +([\d-]+) +- +([\d.]+) +([\d.]+) +([\d.]+)$/m,
      );
      expect(num(offered)).toBe(50);
      expect(num(accepted)).toBeGreaterThan(0);
      expect(num(parts)).toBeGreaterThan(0);
      const [failed, smsbox] = grab(run.stdout, /not accepted (\d+); CPU per SMS: .*smsbox (\d+) µs/);
      expect(num(failed)).toBe(0);
      expect(num(smsbox)).toBeGreaterThan(0);
    },
    BENCH_TIMEOUT_MS + 10_000,
  );

  it(
    'roster: events applied, lag under load, look-ups through the gateway and directly',
    async () => {
      const run = await runBench('roster.bench.ts', ['--database', TEST_DATABASE_URL]);
      expectSuccess(run);
      const out = run.stdout;
      const [applied] = grab(out, /1\. 500 events: .* = (\d+) events\/s/);
      expect(num(applied)).toBeGreaterThan(0);
      const [probes, invisible] = grab(
        out,
        /2\. lag at \d+ events\/s for \d+ s, (\d+) probes: .*not visible within 30 s: (\d+)/,
      );
      expect(num(probes)).toBeGreaterThan(0);
      expect(num(invisible)).toBe(0);
      for (const re of [
        /3\. gateway look-up at 100\/s .*: (\d+) req\/s, .* non-2xx (\d+), errors (\d+)/,
        /roster \/internal\/lookup at 100\/s.*: (\d+) req\/s, .* non-2xx (\d+), errors (\d+)/,
      ]) {
        const [rps, non2xx, errors] = grab(out, re);
        expect(num(rps)).toBeGreaterThan(0);
        expect(num(non2xx)).toBe(0);
        expect(num(errors)).toBe(0);
      }
      const [entries, processed, namespace] = grab(
        out,
        /cleaned up (\d+) roster entries, (\d+) processed event ids, \d+ Redis keys and the topics of (bench-roster-[0-9a-f]+)/,
      );
      expect(num(entries)).toBeGreaterThan(0);
      expect(num(processed)).toBeGreaterThan(0);
      expect(await prisma.rosterEntry.count({ where: { campaignId: { startsWith: namespace! } } })).toBe(0);
      expect(await keysLeft(namespace!)).toBe(0);
    },
    BENCH_TIMEOUT_MS + 10_000,
  );

  it(
    'whole-path replay: residents from the queue page to the SMS and the roster, then the 2021-style baseline',
    async () => {
      const run = await runBench('replay', ['--database', TEST_DATABASE_URL, '--baseline']);
      expectSuccess(run);
      const out = run.stdout;
      const [runId] = grab(out, /; run ([0-9a-f]{6});/);
      for (const stage of [
        'join',
        'wait',
        'book',
        'decide',
        'sms accepted',
        'sms delivered',
        'roster visible',
      ]) {
        const [count, perSecond, p99] = grab(
          out,
          new RegExp(
            `^\\| ${stage} \\| ([\\d,]+) \\| (\\d+) \\| \\d+ \\| [^|]+ \\| [^|]+ \\| ([^|]+) \\|`,
            'm',
          ),
        );
        expect(num(count)).toBeGreaterThan(0);
        expect(num(perSecond)).toBeGreaterThan(0);
        expect(p99).toMatch(/\d+ m?s/);
      }
      expect(out).toMatch(/^first stage to saturate: /m);
      // Every process's CPU, the load generator's beside the figures.
      for (const role of ['gateway', 'booking-worker', 'notification', 'roster', 'postgres', 'generator'])
        expect(num(grab(out, new RegExp(`^\\| ${role} \\| ([\\d.]+) \\|`, 'm'))[0])).toBeGreaterThan(0);
      expect(out).toMatch(/^load generator CPU [\d.]+ s \([\d.]+ cores\)/m);
      const invariants = out.match(/^invariant (ok {2}|FAIL) /gm) ?? [];
      expect(invariants).toHaveLength(7);
      expect(invariants.every((line) => line.includes('ok'))).toBe(true);
      expect(out).toMatch(/wrote \S+timeseries\.csv, \S+queue\.svg, \S+rates\.svg, \S+lag\.svg/);
      const baseline = JSON.parse(grab(out, /^2021-style baseline, same arrivals: (\{.*\})$/m)[0]!) as {
        booked: number;
        overbooking: { slots: number; groups: number; total: number };
      };
      expect(baseline.booked).toBeGreaterThan(0);
      expect(baseline.overbooking).toEqual(expect.objectContaining({ slots: 0, groups: 0, total: 0 }));
      const left = await prisma.$queryRawUnsafe<{ n: bigint }[]>(
        `SELECT count(*) AS n FROM booking.campaigns WHERE id IN ($1, $2)`,
        `replay-${runId}`,
        `baseline-${runId}`,
      );
      expect(Number(left[0]!.n)).toBe(0);
      expect(await keysLeft(`replay-${runId}`)).toBe(0);
    },
    BENCH_TIMEOUT_MS + 10_000,
  );
});
