/**
 * Waiting-room benchmark (issue 3). Not a test: it prints figures (docs/benchmarks.md).
 *
 *   node --import tsx loadtests/waiting-room.bench.ts [--smoke]
 *
 * In one run, on 127.0.0.1 only, bounded in count and time, cleaning up after itself:
 *  1. redis-benchmark for the Redis steps behind join and status (INCR, EVALSHA join-5,
 *     EVALSHA status-9): the ceiling Redis itself sets;
 *  2. a bare express endpoint running the same single Lua step (loadtests/bare-endpoint.ts)
 *     and the real gateway (proof-of-work off, outflow 0), both as their own processes,
 *     driven alike by autocannon: joins/s and status polls/s, and the ratios gateway/bare;
 *  3. 100,000 residents waiting in one room: Redis memory (INFO before/after, MEMORY USAGE
 *     per key) and the gateway's RSS.
 *
 * Env (optional): BENCH_CONNECTIONS (50), BENCH_SECONDS (5 per round), BENCH_ROUNDS (3),
 * BENCH_RESIDENTS (100000), BENCH_FILL (http | lua; http by default).
 *
 * --smoke (or BENCH_SMOKE=1; what ./khiw test runs): 10 connections, 1 round of 1 s after a
 * 1 s warm-up, 100 tickets, 5,000 requests per redis-benchmark, 500 residents; about 15 s,
 * exit code 1 if any request was not answered 2xx. The figures then measure nothing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createLogger } from '@khiw/observability';
import { closeRedis, createRedisClient } from '@khiw/redis';
import { REPO_ROOT, spawnService, stopChild, waitUntilReady } from '../infra/local/services';
import { generateSigningKey, privateKeyPem } from '../services/gateway/src/waiting-room/tokens/keyring';
import {
  statusScriptKeys,
  waitingRoomKeyList,
  waitingRoomKeys,
} from '../services/gateway/src/waiting-room/waiting-room-keys';
import { withWaitingRoomCommands } from '../services/gateway/src/waiting-room/waiting-room-scripts';
import { freePort } from '../test/support/env';
import { publishSnapshot } from './support/campaign-snapshot';
import { httpLoad, type LoadFigures } from './support/http-load';
import { productionEnv } from './support/production-env';
import { redisBenchmark } from './support/redis-benchmark';
import { deleteKeys, memoryByKey, usedMemory } from './support/redis-memory';
import { SMOKE, sized } from './support/smoke';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? sized(50, 10));
const SECONDS = Number(process.env.BENCH_SECONDS ?? sized(5, 1));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? sized(3, 1));
const RESIDENTS = Number(process.env.BENCH_RESIDENTS ?? sized(100_000, 500));
const FILL = process.env.BENCH_FILL === 'lua' ? 'lua' : 'http';
const TICKETS = sized(1000, 100);
const WARMUP_SECONDS = sized(2, 1);
/** redis-benchmark requests: INCR and status ×2, join ×1. */
const REDIS_REQUESTS = sized(100_000, 5_000);
const DEADLINE_MS = sized(15 * 60_000, 90_000);
const REDIS_URL = 'redis://127.0.0.1:6379';

const namespace = `bench-${randomBytes(3).toString('hex')}`;
const CAMPAIGN = {
  gateway: 'bench-gateway',
  bare: 'bench-bare',
  redis: 'bench-redis',
  memory: 'bench-memory',
};
const logger = createLogger({ service: 'bench', level: 'warn' });
const redis = withWaitingRoomCommands(
  createRedisClient({ url: REDIS_URL, name: 'bench', logger, blocking: true }),
);
const children: ChildProcess[] = [];
/** Requests not answered 2xx (or not at all): a smoke run fails on any. */
let failedRequests = 0;

const log = (...parts: unknown[]) => console.log(...parts);
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const rate = (n: number) => Math.round(n).toLocaleString('en-US');
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) * 1024;
}

