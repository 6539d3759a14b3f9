import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { eventually } from '../../../test/support/env';
import { newCampaignId, person, SKH, slot, tinyCampaign } from '../../booking-worker/test/worker-fixtures';
import { solveProofOfWork } from '../src/waiting-room/proof-of-work';
import { gatewayWithWorker } from './gateway-with-worker';
import { apiKey, assertionKey, signAssertion } from './partner-fixtures';

/**
 * The partner API (issue 11) against a real gateway and booking worker, through a client
 * that knows nothing but public/openapi/partner.json: each call names an operationId, takes
 * its method and path from the document, and fails on a status or a 2xx body the document
 * does not describe. So the document and the server cannot drift apart unnoticed.
 */
const SPEC = JSON.parse(readFileSync(path.resolve(__dirname, '../public/openapi/partner.json'), 'utf8'));
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const keys = {
  appOld: apiKey('app-2026-01'),
  appNew: apiKey('app-2026-07'),
  appSigning: assertionKey('app-sig-1'),
  other: apiKey('other-1'),
  store: apiKey('store-1'),
  night: apiKey('night-1'),
};
// Open only on a weekday other than today's (Bangkok): a store outside its hours.
const otherDay = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'][
  (new Date(Date.now() + 7 * 3600_000).getUTCDay() + 3) % 7
]!;
const partners = (appKeys: Json[]) => [
  { id: 'mor-app', channel: 'app', keys: [...appKeys, keys.appSigning.entry] },
  { id: 'other-app', channel: 'app', requestsPerMinute: 3, keys: [keys.other.entry] },
  { id: 'seven-store', channel: 'store', keys: [keys.store.entry] },
  {
    id: 'night-kiosk',
    channel: 'store',
    hours: { days: otherDay, from: '00:00', to: '24:00' },
    keys: [keys.night.entry],
  },
];
const partnersFile = path.join(mkdtempSync(path.join(tmpdir(), 'khiw-partners-')), 'partners.json');
writeFileSync(partnersFile, JSON.stringify(partners([keys.appOld.entry, keys.appNew.entry])));

// Browsers pay a proof-of-work for a place; partners pay with their credentials.
const POW = 10;
const env = gatewayWithWorker('partners', {
  PARTNERS_FILE: partnersFile,
  WAITING_ROOM_POW_DIFFICULTY: String(POW),
});
const campaignId = newCampaignId('partners');

/** The client: operations by id, from the document alone. */
async function call(
  operationId: string,
  options: {
    token?: string;
    params?: Record<string, string>;
    headers?: Record<string, string>;
    body?: Json;
    form?: Json;
  } = {},
): Promise<{ status: number; body: Json; headers: Headers }> {
  const [route, method, operation] =
    Object.entries(SPEC.paths as Json)
      .flatMap(([p, methods]) =>
        Object.entries(methods as Json).map(([m, op]) => [p, m, op] as [string, string, Json]),
      )
      .find(([, , op]) => op.operationId === operationId) ?? [];
  if (!operation) throw new Error(`no operation ${operationId} in the document`);
  const url = route!.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(options.params![name]!));
  const response = await fetch(`http://127.0.0.1:${env.gatewayPort()}${url}`, {
    method: method!.toUpperCase(),
    headers: {
      ...(options.token && { authorization: `Bearer ${options.token}` }),
      ...(options.body && { 'content-type': 'application/json' }),
      ...(options.form && { 'content-type': 'application/x-www-form-urlencoded' }),
      ...options.headers,
    },
    body: options.body
      ? JSON.stringify(options.body)
      : options.form
        ? new URLSearchParams(options.form).toString()
        : undefined,
  });
  const body = (response.status === 204 ? {} : await response.json()) as Json;
  const documented = operation.responses[String(response.status)];
  if (!documented)
    throw new Error(`${operationId}: ${response.status} is not in the document: ${JSON.stringify(body)}`);
  const schema = resolve(resolve(documented).content?.['application/json']?.schema ?? {});
  const missing = (schema.required ?? []).filter((key: string) => !(key in body));
  if (missing.length) throw new Error(`${operationId} ${response.status}: lacks ${missing.join(', ')}`);
  return { status: response.status, body, headers: response.headers };
}
const resolve = (node: Json): Json =>
  node.$ref
    ? resolve(
        node.$ref
          .split('/')
          .slice(1)
          .reduce((at: Json, key: string) => at[key], SPEC),
      )
    : node;

