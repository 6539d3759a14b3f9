import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { slotId } from '@khiw/contracts';
import { createPrismaClient, type PrismaClient } from '@khiw/db';
import { readFakesmscMessages } from '../infra/local/fakesmsc-log';
import { createTopics, deleteTopics } from '../infra/local/kafka-admin';
import { startPrivateKannel, type PrivateKannel } from '../infra/local/kannel/private-kannel';
import { sourceAddresses } from '../loadtests/replay/client';
import { thaiWord } from '../loadtests/replay/residents';
import { expectCountersMatchRows } from '../services/booking-worker/test/worker-fixtures';
import { sha256Hex } from '../services/gateway/src/partners/partner-registry';
import {
  generateSigningKey,
  Keyring,
  privateKeyPem,
} from '../services/gateway/src/waiting-room/tokens/keyring';
import { QueueTokens } from '../services/gateway/src/waiting-room/tokens/queue-tokens';
import {
  eventually,
  freePort,
  randomCitizenId,
  sampleCampaign,
  TEST_DATABASE_URL,
  uniqueNamespace,
} from './support/env';
import { ResidentCrowd, type Resident } from './support/resident-crowd';
import { startService, type RunningService } from './support/services';

/**
 * Issue 11, the mixed-channel run on real Redis, PostgreSQL, Kafka and Kannel (+ fakesmsc),
 * the four services as real processes: a web surge of 20,000 residents through the waiting
 * room (120 arrivals a second from 256 loopback networks, the per-network limits on) while 10 call-centre agents
 * book 1,000 people by phone, 10 walk-in counters book 500, an organisation uploads 2,000 rows
 * (50 bad) and a partner app carries 2,000 users through its waiting-room JSON flow.
 *
 * 22,000 doses; the campaign keeps a reserve for each assisted channel exactly as large as its
 * valid demand (phone 1,000, counters 500, organisation 1,950, app 2,000), so the web shares
 * the 16,550 left: the only right end is every assisted person booked, exactly 16,550 web
 * bookings, 1,000 web people on standby and the rest told SOLD_OUT; no slot, group, channel
 * reserve or total over capacity; every booking with its channel and who entered it; one SMS
 * per confirmed person, in their language; a re-upload of the list books nobody; a store
 * outside its hours is refused in Thai and English. The figures (agent latency under the
 * surge, the list's rows per second) are printed for docs/channels.md.
 *
 * MIXED_SCALE (default 1) shrinks every figure to try the test out; CI runs it whole.
 */
const SCALE = Number(process.env.MIXED_SCALE ?? 1);
const n = (count: number) => Math.round(count * SCALE);
const WEB = n(20_000);
const AGENTS = 10;
const PHONE = n(1_000);
const COUNTERS = 10;
const WALK_IN = n(500);
const LIST = n(2_000);
const BAD_ROWS = n(50);
const APP = n(2_000);
const STANDBY = n(1_000);
const RESERVES = { call_center: PHONE, walk_in: WALK_IN, organisation: LIST - BAD_ROWS, app: APP };
const RESERVED = Object.values(RESERVES).reduce((a, b) => a + b, 0);
const WEB_DOSES = n(16_550);
const DOSES = RESERVED + WEB_DOSES;
const LANGUAGES = ['th', 'en', 'my'] as const;
const INTERNAL_TOKEN = 'internal-token-for-mixed-channels-01';