async function startBare(): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join('loadtests', 'bare-endpoint.ts')], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      REDIS_URL,
      BARE_NAMESPACE: namespace,
      BARE_CAMPAIGN: CAMPAIGN.bare,
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.push(child);
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message) => resolve((message as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`bare endpoint exited with ${code}`)));
  });
  await waitUntilReady(port, 30_000, child);
  return { port, child };
}

async function startGateway(): Promise<{ port: number; child: ChildProcess }> {
  const port = await freePort();
  const key = generateSigningKey('bench');
  const child = spawnService('gateway', {
    ...(await productionEnv('gateway')),
    LOG_LEVEL: 'warn',
    KHIW_NAMESPACE: namespace,
    PORT: String(port),
    REDIS_URL,
    GATEWAY_SIGNING_KEY: privateKeyPem(key),
    GATEWAY_SIGNING_KEY_ID: key.kid,
    WAITING_ROOM_POW_DIFFICULTY: '0',
    // Nobody is let in: every status poll finds a waiting resident (the common case).
    WAITING_ROOM_OUTFLOW_PER_MINUTE: '0',
    // Every request comes from 127.0.0.1 here; the per-network join ceiling would cut in.
    WAITING_ROOM_JOINS_PER_NETWORK_PER_MINUTE: '0',
  });
  children.push(child);
  child.stdout?.pipe(process.stderr);
  child.stderr?.pipe(process.stderr);
  await waitUntilReady(port, 60_000, child);
  return { port, child };
}

async function joinMany(url: string, count: number): Promise<string[]> {
  const tickets: string[] = [];
  for (let i = 0; i < count; i += 50) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(50, count - i) }, async () => {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{}',
        });
        if (response.status !== 201)
          throw new Error(`join ${url} → ${response.status} ${await response.text()}`);
        return ((await response.json()) as { ticket: string }).ticket;
      }),
    );
    tickets.push(...batch);
  }
  return tickets;
}

async function redisCeiling(statusTicket: { id: string; number: number }) {
  const sha = async (file: string) =>
    String(
      await redis.script(
        'LOAD',
        readFileSync(path.join(REPO_ROOT, 'services/gateway/src/waiting-room/lua', file), 'utf8'),
      ),
    );
  const join = waitingRoomKeys(namespace, CAMPAIGN.redis);
  const bare = waitingRoomKeys(namespace, CAMPAIGN.bare);
  const statusKeys = statusScriptKeys(bare);
  const incrKey = `${namespace}:bench:counter`;
  return {
    incr: await redisBenchmark(['INCR', incrKey], { requests: 2 * REDIS_REQUESTS, clients: CONNECTIONS }),
    join: await redisBenchmark(
      [
        'EVALSHA',
        await sha('join-5.lua'),
        '5',
        join.room,
        join.numbers,
        join.pre,
        join.seen,
        '',
        'rb-__rand_int__',
        '-1',
      ],
      { requests: REDIS_REQUESTS, clients: CONNECTIONS },
    ),
    status: await redisBenchmark(
      [
        'EVALSHA',
        await sha('status-9.lua'),
        String(statusKeys.length),
        ...statusKeys,
        statusTicket.id,
        String(statusTicket.number),
        '600000',
      ],
      { requests: 2 * REDIS_REQUESTS, clients: CONNECTIONS },
    ),
  };
}

