import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHmac, generateKeyPairSync } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { spawnService, stopChild } from '../../../infra/local/services';
import { eventually, freePort, uniqueNamespace } from '../../../test/support/env';
import { startService, type RunningService } from '../../../test/support/services';
import { solveProofOfWork } from '../src/waiting-room/proof-of-work';
import { generateSigningKey, Keyring, privateKeyPem } from '../src/waiting-room/tokens/keyring';
import { QueueTokens } from '../src/waiting-room/tokens/queue-tokens';
import { closeRedis, deleteNamespace, publishSnapshot, testRedis } from './waiting-room-fixtures';

/** The waiting room through HTTP, against a real gateway process and the real Redis. */
const namespace = uniqueNamespace('wrhttp');
const campaignId = `wrh-${namespace.slice(-6)}`;
const otherCampaignId = `wrh-other-${namespace.slice(-6)}`;
const key = generateSigningKey('test-key');
const tokens = new QueueTokens(new Keyring(key), { ticketTtlSeconds: 3600 });
const opsToken = tokens.signOps({ subject: 'test-ops', role: 'ops', ttlSeconds: 600 });
const staffToken = tokens.signOps({ subject: 'test-staff', role: 'staff', ttlSeconds: 600 });
const redis = testRedis();
let gateway: RunningService;
let base: string;

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function call(method: string, path: string, options: { token?: string; body?: unknown } = {}) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(options.token && { authorization: `Bearer ${options.token}` }),
      ...(options.body !== undefined && { 'content-type': 'application/json' }),
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : {}) as Json };
}

async function joinWithWork(campaign = campaignId) {
  const { body: challenge } = await call('GET', `/api/campaigns/${campaign}/queue/challenge`);
  const nonce = solveProofOfWork(challenge.challenge, challenge.difficulty);
  return call('POST', `/api/campaigns/${campaign}/queue`, {
    body: { challenge: challenge.challenge, nonce },
  });
}

const patchRoom = (body: Json, token = opsToken) =>
  call('PATCH', `/api/admin/campaigns/${campaignId}/waiting-room`, { token, body });

function expectRefusal(response: { status: number; body: Json }, status: number, code: string) {
  expect(response.status).toBe(status);
  expect(response.body.error.code).toBe(code);
  expect(response.body.error.message.th).toMatch(/[\u0E00-\u0E7F]/);
  expect(response.body.error.message.en.length).toBeGreaterThan(5);
}

beforeAll(async () => {
  await publishSnapshot(redis, namespace, campaignId);
  await publishSnapshot(redis, namespace, otherCampaignId);
  gateway = await startService('gateway', namespace, {
    GATEWAY_SIGNING_KEY: privateKeyPem(key),
    GATEWAY_SIGNING_KEY_ID: 'test-key',
    WAITING_ROOM_OUTFLOW_PER_MINUTE: '0',
    WAITING_ROOM_POW_DIFFICULTY: '8',
    WAITING_ROOM_TICK_MS: '200',
  });
  base = `http://127.0.0.1:${gateway.port}`;
});

afterAll(async () => {
  const code = await gateway?.stop();
  await deleteNamespace(redis, namespace);
  await closeRedis(redis);
  expect(code).toBe(0);
});