const tokenFor = async (clientId: string, secret: string) => {
  const answer = await call('getToken', {
    form: { grant_type: 'client_credentials', client_id: clientId, client_secret: secret },
  });
  expect(answer.status).toBe(200);
  return answer.body.access_token as string;
};
/** A browser's join, with its proof-of-work (refused without one): its queue number. */
async function browserJoins(): Promise<number> {
  const unpaid = await env.call('POST', `/api/campaigns/${campaignId}/queue`, { body: {} });
  expect(unpaid.body.error?.code).toBe('CHALLENGE_INVALID');
  const { body: challenge } = await env.call('GET', `/api/campaigns/${campaignId}/queue/challenge`);
  expect(challenge.difficulty).toBe(POW);
  const joined = await env.call('POST', `/api/campaigns/${campaignId}/queue`, {
    body: { challenge: challenge.challenge, nonce: solveProofOfWork(challenge.challenge, POW) },
  });
  expect(joined.status).toBe(201);
  return joined.body.queueNumber as number;
}

const bookingBody = (overrides: Json = {}) => ({
  campaignId,
  ...person(),
  groupCode: 'g1',
  siteId: SKH,
  slotId: slot(SKH),
  provinceCode: '74',
  ...overrides,
});
const bookingsBy = async (enteredBy: string) =>
  env.prisma.$queryRaw<{ channel: string }[]>`
    SELECT channel FROM booking.bookings WHERE campaign_id = ${campaignId} AND entered_by = ${enteredBy}`;

beforeAll(async () => {
  await env.loadThroughGateway(tinyCampaign(campaignId, { totalDoses: 20, quotas: [10, 10], capacity: 10 }));
});

describe('credentials', () => {
  it('trades an API key, or a signed JWT assertion (once), for a partner token', async () => {
    const byKey = await call('getToken', {
      form: { grant_type: 'client_credentials', client_id: 'mor-app', client_secret: keys.appOld.secret },
    });
    expect(byKey.body).toMatchObject({ token_type: 'Bearer', partner_id: 'mor-app', channel: 'app' });
    const assertion = signAssertion('mor-app', keys.appSigning);
    const form = {
      grant_type: 'client_credentials',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
    };
    const byJwt = await call('getToken', { form });
    expect(byJwt).toMatchObject({ status: 200, body: { partner_id: 'mor-app', channel: 'app' } });
    const replayed = await call('getToken', { form });
    expect(replayed).toMatchObject({ status: 401, body: { error: { code: 'PARTNER_CREDENTIALS_INVALID' } } });
  });

  it('refuses wrong credentials with PARTNER_CREDENTIALS_INVALID, the same for an unknown partner', async () => {
    for (const [clientId, secret] of [
      ['mor-app', keys.store.secret],
      ['nobody', keys.appOld.secret],
    ]) {
      const answer = await call('getToken', {
        body: { grant_type: 'client_credentials', client_id: clientId!, client_secret: secret! },
      });
      expect(answer.status).toBe(401);
      expect(answer.body.error.code).toBe('PARTNER_CREDENTIALS_INVALID');
      expect(answer.body.error.message.th).toMatch(/[\u0E00-\u0E7F]/);
    }
  });

  it('stops a network guessing keys with 429 and Retry-After; another network still gets its token', async () => {
    const guesser = { 'x-forwarded-for': '198.51.100.7' };
    const statuses: number[] = [];
    // 60 a minute per network (PARTNER_TOKEN_PER_NETWORK_PER_MINUTE); the window may turn once.
    for (let i = 0; i < 125; i += 1) {
      const answer = await call('getToken', {
        headers: guesser,
        form: {
          grant_type: 'client_credentials',
          client_id: 'mor-app',
          client_secret: `${keys.appNew.secret.slice(0, -4)}${1000 + i}`,
        },
      });
      statuses.push(answer.status);
      if (answer.status === 429) {
        expect(answer.body.error.code).toBe('RATE_LIMITED');
        expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
      }
    }
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(new Set(statuses)).toEqual(new Set([401, 429]));
    // The right key from the limited network is refused too, until the window turns.
    const right = await call('getToken', {
      headers: guesser,
      form: { grant_type: 'client_credentials', client_id: 'mor-app', client_secret: keys.appNew.secret },
    });
    expect([200, 429]).toContain(right.status);
    const elsewhere = await call('getToken', {
      headers: { 'x-forwarded-for': '203.0.113.9' },
      form: { grant_type: 'client_credentials', client_id: 'mor-app', client_secret: keys.appNew.secret },
    });
    expect(elsewhere.status).toBe(200);
  });
});