async function compare(bare: number, gateway: number, bareTickets: string[], gatewayTickets: string[]) {
  const runs: Record<string, LoadFigures[]> = {
    bareJoin: [],
    gatewayJoin: [],
    bareStatus: [],
    gatewayStatus: [],
  };
  const targets = {
    bareJoin: { url: `http://127.0.0.1:${bare}/bare/queue`, method: 'POST' as const, body: '{}' },
    gatewayJoin: {
      url: `http://127.0.0.1:${gateway}/api/campaigns/${CAMPAIGN.gateway}/queue`,
      method: 'POST' as const,
      body: '{}',
    },
    bareStatus: { url: `http://127.0.0.1:${bare}/bare/status`, bearers: bareTickets },
    gatewayStatus: { url: `http://127.0.0.1:${gateway}/api/queue/status`, bearers: gatewayTickets },
  };
  // Warm both processes (JIT, connection pools, token cache) before anything counts.
  for (const target of Object.values(targets))
    await httpLoad({ ...target, connections: CONNECTIONS, durationSeconds: WARMUP_SECONDS });
  // Alternate bare and gateway so that a noisy neighbour hits both alike; the median round counts.
  for (let round = 1; round <= ROUNDS; round++) {
    for (const [name, target] of Object.entries(targets)) {
      const figures = await httpLoad({ ...target, connections: CONNECTIONS, durationSeconds: SECONDS });
      if (figures.non2xx || figures.errors) {
        log(`  ! ${name}: ${figures.non2xx} non-2xx, ${figures.errors} errors`);
        failedRequests += figures.non2xx + figures.errors;
      }
      runs[name]!.push(figures);
    }
    log(`  round ${round}/${ROUNDS} done`);
  }
  const pick = (name: string) => {
    const list = runs[name]!;
    const rps = median(list.map((f) => f.requestsPerSecond));
    return { rps, p50: median(list.map((f) => f.p50Ms)), p99: median(list.map((f) => f.p99Ms)) };
  };
  return {
    join: { bare: pick('bareJoin'), gateway: pick('gatewayJoin') },
    status: { bare: pick('bareStatus'), gateway: pick('gatewayStatus') },
  };
}

async function fillRoom(gatewayPort: number) {
  const keys = waitingRoomKeys(namespace, CAMPAIGN.memory);
  const started = Date.now();
  let via = FILL;
  if (FILL === 'http') {
    const figures = await httpLoad({
      url: `http://127.0.0.1:${gatewayPort}/api/campaigns/${CAMPAIGN.memory}/queue`,
      method: 'POST',
      body: '{}',
      connections: CONNECTIONS,
      amount: RESIDENTS,
    });
    if (figures.non2xx || figures.errors) {
      log(`  ! fill: ${figures.non2xx} non-2xx, ${figures.errors} errors`);
      failedRequests += figures.non2xx + figures.errors;
    }
  }
  // Whatever HTTP did not place (or all of it with BENCH_FILL=lua): the same join-5 step, pipelined.
  let placed = Number((await redis.hget(keys.room, 'next')) ?? 0);
  if (placed < RESIDENTS && FILL === 'http') via = 'http+lua';
  while (placed < RESIDENTS) {
    const batch = Math.min(1000, RESIDENTS - placed);
    const pipeline = redis.pipeline();
    for (let i = 0; i < batch; i++) {
      const args = [
        keys.room,
        keys.numbers,
        keys.pre,
        keys.seen,
        '',
        randomBytes(12).toString('base64url'),
        -1,
      ];
      (pipeline as unknown as { wrJoin: (...a: unknown[]) => void }).wrJoin(...args);
    }
    await pipeline.exec();
    placed = Number((await redis.hget(keys.room, 'next')) ?? 0);
  }
  return { via, seconds: (Date.now() - started) / 1000, placed };
}

/** Stops the processes and deletes every key of the namespace; once, whichever way the run ends. */
let cleaning: Promise<void> | undefined;
function cleanUp(graceMs: number): Promise<void> {
  cleaning ??= (async () => {
    for (const child of children) await stopChild(child, graceMs);
    const deleted = await deleteKeys(redis, [`${namespace}:*`, `khiw-${namespace}:*`]);
    log(`\ncleaned up ${deleted} keys of ${namespace}`);
    await closeRedis(redis);
  })();
  return cleaning;
}