const namespace = uniqueNamespace('mixed');
const campaignId = `mixed-${namespace.slice(-6)}`;
const key = generateSigningKey('mixed-key');
const tokens = new QueueTokens(new Keyring(key), { ticketTtlSeconds: 3600 });
const ops = tokens.signOps({ subject: 'ops', role: 'ops', ttlSeconds: 3600 });
const appKey = `pk_${randomBytes(24).toString('base64url')}`;
const storeKey = `pk_${randomBytes(24).toString('base64url')}`;
// The store channel opens on another weekday than today's (Bangkok): its booking is refused.
const otherDay = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'][
  (new Date(Date.now() + 7 * 3600_000).getUTCDay() + 3) % 7
]!;
const services: RunningService[] = [];
let kannel: PrivateKannel;
let prisma: PrismaClient;
let base = '';
let sites: string[] = [];
const slots: Array<{ siteId: string; slotId: string }> = [];

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
async function call(
  method: string,
  path: string,
  init: { token?: string; body?: unknown; csv?: string; headers?: Record<string, string> } = {},
) {
  // Under the surge an answer can take long: give up after 30 s and ask again, as a client would.
  let response: Response | undefined;
  let attempts = 0;
  for (let attempt = 0; !response; attempt++) {
    attempts = attempt + 1;
    response = await fetch(`${base}${path}`, {
      signal: AbortSignal.timeout(30_000),
      method,
      headers: {
        ...(init.token && { authorization: `Bearer ${init.token}` }),
        ...(init.body !== undefined && { 'content-type': 'application/json' }),
        ...(init.csv !== undefined && { 'content-type': 'text/csv' }),
        ...init.headers,
      },
      body: init.csv ?? (init.body === undefined ? undefined : JSON.stringify(init.body)),
    }).catch((error: unknown) => {
      if (attempt >= 5) throw error;
      return undefined;
    });
  }
  const text = await response.text();
  let body: Json;
  try {
    body = JSON.parse(text) as Json;
  } catch {
    body = { text };
  }
  // attempts > 1: the first try's answer was lost, so an idempotent retry may answer 200.
  return { status: response.status, body, headers: response.headers, attempts };
}

// Everyone distinct: citizen IDs and phones unique in the run (a phone is how an SMS is found).
const taken = new Set<string>();
const phoneBase = 10_000_000 + Math.floor(Math.random() * 60_000_000);
let people = 0;
interface Person {
  citizenId: string;
  firstName: string;
  lastName: string;
  birthDate: string;
  phone: string;
  language: (typeof LANGUAGES)[number];
}
function newPerson(): Person {
  let citizenId = randomCitizenId();
  while (taken.has(citizenId)) citizenId = randomCitizenId();
  taken.add(citizenId);
  const i = people++;
  return {
    citizenId,
    firstName: 'ทดสอบ',
    lastName: `ช่องทาง${thaiWord(i)}`,
    birthDate: '1975-03-14',
    phone: `+669${String(phoneBase + i).padStart(8, '0')}`,
    language: LANGUAGES[i % LANGUAGES.length]!,
  };
}
const choice = (i: number, site?: string) => {
  const list = site ? slots.filter((s) => s.siteId === site) : slots;
  return list[i % list.length]!;
};
const form = (who: Person, i: number, site?: string) => ({
  ...who,
  groupCode: 'general',
  ...choice(i, site),
  provinceCode: '74',
});

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};