describe('join, status and admission over HTTP', () => {
  it('joins with proof of work, keeps the place on a second join, and gets admitted when ops open the flow', async () => {
    const first = await joinWithWork();
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ state: 'waiting', queueNumber: 1, position: 1, aheadCount: 0 });
    expect(
      typeof first.body.estimatedWaitSeconds === 'number' || first.body.estimatedWaitSeconds === null,
    ).toBe(true);
    expect(first.body.pollAfterSeconds).toBeGreaterThanOrEqual(2);
    const ticket = first.body.ticket as string;

    const again = await call('POST', `/api/campaigns/${campaignId}/queue`, { token: ticket, body: {} });
    expect(again.status).toBe(200);
    expect(again.body.queueNumber).toBe(1);
    const viaBody = await call('POST', `/api/campaigns/${campaignId}/queue`, { body: { ticket } });
    expect(viaBody.body.queueNumber).toBe(1);

    const second = await joinWithWork();
    expect(second.body.queueNumber).toBe(2);
    const status = await call('GET', '/api/queue/status', { token: second.body.ticket });
    expect(status.status).toBe(200);
    expect(status.headers.get('cache-control')).toBe('no-store');
    expect(status.body).toMatchObject({ state: 'waiting', position: 2, aheadCount: 1 });

    // The public state is a cached view (at most a tick old), like the CDN in front of it.
    const state = await eventually(async () => {
      const answer = await call('GET', `/api/campaigns/${campaignId}/queue/state`);
      return answer.body.lastNumber === 2 ? answer : undefined;
    });
    expect(state.headers.get('cache-control')).toMatch(/public, max-age=[2-5]/);
    expect(state.body).toMatchObject({ campaignId, state: 'open', servingNumber: 0, queueLength: 2 });

    expect((await patchRoom({ outflowPerMinute: 6000, maxActive: 100 })).status).toBe(200);
    const admitted = await eventually(async () => {
      const answer = await call('GET', '/api/queue/status', { token: ticket });
      return answer.body.state === 'admitted' ? answer.body : undefined;
    });
    expect(admitted).toMatchObject({ queueNumber: 1, position: 0, maxBookings: 5 });
    expect(tokens.verifyAccess(admitted.accessToken, campaignId)).toMatchObject({ queueNumber: 1 });

    const stats = await call('GET', `/api/admin/campaigns/${campaignId}/stats`, { token: staffToken });
    expect(stats.status).toBe(200);
    expect(stats.body).toMatchObject({ campaignId, state: 'open', lastNumber: 2 });
    expect(stats.body.totals.admitted).toBeGreaterThanOrEqual(1);
    expect(stats.body.abandoned).toBeDefined();
  });

  it('refuses a join without work, with a spent challenge, or with a wrong nonce', async () => {
    expectRefusal(
      await call('POST', `/api/campaigns/${campaignId}/queue`, { body: {} }),
      400,
      'CHALLENGE_INVALID',
    );
    const { body: challenge } = await call('GET', `/api/campaigns/${campaignId}/queue/challenge`);
    expect(challenge).toMatchObject({ difficulty: 8, algorithm: 'sha256-leading-zero-bits' });
    const nonce = solveProofOfWork(challenge.challenge, challenge.difficulty);
    const body = { challenge: challenge.challenge, nonce };
    expect((await call('POST', `/api/campaigns/${campaignId}/queue`, { body })).status).toBe(201);
    expectRefusal(
      await call('POST', `/api/campaigns/${campaignId}/queue`, { body }),
      400,
      'CHALLENGE_INVALID',
    );
    const { body: fresh } = await call('GET', `/api/campaigns/${campaignId}/queue/challenge`);
    const wrong = [...Array(50).keys()].map(String).find((n) => n !== solveProofOfWork(fresh.challenge, 8));
    const bad = await call('POST', `/api/campaigns/${campaignId}/queue`, {
      body: { challenge: fresh.challenge, nonce: `x${wrong}` },
    });
    expect([400]).toContain(bad.status);
    expect(['PROOF_OF_WORK_INVALID', 'CHALLENGE_INVALID']).toContain(bad.body.error.code);
  });

  it('refuses bodies that are too large and unknown campaigns', async () => {
    const big = await call('POST', `/api/campaigns/${campaignId}/queue`, {
      body: { nonce: 'x'.repeat(20_000) },
    });
    expect(big.status).toBe(413);
    expect((await call('GET', '/api/campaigns/no-such-campaign/queue/state')).status).toBe(404);
  });

  it('publishes the verification key as JWKS', async () => {
    const { body } = await call('GET', '/.well-known/jwks.json');
    expect(body.keys).toEqual([
      expect.objectContaining({ kid: 'test-key', alg: 'ES256', kty: 'EC', crv: 'P-256' }),
    ]);
    expect(body.keys[0].d).toBeUndefined();
  });
});

