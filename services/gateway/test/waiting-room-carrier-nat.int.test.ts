import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import { uniqueNamespace } from '../../../test/support/env';
import { startService, type RunningService } from '../../../test/support/services';
import { isProofOfWorkValid, solveProofOfWork } from '../src/waiting-room/proof-of-work';
import { generateSigningKey, privateKeyPem } from '../src/waiting-room/tokens/keyring';
import { closeRedis, deleteNamespace, publishSnapshot, testRedis } from './waiting-room-fixtures';

/**
 * The per-network join limits with their defaults (6,000 joins, 1,200 unredeemed challenges,
 * 600 failed joins a minute per address), against a real gateway and Redis. Each client has
 * its own loopback source address (the gateway trusts loopback, so that address is the
 * client's network): one address stands for a carrier-grade NAT, others for one machine.
 */
const namespace = uniqueNamespace('wrnat');
const campaignId = `wrn-${namespace.slice(-6)}`;
const key = generateSigningKey('nat-key');
const redis = testRedis();
const LANES = 16;
let gateway: RunningService;

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
interface Answer {
  status: number;
  retryAfter?: string;
  body: Json;
}

/** A client machine (or a NAT) with one source address and up to LANES connections. */
function machine(address: string) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: LANES, localAddress: address });
  const call = (method: string, path: string, body?: unknown, token?: string) =>
    new Promise<Answer>((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = http.request(
        {
          host: '127.0.0.1',
          port: gateway.port,
          method,
          path,
          agent,
          headers: {
            ...(payload && { 'content-type': 'application/json' }),
            ...(token && { authorization: `Bearer ${token}` }),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const retryAfter = res.headers['retry-after'];
            resolve({
              status: res.statusCode ?? 0,
              retryAfter,
              body: text ? (JSON.parse(text) as Json) : {},
            });
          });
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  const challenge = () => call('GET', `/api/campaigns/${campaignId}/queue/challenge`);
  const join = (body: Json, token?: string) =>
    call('POST', `/api/campaigns/${campaignId}/queue`, body, token);
  /** A resident's whole join: a challenge, the work, the join. */
  const resident = async () => {
    const got = await challenge();
    if (got.status !== 200) return got;
    return join({
      challenge: got.body.challenge,
      nonce: solveProofOfWork(got.body.challenge, got.body.difficulty),
    });
  };
  return { call, challenge, join, resident, close: () => agent.destroy() };
}

/**
 * Runs `task` up to `times` times over LANES concurrent lanes, until `done` says so; the
 * answers in order of `index`.
 */
async function overLanes<T>(
  times: number,
  task: (index: number) => Promise<T>,
  done: (answer: T) => boolean = () => false,
): Promise<T[]> {
  const answers: T[] = [];
  let next = 0;
  let stop = false;
  await Promise.all(
    Array.from({ length: LANES }, async () => {
      while (next < times && !stop) {
        const index = next++;
        answers[index] = await task(index);
        if (done(answers[index])) stop = true;
      }
    }),
  );
  return answers;
}

function expectRateLimited(answer: Answer) {
  expect(answer.status).toBe(429);
  expect(answer.body.error.code).toBe('RATE_LIMITED');
  expect(Number(answer.retryAfter)).toBeGreaterThanOrEqual(1);
  expect(answer.body.error.message.th).toMatch(/[\u0E00-\u0E7F]/);
}

function countBy<T>(items: T[], keyOf: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[keyOf(item)] = (counts[keyOf(item)] ?? 0) + 1;
  return counts;
}

beforeAll(async () => {
  await publishSnapshot(redis, namespace, campaignId);
  gateway = await startService('gateway', namespace, {
    GATEWAY_SIGNING_KEY: privateKeyPem(key),
    GATEWAY_SIGNING_KEY_ID: 'nat-key',
    WAITING_ROOM_OUTFLOW_PER_MINUTE: '0',
    // Low, so 2,000 solves take seconds in the test; the limits do not depend on it.
    WAITING_ROOM_POW_DIFFICULTY: '4',
    WAITING_ROOM_TICK_MS: '200',
    LOG_LEVEL: 'warn',
  });
});

afterAll(async () => {
  const code = await gateway?.stop();
  await deleteNamespace(redis, namespace);
  await closeRedis(redis);
  expect(code).toBe(0);
});

describe('per-network join limits sized for carrier-grade NAT', () => {
  it('gives 2,000 residents behind ONE source address a place each, at once (600/min let 300 in)', async () => {
    const nat = machine('127.77.0.1');
    const started = Date.now();
    const answers = await overLanes(2000, () => nat.resident());
    const seconds = (Date.now() - started) / 1000;
    nat.close();
    expect(countBy(answers, (a) => String(a.status))).toEqual({ 201: 2000 });
    expect(new Set(answers.map((a) => a.body.queueNumber)).size).toBe(2000);
    console.log(`2,000 residents from one address joined in ${seconds.toFixed(1)} s`);
  });

  it('stops a machine sending joins without valid work (429 + Retry-After), not its neighbours nor its polls', async () => {
    const hammer = machine('127.77.0.2');
    // It holds one honest place first: a blocked network still polls its status.
    const first = await hammer.challenge();
    const spent = {
      challenge: first.body.challenge,
      nonce: solveProofOfWork(first.body.challenge, first.body.difficulty),
    };
    const place = await hammer.join(spent);
    expect(place.status).toBe(201);
    const started = Date.now();
    const rounds = await overLanes(2000, async (index) => {
      const got = await hammer.challenge();
      if (got.status !== 200) return { challenge: got };
      // Half a nonce that does not solve the challenge, half a spent challenge sent again.
      let nonce = String(index);
      while (isProofOfWorkValid(got.body.challenge, nonce, got.body.difficulty)) nonce += 'x';
      const join = await hammer.join(index % 2 ? { challenge: got.body.challenge, nonce } : spent);
      return { challenge: got, join };
    });
    const seconds = (Date.now() - started) / 1000;
    const joins = rounds.flatMap((r) => (r.join ? [r.join] : []));
    const failed = joins.filter((a) => a.status === 400);
    const limited = [...rounds.map((r) => r.challenge), ...joins].filter((a) => a.status === 429);
    for (const answer of limited) expectRateLimited(answer);
    expect(countBy(failed, (a) => a.body.error.code)).toEqual({
      PROOF_OF_WORK_INVALID: expect.any(Number),
      CHALLENGE_INVALID: expect.any(Number),
    });
    expect(failed.length + limited.length).toBe(joins.length + rounds.filter((r) => !r.join).length);
    // 600 failures of burst, at most one in flight per lane when it filled, 10 a second of drain.
    expect(failed.length).toBeGreaterThanOrEqual(600);
    expect(failed.length).toBeLessThanOrEqual(600 + LANES + Math.ceil(seconds * 10));
    // Once blocked, its challenges are refused too.
    expect(rounds.filter((r) => r.challenge.status === 429).length).toBeGreaterThan(1000);
    // The blocked network still polls: status is not limited per network.
    const status = await hammer.call('GET', '/api/queue/status', undefined, place.body.ticket);
    expect(status.status).toBe(200);
    expect(status.body.state).toBe('waiting');
    hammer.close();
    // A resident on another address is not touched.
    const neighbour = machine('127.77.0.3');
    expect((await neighbour.resident()).status).toBe(201);
    neighbour.close();
    console.log(
      `hammer without work: ${failed.length} refused 400, ${limited.length} 429 in ${seconds.toFixed(1)} s`,
    );
  });

  it('stops one machine refreshing its place far past any NAT: 429 + Retry-After after 6,000 joins', async () => {
    const refresher = machine('127.77.0.4');
    const place = await refresher.resident();
    expect(place.status).toBe(201);
    const ticket = place.body.ticket as string;
    const started = Date.now();
    // Until refused: as fast as 16 connections go, far past 100 a second.
    const answers = await overLanes(
      30_000,
      () => refresher.join({}, ticket),
      (a) => a.status === 429,
    );
    const seconds = (Date.now() - started) / 1000;
    refresher.close();
    const same = answers.filter((a) => a.status === 200);
    const limited = answers.filter((a) => a.status === 429);
    for (const answer of limited) expectRateLimited(answer);
    expect(same.length + limited.length).toBe(answers.length);
    expect(new Set(same.map((a) => a.body.queueNumber))).toEqual(new Set([place.body.queueNumber]));
    // 6,000 of burst (one spent on the first join), 100 a second of drain.
    expect(same.length).toBeGreaterThanOrEqual(5999);
    expect(same.length).toBeLessThanOrEqual(5999 + LANES + Math.ceil(seconds * 100));
    expect(limited.length).toBeGreaterThan(0);
    console.log(`refresher: ${same.length} rejoins, ${limited.length} 429 in ${seconds.toFixed(1)} s`);
  });

  it('refuses a machine collecting challenges it never redeems after 1,200', async () => {
    const collector = machine('127.77.0.5');
    const started = Date.now();
    const answers = await overLanes(1500, () => collector.challenge());
    const seconds = (Date.now() - started) / 1000;
    collector.close();
    const issued = answers.filter((a) => a.status === 200);
    const limited = answers.filter((a) => a.status === 429);
    for (const answer of limited) expectRateLimited(answer);
    expect(issued.length + limited.length).toBe(1500);
    // 1,200 of burst, 20 a second of drain.
    expect(issued.length).toBeGreaterThanOrEqual(1200);
    expect(issued.length).toBeLessThanOrEqual(1200 + Math.ceil(seconds * 20));
  });
});