beforeAll(async () => {
  prisma = createPrismaClient(TEST_DATABASE_URL, { poolSize: 2 });
  await createTopics(namespace);
  kannel = await startPrivateKannel({ throughput: 2000 });
  const notificationPort = await freePort();
  const internal = { INTERNAL_API_TOKEN: INTERNAL_TOKEN };
  const [worker, roster, notification] = await Promise.all([
    startService('booking-worker', namespace, {
      ...internal,
      BOOKING_CONCURRENCY: '200',
      SNAPSHOT_INTERVAL_MS: '200',
    }),
    startService('roster', namespace, internal),
    startService('notification', namespace, {
      ...internal,
      PORT: String(notificationPort),
      DLR_BASE_URL: `http://127.0.0.1:${notificationPort}`,
      KANNEL_SENDSMS_URL: kannel.sendsmsUrl,
      KANNEL_USERNAME: kannel.username,
      KANNEL_PASSWORD: kannel.password,
      SMS_RATE_PER_SECOND: '1000',
    }),
  ]);
  const gateway = await startService('gateway', namespace, {
    ...internal,
    GATEWAY_SIGNING_KEY: privateKeyPem(key),
    GATEWAY_SIGNING_KEY_ID: 'mixed-key',
    BOOKING_API_URL: `http://127.0.0.1:${worker.port}`,
    ROSTER_API_URL: `http://127.0.0.1:${roster.port}`,
    WAITING_ROOM_OUTFLOW_PER_MINUTE: '12000',
    WAITING_ROOM_MAX_ACTIVE: '3000',
    WAITING_ROOM_MAX_BOOKINGS: '1',
    WAITING_ROOM_POW_DIFFICULTY: '0',
    WAITING_ROOM_TICK_MS: '200',
    // An agent books a person a minute or two in real life; this run compresses an hour.
    AGENT_BOOKINGS_PER_MINUTE: '600',
    // As ops set it for opening day (docs/operations.md): new arrivals are shed with 503 and
    // Retry-After when the event loop runs 200 ms late, so the agents and the people already
    // in the room keep being answered.
    GATEWAY_MAX_EVENT_LOOP_LAG_MS: '200',
    PARTNERS: JSON.stringify([
      { id: 'mor-app', channel: 'app', keys: [{ kid: 'app-1', sha256: sha256Hex(appKey) }] },
      { id: 'seven-store', channel: 'store', keys: [{ kid: 'store-1', sha256: sha256Hex(storeKey) }] },
    ]),
  });
  services.push(gateway, worker, roster, notification);
  base = `http://127.0.0.1:${gateway.port}`;

  const sample = sampleCampaign(campaignId) as Json;
  sites = (sample.sites as Array<{ id: string }>).map((s) => s.id);
  const grid = { ...sample.slotGrid, days: 7, capacityPerSlotPerSite: 60 };
  for (const site of sites) {
    for (let d = 0; d < grid.days; d++) {
      const day = new Date(Date.parse(`${grid.firstDay}T00:00:00Z`) + d * 86_400_000)
        .toISOString()
        .slice(0, 10);
      for (const time of grid.times as string[])
        slots.push({ siteId: site, slotId: slotId(site, day, time) });
    }
  }
  const always = { hours: { days: 'mon-sun', from: '00:00', to: '24:00' } };
  const file = {
    ...sample,
    totalDoses: DOSES,
    standbySize: STANDBY,
    groups: [{ code: 'general', name: { th: 'ประชาชนทั่วไป', en: 'General public' }, quota: DOSES }],
    slotGrid: grid,
    channels: {
      web: { ...always, waitingRoom: true },
      app: { ...always, waitingRoom: true, reservedShare: RESERVES.app / DOSES },
      call_center: { ...always, reservedShare: RESERVES.call_center / DOSES },
      walk_in: { ...always, reservedShare: RESERVES.walk_in / DOSES },
      organisation: { ...always, reservedShare: RESERVES.organisation / DOSES },
      store: { hours: { days: otherDay, from: '00:00', to: '24:00' }, waitingRoom: false },
    },
  };
  const loaded = await call('PUT', `/api/admin/campaigns/${campaignId}`, { token: ops, body: file });
  expect([loaded.status, loaded.body]).toEqual([200, expect.anything()]);
  const capped = await call('PUT', `/api/admin/campaigns/${campaignId}/organisations/acme`, {
    token: ops,
    body: { name: 'บริษัท แอคมี จำกัด', cap: LIST },
  });
  expect(capped.status).toBe(200);
}, 180_000);

afterAll(async () => {
  const codes = await Promise.all(services.map(async (s) => [s.name, await s.stop()] as const));
  await kannel?.stop();
  await deleteTopics(namespace).catch(() => undefined);
  await prisma?.$disconnect();
  expect(Object.fromEntries(codes)).toEqual({ gateway: 0, 'booking-worker': 0, roster: 0, notification: 0 });
}, 120_000);

/** Every agent books its people one after the other, as on the phone; latencies in ms. */
async function agentsBook(count: number, total: number, channel: 'call_center' | 'walk_in') {
  const latencies: number[] = [];
  const answers: Json[] = [];
  await Promise.all(
    Array.from({ length: count }, async (_, a) => {
      const site = channel === 'walk_in' ? sites[a % sites.length]! : undefined;
      const token = tokens.signOps({
        subject: `${channel}-${a}`,
        role: 'agent',
        channel,
        ...(site && { site }),
        ttlSeconds: 3600,
      });
      for (let i = a; i < total; i += count) {
        const started = performance.now();
        const answer = await call('POST', '/api/agent/bookings', {
          token,
          body: { campaignId, ...form(newPerson(), i, site) },
        });
        latencies.push(performance.now() - started);
        answers.push({ ...answer.body, http: answer.status });
      }
    }),
  );
  return { latencies, answers };
}

