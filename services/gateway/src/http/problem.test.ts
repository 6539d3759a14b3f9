import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { KhiwError, REJECTION_CODES, REQUEST_CODES, WAITING_ROOM_CODES } from '@khiw/errors';
import { Counter, createLogger, Registry } from '@khiw/observability';
import { FIELD_MESSAGES, PROBLEM_MESSAGES } from './problem-messages';
import { problemHandler, sendProblem } from './problem';

// One app with every kind of failure behind its own path, answered by the one handler.
const registry = new Registry();
const tokensRefused = new Counter({
  name: 'refused',
  help: 'x',
  labelNames: ['code'],
  registers: [registry],
});
const app = express();
app.use(express.json({ limit: '100b' }));
app.post('/echo', (req, res) => res.json(req.body));
app.get('/throw/:code', (req) => {
  throw new KhiwError(req.params.code as 'SUBMIT_BUSY');
});
app.get('/busy-later', () => {
  throw new KhiwError('TEMPORARILY_UNAVAILABLE', 'x', { retryAfterMs: 12_500 });
});
app.get('/redis-down', async () => {
  throw new Error('Connection is closed.');
});
app.get('/bug', () => {
  throw new TypeError('cannot read properties of undefined');
});
app.get('/sms', () => {
  throw new KhiwError('SMS_REJECTED');
});
app.get('/rate-limited', (_req, res) =>
  sendProblem(res, 'RATE_LIMITED', { variant: 'queue', retryAfterSeconds: 7 }),
);
app.use(problemHandler({ logger: createLogger({ service: 'test', level: 'silent' }), tokensRefused }));

let server: Server;
let base = '';
beforeAll(async () => {
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

async function get(path: string, init?: RequestInit) {
  const response = await fetch(`${base}${path}`, init);
  return {
    status: response.status,
    header: (name: string) => response.headers.get(name),
    body: (await response.json()) as { error: { code: string; message: unknown; fields?: unknown } },
  };
}

describe('problemHandler: one error-to-HTTP mapping', () => {
  it('answers a token refusal with its status, WWW-Authenticate on 401, and counts it', async () => {
    const missing = await get('/throw/TOKEN_MISSING');
    expect(missing.status).toBe(401);
    expect(missing.header('www-authenticate')).toBe('Bearer error="invalid_token"');
    expect(missing.header('cache-control')).toBe('no-store');
    expect(missing.body).toEqual({
      error: { code: 'TOKEN_MISSING', message: PROBLEM_MESSAGES.TOKEN_MISSING },
    });
    const forbidden = await get('/throw/ROLE_FORBIDDEN');
    expect(forbidden.status).toBe(403);
    expect(forbidden.header('www-authenticate')).toBeNull();
    const counted = (await tokensRefused.get()).values.map((v) => [v.labels.code, v.value]);
    expect(counted).toEqual([
      ['TOKEN_MISSING', 1],
      ['ROLE_FORBIDDEN', 1],
    ]);
  });

  it('keeps the statuses and Retry-After of today', async () => {
    const statuses: Record<string, [number, string | null]> = {
      CHALLENGE_INVALID: [400, null],
      CAMPAIGN_NOT_FOUND: [404, null],
      QUEUE_ALREADY_STARTED: [409, null],
      ACCESS_EXHAUSTED: [403, null],
      SUBMIT_BUSY: [503, '2'],
      BOOKING_SERVICE_UNAVAILABLE: [503, '5'],
    };
    for (const [code, [status, retryAfter]] of Object.entries(statuses)) {
      const answer = await get(`/throw/${code}`);
      expect({ code, status: answer.status, retryAfter: answer.header('retry-after') }).toEqual({
        code,
        status,
        retryAfter,
      });
      expect(answer.body.error.code).toBe(code);
    }
    expect((await get('/busy-later')).header('retry-after')).toBe('13');
    const limited = await get('/rate-limited');
    expect([limited.status, limited.header('retry-after')]).toEqual([429, '7']);
    expect(limited.body.error.message).toEqual({
      th: 'มีการเข้าคิวจากเครือข่ายนี้มากเกินไป กรุณารอสักครู่',
      en: 'Too many joins from this network; please wait a moment',
    });
  });

  it('answers bad JSON, an oversized body and Redis away as before, and a bug as a 500', async () => {
    const post = (body: string) =>
      get('/echo', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const malformed = await post('{"a":');
    expect([malformed.status, malformed.body.error.code]).toEqual([400, 'MALFORMED_JSON']);
    expect(malformed.body.error.fields).toEqual({ '(body)': FIELD_MESSAGES.bodyNotJson });
    const large = await post(JSON.stringify({ a: 'x'.repeat(200) }));
    expect([large.status, large.body.error.code]).toEqual([413, 'BODY_TOO_LARGE']);
    const redis = await get('/redis-down');
    expect([redis.status, redis.body.error.code, redis.header('retry-after')]).toEqual([
      503,
      'TEMPORARILY_UNAVAILABLE',
      '5',
    ]);
    for (const path of ['/bug', '/sms']) {
      const bug = await get(path);
      expect(bug).toMatchObject({ status: 500, body: { error: { code: 'INTERNAL' } } });
    }
  });

  it('has Thai and English words for every code a person may see', () => {
    for (const code of [...REJECTION_CODES, ...REQUEST_CODES, ...WAITING_ROOM_CODES]) {
      expect(PROBLEM_MESSAGES[code].th).toMatch(/[\u0E00-\u0E7F]/);
      expect(PROBLEM_MESSAGES[code].en.length).toBeGreaterThan(5);
    }
  });
});
