import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { Counter, createLogger, Registry } from '@khiw/observability';
import { problemHandler } from '../http/problem';
import { generateSigningKey, Keyring } from '../waiting-room/tokens/keyring';
import { QueueTokens } from '../waiting-room/tokens/queue-tokens';
import { authorize, optionalScopeOf } from './authorize';
import { ROUTE_POLICIES } from './route-policy';
import { renderAuthzTable } from './authz-table';

const tokens = new QueueTokens(new Keyring(generateSigningKey('k1')), { ticketTtlSeconds: 60 });
const sign = (claims: { role: 'ops' | 'staff'; site?: string; campaign?: string }) =>
  tokens.signOps({ subject: 'someone', ttlSeconds: 60, ...claims });
const guard = authorize(tokens);

// Real policies, a handler that shows what the guard resolved.
const echo: express.RequestHandler = (_req, res) => void res.json(optionalScopeOf(res) ?? { resident: true });
const roster = '/api/staff/campaigns/:campaignId/roster';
const checkIn = '/api/staff/campaigns/:campaignId/bookings/:bookingId/check-in';
const cancel = '/api/appointments/:bookingId/cancel';
const app = express();
app.use(express.json());
app.get(roster, guard('GET', roster), echo);
app.post(checkIn, guard('POST', checkIn), echo);
app.post(cancel, guard('POST', cancel), echo);
app.get('/api/admin/ops/overview', guard('GET', '/api/admin/ops/overview'), echo);
app.use('/ops/queues', guard('USE', '/ops/queues'), echo);
app.use(
  problemHandler({
    logger: createLogger({ service: 'test', level: 'silent' }),
    tokensRefused: new Counter({ name: 'r', help: 'r', labelNames: ['code'], registers: [new Registry()] }),
  }),
);

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

async function call(
  path: string,
  init: { token?: string; method?: string; body?: unknown; cookie?: string } = {},
) {
  const response = await fetch(`${base}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      ...(init.token && { authorization: `Bearer ${init.token}` }),
      ...(init.cookie && { cookie: init.cookie }),
      ...(init.body !== undefined && { 'content-type': 'application/json' }),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const body = (await response.json()) as { error?: { code: string }; site?: string; resident?: boolean };
  return { status: response.status, code: body.error?.code, body };
}

describe('authorize (the route policy guard)', () => {
  it("resolves the site: a staff token's own, the one an ops token names; another is refused", async () => {
    const skh = sign({ role: 'staff', site: 'SKH' });
    expect((await call('/api/staff/campaigns/c1/roster', { token: skh })).body.site).toBe('SKH');
    expect((await call('/api/staff/campaigns/c1/roster?site=SKH', { token: skh })).body.site).toBe('SKH');
    expect(await call('/api/staff/campaigns/c1/roster?site=KTB', { token: skh })).toMatchObject({
      status: 403,
      code: 'SITE_FORBIDDEN',
    });
    // The body's site counts as much as the query's (check-in sends it there).
    const other = await call('/api/staff/campaigns/c1/bookings/b1/check-in', {
      method: 'POST',
      token: skh,
      body: { site: 'KTB' },
    });
    expect(other).toMatchObject({ status: 403, code: 'SITE_FORBIDDEN' });
    const ops = sign({ role: 'ops' });
    expect((await call('/api/staff/campaigns/c1/roster?site=KTB', { token: ops })).body.site).toBe('KTB');
    expect((await call('/api/staff/campaigns/c1/roster', { token: ops })).body.site).toBeUndefined();
  });

  it('holds a token with a campaign claim to that campaign, in the path or the query', async () => {
    const c1 = sign({ role: 'ops', campaign: 'c1' });
    expect((await call('/api/staff/campaigns/c1/roster?site=SKH', { token: c1 })).status).toBe(200);
    expect(await call('/api/staff/campaigns/c2/roster?site=SKH', { token: c1 })).toMatchObject({
      status: 403,
      code: 'CAMPAIGN_FORBIDDEN',
    });
    expect((await call('/api/admin/ops/overview?campaignId=c1', { token: c1 })).status).toBe(200);
    for (const query of ['?campaignId=c2', '', '?campaignId=c1&campaignId=c2']) {
      expect((await call(`/api/admin/ops/overview${query}`, { token: c1 })).code).toBe('CAMPAIGN_FORBIDDEN');
    }
  });

  it('refuses a campaign claim that is not a non-empty string instead of reading it as "every campaign"', async () => {
    // Signed by our key, as a bug or an old minting script could: still no wider than its claim.
    for (const campaign of [7, '', ['c1']]) {
      const token = (tokens as unknown as { sign(claims: object, options: object): string }).sign(
        { typ: 'ops', role: 'ops', campaign },
        { subject: 'x', audience: 'khiw-ops', expiresIn: 60 },
      );
      expect((await call('/ops/queues', { token })).code).toBe('TOKEN_INVALID');
    }
  });

  it('lets bull-board in with the session cookie, never with a token scoped to one campaign', async () => {
    const cookie = (token: string) => `khiw_ops=${encodeURIComponent(token)}`;
    expect((await call('/ops/queues', { cookie: cookie(sign({ role: 'ops' })) })).status).toBe(200);
    expect(
      await call('/ops/queues', { cookie: cookie(sign({ role: 'ops', campaign: 'c1' })) }),
    ).toMatchObject({
      status: 403,
      code: 'CAMPAIGN_FORBIDDEN',
    });
    expect(await call('/ops/queues', { cookie: cookie(sign({ role: 'staff', site: 'SKH' })) })).toMatchObject(
      {
        status: 403,
        code: 'ROLE_FORBIDDEN',
      },
    );
    // The cookie is for bull-board only: the roster wants the header.
    const roster = await call('/api/staff/campaigns/c1/roster?site=SKH', {
      cookie: cookie(sign({ role: 'ops' })),
    });
    expect(roster).toMatchObject({ status: 401, code: 'TOKEN_MISSING' });
  });

  it('cancel: no Authorization header is the resident route; any header is checked as a staff or ops token', async () => {
    expect((await call('/api/appointments/b1/cancel', { method: 'POST', body: {} })).body).toEqual({
      resident: true,
    });
    const siteless = await call('/api/appointments/b1/cancel', {
      method: 'POST',
      token: sign({ role: 'staff' }),
    });
    expect(siteless).toMatchObject({ status: 403, code: 'SITE_SCOPE_REQUIRED' });
    const malformed = await fetch(`${base}/api/appointments/b1/cancel`, {
      method: 'POST',
      headers: { authorization: 'Basic abc' },
    });
    expect(malformed.status).toBe(401);
  });

  it('is only built for operator routes that have a policy', () => {
    expect(() => guard('GET', '/api/no-such-route')).toThrow(/no route policy for GET \/api\/no-such-route/);
    expect(() => guard('POST', '/api/bookings')).toThrow(/access route: its handler checks the caller/);
  });

  it('renders one table row per policy', () => {
    const rows = renderAuthzTable().split('\n');
    expect(rows).toHaveLength(ROUTE_POLICIES.length + 2);
    expect(rows.find((row) => row.startsWith('| `USE /ops/queues`'))).toContain('403 CAMPAIGN_FORBIDDEN');
  });
});