/** The organisation's list: LIST rows, BAD_ROWS of them bad in five ways. */
function organisationList(): string {
  const header = 'citizen_id,first_name,last_name,birth_date,phone,group,site,slot,province_code,language';
  const rows = Array.from({ length: LIST }, (_, i) => {
    const who = newPerson();
    const { siteId, slotId: slot } = choice(i);
    // Every step-th row is bad, by turns: a wrong check digit, too young, a slot that does not exist.
    const step = Math.floor(LIST / BAD_ROWS);
    const bad = i % step === 1 && Math.floor(i / step) < BAD_ROWS;
    const kind = Math.floor(i / step) % 3;
    const citizenId =
      bad && kind === 0
        ? `${who.citizenId.slice(0, 12)}${(Number(who.citizenId[12]) + 1) % 10}`
        : who.citizenId;
    const birthDate = bad && kind === 1 ? '2015-01-01' : who.birthDate;
    const slotOf = bad && kind === 2 ? `${siteId}-19990101-0900` : slot;
    return [
      citizenId,
      who.firstName,
      who.lastName,
      birthDate,
      `0${who.phone.slice(3)}`,
      'general',
      siteId,
      slotOf,
      '74',
      who.language,
    ].join(',');
  });
  return `\uFEFF${[header, ...rows].join('\r\n')}\r\n`;
}

async function organisationUploads(token: string, csv: string) {
  const started = performance.now();
  const posted = await call('POST', `/api/organisation/uploads?campaignId=${campaignId}`, { token, csv });
  expect(posted.status).toBe(202);
  const done = await eventually(
    async () => {
      const answer = await call('GET', `/api/organisation/uploads/${posted.body.uploadId}`, { token });
      return answer.body.status === 'done' ? answer.body : undefined;
    },
    900_000,
    'organisation upload done',
    500,
  );
  return { done, seconds: (performance.now() - started) / 1000 };
}

/** The partner app carries its users: join, poll as told, book with the access token. */
async function appUsers(total: number, concurrency: number) {
  // The partner token lives 5 minutes: the app gets a new one when the gateway says 401.
  const fresh = async () => {
    const got = await call('POST', '/api/partner/token', {
      body: { grant_type: 'client_credentials', client_id: 'mor-app', client_secret: appKey },
    });
    expect(got.status).toBe(200);
    return got.body.access_token as string;
  };
  let current = await fresh();
  const partner = async (
    method: string,
    path: string,
    init: { body?: unknown; headers?: Record<string, string> },
  ) => {
    const answer = await call(method, path, { ...init, token: current });
    if (answer.status !== 401) return answer;
    current = await fresh();
    return call(method, path, { ...init, token: current });
  };
  const outcomes: Json[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < total; i = next++) {
        const who = newPerson();
        let access: string | undefined;
        // A place that expired (its holder's polls lost in the surge) is joined again, as an app would.
        for (let attempt = 0; !access; attempt++) {
          if (attempt > 3) throw new Error(`app user ${i}: no admission after ${attempt} places`);
          const joined = await partner('POST', `/api/partner/campaigns/${campaignId}/queue`, {
            body: { userRef: `user-${i}-${attempt}` },
          });
          expect(joined.status).toBe(201);
          let ticket = joined.body.ticket as string;
          for (let state = ''; state !== 'expired' && !access;) {
            const status = await partner('GET', '/api/partner/queue/status', {
              headers: { 'khiw-ticket': ticket },
            });
            ticket = status.body.ticket ?? ticket;
            // A ticket the room no longer knows (its place expired unclaimed) is joined again too.
            state = status.status === 200 ? (status.body.state ?? state) : 'expired';
            if (state === 'admitted') access = status.body.accessToken as string;
            else if (state === 'sold_out' || state === 'closed') throw new Error(`app user ${i}: ${state}`);
            else {
              const pause = Math.min(2000, (status.body.pollAfterSeconds ?? 1) * 1000);
              await new Promise((r) => setTimeout(r, pause));
            }
          }
        }
        const booked = await partner('POST', '/api/partner/bookings', {
          headers: { 'khiw-access-token': access },
          body: { campaignId, ...form(who, i) },
        });
        outcomes.push({ ...booked.body, http: booked.status, retried: booked.attempts > 1 });
      }
    }),
  );
  return outcomes;
}