describe('a store books at its terminal', () => {
  it('books at once, recorded as channel store entered by partner:<id>', async () => {
    const token = await tokenFor('seven-store', keys.store.secret);
    const answer = await call('book', { token, body: bookingBody() });
    expect(answer).toMatchObject({ status: 201, body: { created: true, status: 'confirmed' } });
    expect(await bookingsBy('partner:seven-store')).toEqual([{ channel: 'store' }]);
  });

  it('is refused outside its hours, and may not join the waiting room; nothing booked', async () => {
    const token = await tokenFor('night-kiosk', keys.night.secret);
    const closed = await call('book', { token, body: bookingBody() });
    expect(closed).toMatchObject({ status: 409, body: { error: { code: 'CHANNEL_CLOSED' } } });
    const join = await call('joinQueue', { token, params: { campaignId }, body: { userRef: 'u' } });
    expect(join).toMatchObject({ status: 403, body: { error: { code: 'PARTNER_CHANNEL_FORBIDDEN' } } });
    expect(await bookingsBy('partner:night-kiosk')).toEqual([]);
  });
});

describe('an app carries its users through the waiting room', () => {
  it('two users join, wait, are admitted and book; no other partner may use their places', async () => {
    const token = await tokenFor('mor-app', keys.appNew.secret);
    const other = await tokenFor('other-app', keys.other.secret);
    const numbers: number[] = [];
    for (const userRef of ['user-1', 'user-2']) {
      const joined = await call('joinQueue', { token, params: { campaignId }, body: { userRef } });
      expect(joined).toMatchObject({ status: 201, body: { userRef, state: 'waiting' } });
      numbers.push(joined.body.queueNumber as number, await browserJoins());
      const again = await call('joinQueue', { token, params: { campaignId }, body: { userRef } });
      expect(again.body.queueNumber).toBe(joined.body.queueNumber);
      let ticket = joined.body.ticket as string;

      const stolen = await call('queueStatus', { token: other, headers: { 'khiw-ticket': ticket } });
      expect(stolen).toMatchObject({ status: 403, body: { error: { code: 'PARTNER_TICKET_FORBIDDEN' } } });

      const access = await eventually(
        async () => {
          const status = await call('queueStatus', { token, headers: { 'khiw-ticket': ticket } });
          expect(status.status).toBe(200);
          ticket = status.body.ticket ?? ticket;
          return status.body.state === 'admitted' ? (status.body.accessToken as string) : undefined;
        },
        20_000,
        `admission of ${userRef}`,
      );
      const booking = bookingBody();
      const taken = await call('book', {
        token: other,
        headers: { 'khiw-access-token': access },
        body: booking,
      });
      expect(taken).toMatchObject({ status: 403, body: { error: { code: 'PARTNER_TICKET_FORBIDDEN' } } });
      const booked = await call('book', { token, headers: { 'khiw-access-token': access }, body: booking });
      expect(booked).toMatchObject({ status: 201, body: { status: 'confirmed' } });

      // Done: the place goes to the next in line now, not after the family grace.
      const body = { campaignId };
      const notTheirs = await call('releasePlace', {
        token: other,
        headers: { 'khiw-access-token': access },
        body,
      });
      expect(notTheirs).toMatchObject({ status: 403, body: { error: { code: 'PARTNER_TICKET_FORBIDDEN' } } });
      const noToken = await call('releasePlace', { token, body });
      expect(noToken).toMatchObject({ status: 400, body: { error: { fields: { accessToken: {} } } } });
      for (let i = 0; i < 2; i += 1) {
        const released = await call('releasePlace', {
          token,
          headers: { 'khiw-access-token': access },
          body,
        });
        expect(released.status).toBe(204);
      }
    }
    const stats = await env.call('GET', `/api/admin/campaigns/${campaignId}/stats`, { token: env.opsToken });
    expect(stats.body.freedAfterBooking).toMatchObject({ released: 2 });
    // One line for everyone: the browsers that joined between the users took the numbers between.
    expect(numbers).toEqual([numbers[0], numbers[0]! + 1, numbers[0]! + 2, numbers[0]! + 3]);
    expect(await bookingsBy('partner:mor-app')).toEqual([{ channel: 'app' }, { channel: 'app' }]);
    expect(await bookingsBy('partner:other-app')).toEqual([]);
  });

  it('gives one place to one user when the app joins for them several times at once', async () => {
    const token = await tokenFor('mor-app', keys.appNew.secret);
    const joins = await Promise.all(
      Array.from({ length: 6 }, () =>
        call('joinQueue', { token, params: { campaignId }, body: { userRef: 'double-tap' } }),
      ),
    );
    expect(joins.map((j) => j.status).sort()).toContain(201);
    expect(new Set(joins.map((j) => j.body.queueNumber)).size).toBe(1);
    const again = await call('joinQueue', { token, params: { campaignId }, body: { userRef: 'double-tap' } });
    expect(again).toMatchObject({ status: 200, body: { queueNumber: joins[0]!.body.queueNumber } });
    // Whichever ticket the app kept, it is the user's place.
    for (const joined of joins) {
      const status = await call('queueStatus', { token, headers: { 'khiw-ticket': joined.body.ticket } });
      expect(status.status).toBe(200);
    }
  });

  it("refuses a resident's access token as a partner token, and an app booking without its user's access token", async () => {
    const token = await tokenFor('mor-app', keys.appNew.secret);
    const resident = env.tokens.signAccess({
      ticketId: 'browser-ticket',
      campaignId,
      queueNumber: 1,
      maxBookings: 1,
      expiresAtMs: Date.now() + 600_000,
    });
    const asPartner = await call('book', { token: resident, body: bookingBody() });
    expect(asPartner).toMatchObject({ status: 403, body: { error: { code: 'TOKEN_WRONG_AUDIENCE' } } });
    const browsers = await call('book', {
      token,
      headers: { 'khiw-access-token': resident },
      body: bookingBody(),
    });
    expect(browsers).toMatchObject({ status: 403, body: { error: { code: 'PARTNER_TICKET_FORBIDDEN' } } });
    const none = await call('book', { token, body: bookingBody() });
    expect(none).toMatchObject({ status: 400, body: { error: { code: 'INVALID_INPUT' } } });
  });
});