describe('tokens that must be refused (401/403, with a message in Thai and English)', () => {
  let ticket: string;
  let claims: { ticketId: string; queueNumber: number | null };
  const status = (token: string) => call('GET', '/api/queue/status', { token });
  const payloadOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

  beforeAll(async () => {
    ticket = (await joinWithWork()).body.ticket;
    claims = tokens.verifyTicket(ticket);
  });

  it('no ticket', async () => {
    expectRefusal(await call('GET', '/api/queue/status'), 401, 'TOKEN_MISSING');
  });

  it('forged signature (another key, same kid)', async () => {
    const forger = new QueueTokens(new Keyring(generateSigningKey('test-key')), { ticketTtlSeconds: 3600 });
    const forged = forger.signTicket({
      ticketId: claims.ticketId,
      campaignId,
      queueNumber: claims.queueNumber,
    });
    expectRefusal(await status(forged), 401, 'TOKEN_INVALID');
  });

  it('alg: none', async () => {
    const unsigned = `${b64({ alg: 'none', typ: 'JWT', kid: 'test-key' })}.${b64(payloadOf(ticket))}.`;
    expectRefusal(await status(unsigned), 401, 'TOKEN_INVALID');
  });

  it('HS256 signed with the public key (algorithm confusion)', async () => {
    const publicPem = key.publicKey.export({ format: 'pem', type: 'spki' }).toString();
    const header = b64({ alg: 'HS256', typ: 'JWT', kid: 'test-key' });
    const body = b64(payloadOf(ticket));
    const signature = createHmac('sha256', publicPem).update(`${header}.${body}`).digest('base64url');
    expectRefusal(await status(`${header}.${body}.${signature}`), 401, 'TOKEN_INVALID');
  });

  it('RS256 token with a key we do not know', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const rogue = jwt.sign({ typ: 'ticket', queueNumber: 1 }, privateKey, {
      algorithm: 'RS256',
      keyid: 'rogue',
      audience: campaignId,
      issuer: 'khiw-gateway',
      subject: claims.ticketId,
    });
    expectRefusal(await status(rogue), 401, 'TOKEN_INVALID');
  });

  it('expired', async () => {
    const expired = jwt.sign(
      { typ: 'ticket', queueNumber: claims.queueNumber, exp: Math.floor(Date.now() / 1000) - 60 },
      key.privateKey,
      {
        algorithm: 'ES256',
        keyid: 'test-key',
        audience: campaignId,
        issuer: 'khiw-gateway',
        subject: claims.ticketId,
      },
    );
    expectRefusal(await status(expired), 401, 'TOKEN_EXPIRED');
  });

  it('wrong audience', async () => {
    expectRefusal(
      await call('GET', `/api/queue/status?campaignId=${otherCampaignId}`, { token: ticket }),
      403,
      'TOKEN_WRONG_AUDIENCE',
    );
    expectRefusal(
      await call('GET', `/api/admin/campaigns/${campaignId}/stats`, { token: ticket }),
      403,
      'TOKEN_WRONG_AUDIENCE',
    );
  });

  it('a ticket from another campaign', async () => {
    const other = (await joinWithWork(otherCampaignId)).body.ticket as string;
    expectRefusal(
      await call('POST', `/api/campaigns/${campaignId}/queue`, { token: other, body: {} }),
      403,
      'TOKEN_WRONG_AUDIENCE',
    );
  });

  it('tampered queue number (payload edited, signature kept)', async () => {
    const [header, , signature] = ticket.split('.');
    const edited = `${header}.${b64({ ...payloadOf(ticket), queueNumber: 1 })}.${signature}`;
    expectRefusal(await status(edited), 401, 'TOKEN_INVALID');
  });

  it('tampered queue number (validly signed, but not this ticket’s number)', async () => {
    const resigned = tokens.signTicket({ ticketId: claims.ticketId, campaignId, queueNumber: 1 });
    expectRefusal(await status(resigned), 403, 'TICKET_TAMPERED');
  });

  it('an access token used as a ticket, a ticket used as an ops token, a staff token used by ops', async () => {
    const access = tokens.signAccess({
      ticketId: claims.ticketId,
      campaignId,
      queueNumber: claims.queueNumber!,
      maxBookings: 5,
      expiresAtMs: Date.now() + 60_000,
    });
    expectRefusal(await status(access), 403, 'TOKEN_WRONG_TYPE');
    expectRefusal(await patchRoom({ paused: true }, staffToken), 403, 'ROLE_FORBIDDEN');
    expectRefusal(await patchRoom({ paused: true }, 'not-a-jwt'), 401, 'TOKEN_INVALID');
  });
});