async function main(): Promise<void> {
  const deadline = setTimeout(() => {
    console.error(`benchmark exceeded ${DEADLINE_MS / 1000} s; stopping`);
    void cleanUp(0).finally(() => process.exit(2));
  }, DEADLINE_MS);
  deadline.unref();
  log(
    `khiw waiting-room benchmark${SMOKE ? ' (smoke)' : ''} · namespace ${namespace} · ${CONNECTIONS} connections · ${ROUNDS}×${SECONDS}s`,
  );
  log(`machine: ${(await import('node:os')).cpus().length} cores, node ${process.version}`);
  try {
    await publishSnapshot(redis, namespace, CAMPAIGN.gateway);
    await publishSnapshot(redis, namespace, CAMPAIGN.memory);
    const [bare, gateway] = await Promise.all([startBare(), startGateway()]);
    const rssStart = rssBytes(gateway.child.pid!);

    log('\n1. tickets to poll with');
    const bareTickets = await joinMany(`http://127.0.0.1:${bare.port}/bare/queue`, TICKETS);
    const gatewayTickets = await joinMany(
      `http://127.0.0.1:${gateway.port}/api/campaigns/${CAMPAIGN.gateway}/queue`,
      TICKETS,
    );
    const [firstNumber, firstId] = bareTickets[0]!.split('.') as [string, string];

    log('2. redis-benchmark (the ceiling)');
    const ceiling = await redisCeiling({ id: firstId, number: Number(firstNumber) });

    log('3. bare express vs gateway (autocannon)');
    const http = await compare(bare.port, gateway.port, bareTickets, gatewayTickets);
    const rssAfterLoad = rssBytes(gateway.child.pid!);

    log(`4. ${rate(RESIDENTS)} residents waiting (fill via ${FILL})`);
    const memKeys = waitingRoomKeys(namespace, CAMPAIGN.memory);
    const before = await usedMemory(redis);
    const fill = await fillRoom(gateway.port);
    const after = await usedMemory(redis);
    const byKey = await memoryByKey(redis, [...waitingRoomKeyList(memKeys), memKeys.info]);
    const roomBytes = byKey.reduce((sum, k) => sum + k.bytes, 0);
    const rssFilled = rssBytes(gateway.child.pid!);

    const row = (cells: string[]) => `| ${cells.join(' | ')} |`;
    log('\nThroughput (median of rounds; req/s, latency p50/p99 ms)');
    log(row(['step', 'redis-benchmark', 'bare express', 'gateway', 'gateway ÷ bare', 'target']));
    log(row(['---', '---:', '---:', '---:', '---:', '---:']));
    for (const [name, target] of [
      ['join', 0.5],
      ['status', 0.8],
    ] as const) {
      const { bare: b, gateway: g } = http[name];
      const ratio = g.rps / b.rps;
      log(
        row([
          name === 'join' ? 'join (POST …/queue)' : 'status (GET /api/queue/status)',
          `${rate(ceiling[name])} (EVALSHA ${name === 'join' ? 'join-5' : 'status-9'})`,
          `${rate(b.rps)} (${b.p50}/${b.p99})`,
          `${rate(g.rps)} (${g.p50}/${g.p99})`,
          `${ratio.toFixed(2)}× ${ratio >= target ? 'ok' : 'BELOW'}`,
          `≥ ${target}×`,
        ]),
      );
    }
    log(`redis-benchmark INCR: ${rate(ceiling.incr)} ops/s`);

    log(
      `\nMemory with ${rate(fill.placed)} residents waiting (filled via ${fill.via} in ${fill.seconds.toFixed(1)} s)`,
    );
    log(
      `Redis used_memory: ${mb(before)} → ${mb(after)} (Δ ${mb(after - before)}; whole server, other users included)`,
    );
    log(
      `MEMORY USAGE of the room's keys: ${mb(roomBytes)} (${(roomBytes / fill.placed).toFixed(0)} B per resident) ${roomBytes < 64 * 1024 * 1024 ? 'ok' : 'ABOVE'} target < 64 MB`,
    );
    for (const { key, bytes } of byKey.filter((k) => k.bytes > 0))
      log(`  ${key.replace(`${namespace}:`, '')}: ${mb(bytes)}`);
    log(
      `Gateway RSS: ${mb(rssStart)} at start, ${mb(rssAfterLoad)} after the HTTP rounds, ${mb(rssFilled)} after the fill`,
    );
    if (SMOKE && failedRequests > 0) {
      log(`smoke: FAILED, ${failedRequests} requests not answered 2xx`);
      process.exitCode = 1;
    }
  } finally {
    await cleanUp(15_000);
    clearTimeout(deadline);
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