describe("a partner's own rate limit", () => {
  it('refuses joins past it with 429 RATE_LIMITED and Retry-After, while other partners go on', async () => {
    const other = await tokenFor('other-app', keys.other.secret);
    const statuses: number[] = [];
    // other-app spent one booking try above; its limit is 3 a minute (the window may turn once).
    for (let i = 0; i < 7; i += 1) {
      const answer = await call('joinQueue', {
        token: other,
        params: { campaignId },
        body: { userRef: `o-${i}` },
      });
      statuses.push(answer.status);
      if (answer.status === 429) {
        expect(answer.body.error.code).toBe('RATE_LIMITED');
        expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
      }
    }
    expect(statuses).toContain(429);
    const token = await tokenFor('mor-app', keys.appNew.secret);
    const mine = await call('joinQueue', { token, params: { campaignId }, body: { userRef: 'user-3' } });
    expect(mine.status).toBe(201);
  });
});

describe('key rotation without downtime', () => {
  it('takes both keys while both are listed, and only the new one once the old is removed', async () => {
    await tokenFor('mor-app', keys.appOld.secret);
    await tokenFor('mor-app', keys.appNew.secret);
    writeFileSync(partnersFile, JSON.stringify(partners([keys.appNew.entry])));
    await eventually(
      async () => {
        const old = await call('getToken', {
          form: { grant_type: 'client_credentials', client_id: 'mor-app', client_secret: keys.appOld.secret },
        });
        return old.status === 401 && old.body.error.code === 'PARTNER_CREDENTIALS_INVALID' ? true : undefined;
      },
      10_000,
      'the old key refused',
    );
    await tokenFor('mor-app', keys.appNew.secret);
  });
});