describe('ops controls', () => {
  it('validates settings and refuses to move the opening once the queue started', async () => {
    const bad = await patchRoom({ outflowPerMinute: -1, unknown: 1 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('INVALID_INPUT');
    expectRefusal(await patchRoom({ opensAt: '2030-01-01T09:00:00+07:00' }), 409, 'QUEUE_ALREADY_STARTED');
    const ok = await patchRoom({ powDifficulty: 0, paused: false });
    expect(ok.body).toMatchObject({ powDifficulty: 0, paused: false });
  });

  it('sold out flips every waiting resident at once', async () => {
    const waiting = await call('POST', `/api/campaigns/${campaignId}/queue`, { body: {} });
    expect(waiting.status).toBe(201);
    await patchRoom({ outflowPerMinute: 0 });
    const soldOut = await call('POST', `/api/admin/campaigns/${campaignId}/sold-out`, { token: opsToken });
    expect(soldOut.body).toMatchObject({ state: 'sold_out', changed: true });
    const answer = await call('GET', '/api/queue/status', { token: waiting.body.ticket });
    expect(answer.body).toMatchObject({ state: 'sold_out', standbyOffered: true });
    const state = await call('GET', `/api/campaigns/${campaignId}/queue/state`);
    expect(['sold_out']).toContain(state.body.state);
  });
});

describe('fail closed', () => {
  it('answers 503 with Retry-After when Redis is unreachable, and admits nobody', async () => {
    const port = await freePort();
    const closedPort = await freePort();
    const child = spawnService('gateway', {
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      KHIW_NAMESPACE: namespace,
      PORT: String(port),
      REDIS_URL: `redis://127.0.0.1:${closedPort}`,
      GATEWAY_SIGNING_KEY: privateKeyPem(key),
      GATEWAY_SIGNING_KEY_ID: 'test-key',
    });
    try {
      const url = `http://127.0.0.1:${port}`;
      await eventually(async () =>
        (await fetch(`${url}/healthz`).catch(() => undefined))?.ok ? true : undefined,
      );
      const ticket = tokens.signTicket({ ticketId: 'abc', campaignId, queueNumber: 1 });
      for (const [method, path, token] of [
        ['POST', `/api/campaigns/${campaignId}/queue`, undefined],
        ['GET', `/api/campaigns/${campaignId}/queue/challenge`, undefined],
        ['GET', '/api/queue/status', ticket],
      ] as const) {
        const response = await fetch(`${url}${path}`, {
          method,
          headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
          body: method === 'POST' ? '{}' : undefined,
        });
        expect(response.status).toBe(503);
        expect(response.headers.get('retry-after')).toBeTruthy();
        expect(((await response.json()) as Json).error.code).toBe('TEMPORARILY_UNAVAILABLE');
      }
      expect((await fetch(`${url}/readyz`)).status).toBe(503);
    } finally {
      await stopChild(child, 10_000);
    }
  });
});
