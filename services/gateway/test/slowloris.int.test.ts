import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { eventually, uniqueNamespace } from '../../../test/support/env';
import { startService, type RunningService } from '../../../test/support/services';
import { generateSigningKey, privateKeyPem } from '../src/waiting-room/tokens/keyring';
import { closeRedis, deleteNamespace, publishSnapshot, testRedis } from './waiting-room-fixtures';

/**
 * Slowloris against a real gateway: 1,000 connections that never finish a request (half send
 * a header a byte at a time, half send nothing) are held while residents join the waiting
 * room and poll their place. The room must answer them, and the server's own timeouts
 * (HTTP_HEADERS_TIMEOUT_MS, short here) must cut every slow socket. Figures are printed.
 */
const SLOW = 1000;
const HEADERS_TIMEOUT_MS = 10_000;
/** What "still answers" means here: generous, a 2-core machine shared with other tests. */
const ANSWER_BOUND_MS = 3000;

const namespace = uniqueNamespace('slowloris');
const campaignId = `slow-${namespace.slice(-6)}`;
const key = generateSigningKey('test-key');
const redis = testRedis();
let gateway: RunningService;

interface Slow {
  socket: net.Socket;
  kind: 'trickle' | 'silent';
  openedAt: number;
  closedAt?: number;
  firstLine?: string;
}

beforeAll(async () => {
  await publishSnapshot(redis, namespace, campaignId);
  gateway = await startService('gateway', namespace, {
    GATEWAY_SIGNING_KEY: privateKeyPem(key),
    GATEWAY_SIGNING_KEY_ID: 'test-key',
    HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
    WAITING_ROOM_POW_DIFFICULTY: '0',
    WAITING_ROOM_OUTFLOW_PER_MINUTE: '0',
    // Every probe comes from 127.0.0.1: the per-network join limit is not what is tested.
    WAITING_ROOM_JOINS_PER_NETWORK_PER_MINUTE: '0',
  });
});

afterAll(async () => {
  const code = await gateway?.stop();
  await deleteNamespace(redis, namespace);
  await closeRedis(redis);
  expect(code).toBe(0);
});

function openSlow(port: number, kind: Slow['kind']): Promise<Slow> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const slow: Slow = { socket, kind, openedAt: 0 };
    let drip: NodeJS.Timeout | undefined;
    socket.once('connect', () => {
      slow.openedAt = Date.now();
      if (kind === 'trickle') {
        socket.write(`GET /api/campaigns/${campaignId} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: `);
        // A byte a second: the socket is never idle, the headers never end.
        drip = setInterval(() => socket.writable && socket.write('a'), 1000);
      }
      resolve(slow);
    });
    socket.on('data', (chunk) => (slow.firstLine ??= chunk.toString('latin1').split('\r\n')[0]));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(drip);
      slow.closedAt ??= Date.now();
    });
    socket.once('error', reject);
  });
}

async function timed(path: string, init: RequestInit = {}) {
  const started = performance.now();
  const response = await fetch(`http://127.0.0.1:${gateway.port}${path}`, init);
  const body = (await response.json()) as Record<string, unknown>;
  return { status: response.status, body, ms: performance.now() - started };
}

/** One resident: joins, then polls its place once. */
async function resident() {
  const join = await timed(`/api/campaigns/${campaignId}/queue`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  const status = await timed('/api/queue/status', {
    headers: { authorization: `Bearer ${join.body.ticket}` },
  });
  return { join, status };
}

const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))];

const openFiles = (pid: number) => readdirSync(`/proc/${pid}/fd`).length;
const fileLimit = (pid: number) =>
  readFileSync(`/proc/${pid}/limits`, 'utf8')
    .match(/Max open files\s+(\d+)\s+(\d+)/)
    ?.slice(1) ?? [];

describe('slowloris: 1,000 slow connections held against the gateway', () => {
  it('keeps answering joins and status polls, then cuts every slow socket at the headers timeout', async () => {
    const pid = gateway.child.pid!;
    const before = await Promise.all(Array.from({ length: 20 }, () => resident()));

    const slow: Slow[] = [];
    // In batches: the listen backlog (511) is not what is tested.
    for (let i = 0; i < SLOW; i += 100) {
      slow.push(
        ...(await Promise.all(
          Array.from({ length: 100 }, (_, j) => openSlow(gateway.port, (i + j) % 2 ? 'silent' : 'trickle')),
        )),
      );
    }
    // A client's connect completes in the kernel's backlog, before the gateway accepts it.
    await eventually(
      async () => openFiles(pid) >= SLOW,
      10_000,
      'the gateway accepted every slow connection',
    );
    const heldAt = Date.now();
    const fdsWhileHeld = openFiles(pid);

    // Residents in waves of 10 at once, for 3 s, while every slow socket is still open.
    const during: Awaited<ReturnType<typeof resident>>[] = [];
    while (Date.now() - heldAt < 3000) {
      during.push(...(await Promise.all(Array.from({ length: 10 }, () => resident()))));
    }
    const stillOpen = slow.filter((s) => s.closedAt === undefined).length;

    await eventually(
      async () => slow.every((s) => s.closedAt !== undefined),
      HEADERS_TIMEOUT_MS + 15_000,
      'every slow socket closed by the gateway',
      250,
    );
    const lifetimes = slow.map((s) => s.closedAt! - s.openedAt);
    const after = await Promise.all(Array.from({ length: 20 }, () => resident()));

    const ms = (list: typeof during, which: 'join' | 'status') => list.map((r) => r[which].ms);
    const figures = {
      slowConnections: SLOW,
      gatewayOpenFilesWhileHeld: fdsWhileHeld,
      gatewayOpenFilesLimit: fileLimit(pid),
      stillOpenAfterProbes: stillOpen,
      residentsDuring: during.length,
      joinMsBefore: { p50: percentile(ms(before, 'join'), 50), max: Math.max(...ms(before, 'join')) },
      joinMsDuring: {
        p50: percentile(ms(during, 'join'), 50),
        p99: percentile(ms(during, 'join'), 99),
        max: Math.max(...ms(during, 'join')),
      },
      statusMsDuring: {
        p50: percentile(ms(during, 'status'), 50),
        p99: percentile(ms(during, 'status'), 99),
        max: Math.max(...ms(during, 'status')),
      },
      slowLifetimeMs: {
        min: Math.min(...lifetimes),
        p50: percentile(lifetimes, 50),
        max: Math.max(...lifetimes),
      },
      trickleAnswered: [...new Set(slow.filter((s) => s.kind === 'trickle').map((s) => s.firstLine))],
    };
    process.stdout.write(`slowloris figures: ${JSON.stringify(figures)}\n`);

    // The slow sockets were really held by the gateway while the residents were served.
    expect(fdsWhileHeld).toBeGreaterThanOrEqual(SLOW);
    expect(stillOpen).toBe(SLOW);
    for (const { join, status } of [...before, ...during, ...after]) {
      expect(join.status).toBe(201);
      expect(status.status).toBe(200);
      expect(['waiting', 'prequeue', 'admitted']).toContain(status.body.state);
    }
    expect(during.length).toBeGreaterThanOrEqual(10);
    expect(Math.max(...ms(during, 'join'), ...ms(during, 'status'))).toBeLessThan(ANSWER_BOUND_MS);
    // Cut by the server's timeout: not before it, and within the 1 s check interval after.
    expect(Math.min(...lifetimes)).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 500);
    expect(Math.max(...lifetimes)).toBeLessThan(HEADERS_TIMEOUT_MS + 5000);
    expect(figures.trickleAnswered).toEqual(['HTTP/1.1 408 Request Timeout']);
  });
});
