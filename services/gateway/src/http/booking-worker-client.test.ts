import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Response } from 'express';
import { INTERNAL_TOKEN_HEADER } from '@khiw/contracts';
import { createLogger } from '@khiw/observability';
import { BookingWorkerClient, relayAnswer } from './booking-worker-client';
import {
  FIELD_MESSAGES,
  MESSAGE_VARIANTS,
  PROBLEM_MESSAGES,
  UNKNOWN_PROBLEM,
  type MessageVariant,
} from './problem-messages';

// An in-process HTTP server on 127.0.0.1 stands in for the worker/roster: the client is
// undici's request API now, so these pin down what fetch gave (timeouts, broken answers).
let server: http.Server;
let handler: http.RequestListener;
let baseUrl: string;

beforeAll(async () => {
  server = http.createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const client = (timeoutMs = 300) =>
  new BookingWorkerClient({
    baseUrl,
    timeoutMs,
    internalToken: 'x'.repeat(20),
    logger: createLogger({ service: 'test', level: 'silent' }),
  });

const readBody = (req: http.IncomingMessage) =>
  new Promise<string>((resolve) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => resolve(text));
  });

describe('BookingWorkerClient', () => {
  it('sends the JSON body and internal token, and returns status and parsed answer', async () => {
    const seen: { method?: string; url?: string; token?: string; type?: string; body?: string }[] = [];
    handler = async (req, res) => {
      seen.push({
        method: req.method,
        url: req.url,
        token: req.headers[INTERNAL_TOKEN_HEADER] as string,
        type: req.headers['content-type'],
        body: await readBody(req),
      });
      res.writeHead(404, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify({ code: 'NOT_FOUND' }));
    };
    const answer = await client().call('POST', '/internal/lookup?x=1', { citizenId: '1' });
    expect(answer).toEqual({ status: 404, body: { code: 'NOT_FOUND' } });
    expect(seen).toEqual([
      {
        method: 'POST',
        url: '/internal/lookup?x=1',
        token: 'x'.repeat(20),
        type: 'application/json',
        body: '{"citizenId":"1"}',
      },
    ]);
  });

  it('keeps the connection alive between calls', async () => {
    const remotePorts = new Set<number | undefined>();
    handler = (req, res) => {
      remotePorts.add(req.socket.remotePort);
      res.end();
    };
    const worker = client();
    for (let i = 0; i < 10; i++)
      expect(await worker.call('GET', '/internal/x')).toEqual({ status: 200, body: undefined });
    // undici's pool may open a second socket while the first is settling; never one per call.
    expect(remotePorts.size).toBeLessThanOrEqual(2);
    await worker.close();
  });

  it('gives up on an upstream that never answers within the timeout', async () => {
    handler = () => undefined;
    const started = Date.now();
    await expect(client(200).call('GET', '/internal/stuck')).rejects.toMatchObject({
      code: 'BOOKING_SERVICE_UNAVAILABLE',
    });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('gives up on an answer that stops halfway within the timeout', async () => {
    handler = (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"booking":');
    };
    await expect(client(200).call('GET', '/internal/half')).rejects.toThrow(/broke off/);
    await expect(client(200).call('GET', '/internal/half')).rejects.toMatchObject({
      code: 'BOOKING_SERVICE_UNAVAILABLE',
    });
  });

  it('reports an answer cut off by the upstream as unavailable', async () => {
    handler = (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"booking":', () => res.socket?.destroy());
    };
    await expect(client(2000).call('GET', '/internal/cut')).rejects.toThrow(/broke off/);
  });

  it('reports a refused connection as unavailable', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const worker = new BookingWorkerClient({
      baseUrl: `http://127.0.0.1:${port}`,
      timeoutMs: 1000,
      logger: createLogger({ service: 'test', level: 'silent' }),
    });
    await expect(worker.call('GET', '/internal/x')).rejects.toThrow(/failed/);
  });
});

/** Just what relayAnswer uses of express' Response, recording what was sent. */
function recordingResponse() {
  const sent = { status: 0, headers: {} as Record<string, string>, body: undefined as unknown };
  const res = {
    set: (name: string, value: string) => ((sent.headers[name.toLowerCase()] = value), res),
    setHeader: (name: string, value: string) => ((sent.headers[name.toLowerCase()] = value), res),
    status: (status: number) => ((sent.status = status), res),
    json: (body: unknown) => ((sent.body = body), res),
    end: () => res,
  };
  return { res: res as unknown as Response, sent };
}

describe('relayAnswer: code-only problems in the gateway envelope', () => {
  const logger = createLogger({ service: 'test', level: 'silent' });
  const relay = (status: number, body: unknown, variant?: MessageVariant) => {
    const { res, sent } = recordingResponse();
    relayAnswer(res, { status, body }, { logger, context: 'test', variant });
    return sent;
  };

  it('words a code with the catalogue, in the route variant when it has one', () => {
    expect(relay(409, { code: 'SLOT_FULL' })).toEqual({
      status: 409,
      headers: { 'cache-control': 'no-store' },
      body: { error: { code: 'SLOT_FULL', message: PROBLEM_MESSAGES.SLOT_FULL } },
    });
    expect(relay(404, { code: 'NOT_FOUND' }, 'identity').body).toEqual({
      error: { code: 'NOT_FOUND', message: MESSAGE_VARIANTS.identity.NOT_FOUND },
    });
    expect(relay(404, { code: 'NOT_FOUND' }, 'operator').body).toEqual({
      error: { code: 'NOT_FOUND', message: PROBLEM_MESSAGES.NOT_FOUND },
    });
  });

  it('words each field: a FIELD_MESSAGES key as itself, an English detail after `invalid`', () => {
    const sent = relay(400, {
      code: 'INVALID_INPUT',
      fields: { citizenId: 'citizenIdFormat', quota: 'Too small: expected number to be >=0', odd: 42 },
    });
    expect(sent.status).toBe(400);
    expect(sent.body).toEqual({
      error: {
        code: 'INVALID_INPUT',
        message: PROBLEM_MESSAGES.INVALID_INPUT,
        fields: {
          citizenId: FIELD_MESSAGES.citizenIdFormat,
          quota: {
            th: FIELD_MESSAGES.invalid.th,
            en: `${FIELD_MESSAGES.invalid.en}: Too small: expected number to be >=0`,
          },
          odd: FIELD_MESSAGES.invalid,
        },
      },
    });
  });

  it('passes a code it has no words for on with generic words, never a crash', () => {
    expect(relay(409, { code: 'SOMETHING_NEWER' })).toMatchObject({
      status: 409,
      body: { error: { code: 'SOMETHING_NEWER', message: UNKNOWN_PROBLEM } },
    });
  });

  it('answers 503 with Retry-After for a refused token, a 5xx or an answer without a problem', () => {
    const unavailable = {
      status: 503,
      headers: { 'cache-control': 'no-store', 'retry-after': '5' },
      body: {
        error: { code: 'BOOKING_SERVICE_UNAVAILABLE', message: PROBLEM_MESSAGES.BOOKING_SERVICE_UNAVAILABLE },
      },
    };
    expect(relay(401, { code: 'UNAUTHORIZED' })).toEqual(unavailable);
    expect(relay(403, { code: 'UNAUTHORIZED' })).toEqual(unavailable);
    expect(relay(500, { code: 'INTERNAL' })).toEqual(unavailable);
    expect(relay(409, 'not a problem')).toEqual(unavailable);
    expect(relay(404, undefined).body).toEqual({
      error: { code: 'NOT_FOUND', message: PROBLEM_MESSAGES.NOT_FOUND },
    });
    expect(relay(200, { booking: null })).toMatchObject({ status: 200, body: { booking: null } });
  });
});
