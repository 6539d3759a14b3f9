import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { INTERNAL_TOKEN_HEADER } from '@khiw/contracts';
import { createLogger, createMetricsRegistry, httpMetricsMiddleware } from '@khiw/observability';
import type { LookupAppointment, RosterAppointment } from '../lookup/lookup-appointment.usecase';
import { withLookupFastPath } from './lookup-fast-path';
import { rosterRoutes, type RosterRoutesDeps } from './roster.routes';

// The fast path must answer exactly as the express route it short-cuts: the same requests go
// to the roster app with and without it, and the answers are compared byte for byte.
const TOKEN = 'a-token-of-20-chars!';
const CITIZEN = '1101700203451';
const appointment: RosterAppointment = {
  bookingId: '6f1c2a7e-3d4b-4c5d-8e9f-0a1b2c3d4e5f',
  reference: 'ABCD2345',
  status: 'confirmed',
  rosterStatus: 'confirmed',
  groupCode: 'elderly',
  siteId: 'site-1',
  siteName: { th: 'โรงพยาบาล', en: 'Hospital' },
  slotId: 'slot-1',
  startsAt: '2026-12-01T02:00:00.000Z',
  checkedInAt: null,
  smsStatus: 'delivered',
};
const lookup = {
  execute: async (input: { campaignId: string; citizenId: string; birthDate: string }) => {
    if (input.citizenId === '9999999999999') throw new Error('database away');
    return input.citizenId === CITIZEN && input.birthDate === '1950-03-04' ? appointment : null;
  },
} as unknown as LookupAppointment;

function rosterApp() {
  const registry = createMetricsRegistry('roster');
  const metrics = httpMetricsMiddleware(registry, 'roster');
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(metrics);
  app.use(rosterRoutes({ lookup, token: TOKEN } as RosterRoutesDeps));
  return { app, metrics, registry };
}

interface Answer {
  status: number;
  type?: string;
  cache?: string;
  body: string;
}
let plain: http.Server;
let fast: http.Server;
let fastRegistry: ReturnType<typeof createMetricsRegistry>;

async function start(listener: http.RequestListener): Promise<http.Server> {
  const server = http.createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

beforeAll(async () => {
  plain = await start(rosterApp().app);
  const { app, metrics, registry } = rosterApp();
  fastRegistry = registry;
  fast = await start(
    withLookupFastPath(app, {
      lookup,
      token: TOKEN,
      metrics,
      logger: createLogger({ service: 'test', level: 'silent' }),
    }),
  );
});
afterAll(async () => {
  for (const server of [plain, fast]) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

const PATH = '/internal/lookup';

function send(
  server: http.Server,
  body: string | Buffer,
  headers: http.OutgoingHttpHeaders,
  path = PATH,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: '127.0.0.1', port: (server.address() as AddressInfo).port, method: 'POST', path, headers },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            type: response.headers['content-type'],
            cache: response.headers['cache-control'],
            body: text,
          }),
        );
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

const json = (value: unknown) => JSON.stringify(value);
const withLength = (body: string | Buffer, headers: http.OutgoingHttpHeaders = {}) => ({
  'content-type': 'application/json',
  'content-length': Buffer.byteLength(body),
  [INTERNAL_TOKEN_HEADER]: TOKEN,
  ...headers,
});
const found = json({ campaignId: 'c-1', citizenId: CITIZEN, birthDate: '1950-03-04' });