describe('every way in at once, into one engine', () => {
  it('keeps every capacity, channel and person right, and tells each person once in their language', async () => {
    const started = Date.now();
    const webPeople: Resident[] = Array.from({ length: WEB }, (_, i) => ({
      form: Object.fromEntries(Object.entries(form(newPerson(), i)).map(([k, v]) => [k, String(v)])),
    }));
    const crowd = new ResidentCrowd({
      base,
      campaignId,
      people: webPeople,
      arrivalsPerSecond: 120,
      maxSockets: 2,
      addresses: sourceAddresses(0, 256),
    });
    const reporter = setInterval(
      () =>
        process.stdout.write(`mixed ${Math.round((Date.now() - started) / 1000)} s: ${crowd.progress()}\n`),
      10_000,
    );
    const list = organisationList();
    const acme = tokens.signOps({
      subject: 'acme',
      role: 'organisation',
      campaign: campaignId,
      ttlSeconds: 3600,
    });
    const [, phone, walkIn, upload, app] = await Promise.all([
      crowd.run(),
      agentsBook(AGENTS, PHONE, 'call_center'),
      agentsBook(COUNTERS, WALK_IN, 'walk_in'),
      organisationUploads(acme, list),
      appUsers(APP, 40),
    ]).finally(() => clearInterval(reporter));
    const surgeSeconds = (Date.now() - started) / 1000;

    // The assisted channels: every valid person booked, through their reserve.
    for (const [name, run] of [
      ['phone', phone],
      ['walk-in', walkIn],
    ] as const) {
      expect({
        name,
        statuses: [...new Set(run.answers.map((a) => `${a.http} ${a.status ?? a.error?.code}`))],
      }).toEqual({ name, statuses: ['201 confirmed'] });
    }
    expect(upload.done.counts).toMatchObject({ booked: LIST - BAD_ROWS, refused: BAD_ROWS, pending: 0 });
    // Each app user booked once: 201, or 200 with that same booking when the client had to ask
    // again (its first answer lost in the surge after 30 s).
    const appAnswers = app.map(
      (a) => `${a.retried && a.http === 200 ? 201 : a.http} ${a.status ?? a.error?.code}`,
    );
    expect([...new Set(appAnswers)]).toEqual(['201 confirmed']);

    // The web: the unreserved doses exactly, then the standby list, then sold out.
    const outcomes = crowd.outcomes.map((o) => (o?.kind === 'refused' ? `refused ${o.reason}` : o?.kind));
    const count = (what: string) => outcomes.filter((o) => o === what).length;
    expect(crowd.unexpected).toEqual([]);
    // The rest are told it is gone: at the queue (sold out) or by the engine (SOLD_OUT).
    // A place can expire when all of its holder's polls are lost in the surge (the page then
    // joins again): allowed, and counted, for a handful.
    const expired = count('refused queue expired');
    expect(expired).toBeLessThanOrEqual(WEB / 1000);
    const told = [...new Set(outcomes.filter((o) => o !== 'confirmed' && o !== 'standby'))];
    expect(told.filter((o) => !/sold_?out|queue expired/i.test(o ?? ''))).toEqual([]);
    expect({ confirmed: count('confirmed'), standby: count('standby') }).toEqual({
      confirmed: WEB_DOSES,
      standby: STANDBY,
    });

    // In the database: counters equal rows, nothing over capacity, every channel at its figure.
    await expectCountersMatchRows(prisma, campaignId);
    const byChannel = await prisma.$queryRaw<{ channel: string; entered: string | null; n: number }[]>`
      SELECT channel, split_part(entered_by, ':', 1) AS entered, count(*)::int AS n FROM booking.bookings
      WHERE campaign_id = ${campaignId} AND status = 'confirmed' GROUP BY 1, 2 ORDER BY 1, 2`;
    expect(byChannel).toEqual(
      [
        { channel: 'app', entered: 'partner', n: APP },
        { channel: 'call_center', entered: 'agent', n: PHONE },
        { channel: 'organisation', entered: 'organisation', n: LIST - BAD_ROWS },
        { channel: 'walk_in', entered: 'agent', n: WALK_IN },
        { channel: 'web', entered: null, n: WEB_DOSES },
      ].sort((a, b) => a.channel.localeCompare(b.channel)),
    );
    // The channel counters the triggers keep: each assisted channel exactly at its reserve.
    const counters = await prisma.campaignChannel.findMany({
      where: { campaignId },
      orderBy: { channel: 'asc' },
    });
    expect(Object.fromEntries(counters.map((c) => [c.channel, [c.booked, c.reserved]]))).toEqual({
      app: [APP, RESERVES.app],
      call_center: [PHONE, RESERVES.call_center],
      organisation: [LIST - BAD_ROWS, RESERVES.organisation],
      store: [0, 0],
      walk_in: [WALK_IN, RESERVES.walk_in],
      web: [WEB_DOSES, 0],
    });
    const campaign = await prisma.campaign.findUniqueOrThrow({ where: { id: campaignId } });
    expect({ booked: campaign.bookedDoses, state: campaign.state }).toEqual({
      booked: DOSES,
      state: 'sold_out',
    });

    // A re-upload of the same list books nobody twice.
    const again = await organisationUploads(acme, list);
    expect(again.done.counts).toMatchObject({ booked: 0, already_booked: LIST - BAD_ROWS });
    expect(await prisma.booking.count({ where: { campaignId, channel: 'organisation' } })).toBe(
      LIST - BAD_ROWS,
    );

    // A store partner outside its channel's hours: refused, in Thai and English, nothing booked.
    const store = await call('POST', '/api/partner/token', {
      body: { grant_type: 'client_credentials', client_id: 'seven-store', client_secret: storeKey },
    });
    const closed = await call('POST', '/api/partner/bookings', {
      token: store.body.access_token,
      body: { campaignId, ...form(newPerson(), 1) },
    });
    expect(closed.status).toBe(409);
    expect(closed.body.error).toMatchObject({
      code: 'CHANNEL_CLOSED',
      message: { th: expect.stringMatching(/[\u0E00-\u0E7F]/), en: expect.stringMatching(/hours/) },
    });
    expect(await prisma.booking.count({ where: { campaignId, channel: 'store' } })).toBe(0);

    // One SMS per confirmed person, in the language they booked in.
    const confirmed = await prisma.booking.findMany({
      where: { campaignId, status: 'confirmed' },
      select: { phone: true, language: true },
    });
    const wanted = new Map(confirmed.map((b) => [b.phone.replace('+', ''), b.language]));
    const sms = await eventually(
      async () => {
        const got = (await readFakesmscMessages(kannel.fakesmscLog)).filter((m) =>
          wanted.has(m.to.replace('+', '')),
        );
        return got.length >= wanted.size ? got : undefined;
      },
      600_000,
      'an SMS for every confirmed booking',
      2000,
    );
    const perPhone = new Map<string, number>();
    const wrongLanguage: string[] = [];
    for (const m of sms) {
      const to = m.to.replace('+', '');
      perPhone.set(to, (perPhone.get(to) ?? 0) + 1);
      const language = wanted.get(to);
      const script = /[\u1000-\u109F]/.test(m.text) ? 'my' : /[\u0E00-\u0E7F]/.test(m.text) ? 'th' : 'en';
      if (language && script !== language) wrongLanguage.push(`${to}: ${language} got ${script}`);
    }
    expect([...perPhone.values()].filter((c) => c !== 1)).toEqual([]);
    expect(perPhone.size).toBe(wanted.size);
    expect(wrongLanguage.slice(0, 5)).toEqual([]);

    const all = [...phone.latencies, ...walkIn.latencies];
    process.stdout.write(
      `mixed-channels: ${WEB} web, ${PHONE} phone, ${WALK_IN} walk-in, ${LIST} list rows, ${APP} app users; ` +
        `surge ${surgeSeconds.toFixed(0)} s; agent booking latency p50 ${percentile(all, 50).toFixed(0)} ms, ` +
        `p99 ${percentile(all, 99).toFixed(0)} ms (${all.length} bookings); list ${LIST} rows in ` +
        `${upload.seconds.toFixed(1)} s = ${(LIST / upload.seconds).toFixed(0)} rows/s under the surge, ` +
        `re-upload ${(LIST / again.seconds).toFixed(0)} rows/s; ${sms.length} SMS; ` +
        `web: ${crowd.networkErrors} requests timed out or cut, ${expired} places expired\n`,
    );
  }, 1_800_000);
});