// [name, body, headers, path]: every row has all four (jest reads a missing one as `done`).
const cases: [string, string | Buffer, http.OutgoingHttpHeaders, string][] = [
  ['found', found, withLength(found), PATH],
  [
    'wrong birth date',
    json({ campaignId: 'c-1', citizenId: CITIZEN, birthDate: '1950-03-05' }),
    withLength(json({ campaignId: 'c-1', citizenId: CITIZEN, birthDate: '1950-03-05' })),
    PATH,
  ],
  [
    'invalid fields',
    json({ campaignId: 'C 1', citizenId: '12' }),
    withLength(json({ campaignId: 'C 1', citizenId: '12' })),
    PATH,
  ],
  ['malformed JSON', '{"campaignId":', withLength('{"campaignId":'), PATH],
  ['a JSON string, not an object', '"c-1"', withLength('"c-1"'), PATH],
  ['whitespace only', '   ', withLength('   '), PATH],
  ['an array', '[1]', withLength('[1]'), PATH],
  ['UTF-8 BOM', `\ufeff${found}`, withLength(`\ufeff${found}`), PATH],
  ['charset given', found, withLength(found, { 'content-type': 'application/json; charset=utf-8' }), PATH],
  ['wrong token', found, withLength(found, { [INTERNAL_TOKEN_HEADER]: 'b-token-of-20-chars!' }), PATH],
  [
    'no token',
    found,
    { 'content-type': 'application/json', 'content-length': Buffer.byteLength(found) },
    PATH,
  ],
  ['not JSON', found, withLength(found, { 'content-type': 'text/plain' }), PATH],
  [
    'chunked',
    found,
    { 'content-type': 'application/json', 'transfer-encoding': 'chunked', [INTERNAL_TOKEN_HEADER]: TOKEN },
    PATH,
  ],
  ['too large', json({ pad: 'x'.repeat(9000) }), withLength(json({ pad: 'x'.repeat(9000) })), PATH],
  ['trailing slash', found, withLength(found), '/internal/lookup/'],
];

describe('look-up fast path', () => {
  it.each(cases)('answers as the express route: %s', async (_, body, headers, path) => {
    // express's error page (too large) shows the stack outside production: one frame differs.
    const withoutStack = (answer: Answer) => ({
      ...answer,
      body: answer.body.replace(/<br>.*<\/pre>/s, '</pre>'),
    });
    const expected = await send(plain, body, headers, path);
    const actual = await send(fast, body, headers, path);
    expect(withoutStack(actual)).toEqual(withoutStack(expected));
  });

  it('answers problems as codes only, for the gateway to word', async () => {
    const notFound = json({ campaignId: 'c-1', citizenId: CITIZEN, birthDate: '1950-03-05' });
    const invalid = json({ campaignId: 'C 1', citizenId: CITIZEN, birthDate: '1950-03-04' });
    const wrongToken = withLength(found, { [INTERNAL_TOKEN_HEADER]: 'b-token-of-20-chars!' });
    for (const server of [plain, fast]) {
      const missing = await send(server, notFound, withLength(notFound));
      expect([missing.status, JSON.parse(missing.body)]).toEqual([404, { code: 'NOT_FOUND' }]);
      const bad = await send(server, invalid, withLength(invalid));
      expect([bad.status, JSON.parse(bad.body)]).toEqual([
        400,
        { code: 'INVALID_INPUT', fields: { campaignId: expect.any(String) } },
      ]);
      const notJson = await send(server, '{"campaignId":', withLength('{"campaignId":'));
      expect([notJson.status, JSON.parse(notJson.body)]).toEqual([
        400,
        { code: 'INVALID_INPUT', fields: { '(body)': 'bodyNotJson' } },
      ]);
      const refused = await send(server, found, wrongToken);
      expect([refused.status, JSON.parse(refused.body)]).toEqual([401, { code: 'UNAUTHORIZED' }]);
    }
  });

  it('answers 500 when the look-up fails, like the route (whose gateway then asks the worker)', async () => {
    const body = json({ campaignId: 'c-1', citizenId: '9999999999999', birthDate: '1950-03-04' });
    expect((await send(plain, body, withLength(body))).status).toBe(500);
    expect((await send(fast, body, withLength(body))).status).toBe(500);
  });

  it('counts its requests in the route metrics', async () => {
    await send(fast, found, withLength(found));
    const metrics = await fastRegistry.metrics();
    expect(metrics).toMatch(
      /khiw_roster_http_requests_total\{method="POST",route="\/internal\/lookup",status="200"/,
    );
  });
});
