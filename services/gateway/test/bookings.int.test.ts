import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { BookingRequestJob, QUEUES, slotId, type BookingOutcome } from '@khiw/contracts';
import { bullPrefix } from '@khiw/redis';
import { eventually, uniqueNamespace } from '../../../test/support/env';
import { startService, type RunningService } from '../../../test/support/services';
import { generateSigningKey, Keyring, privateKeyPem } from '../src/waiting-room/tokens/keyring';
import { QueueTokens } from '../src/waiting-room/tokens/queue-tokens';
import { waitingRoomKeys } from '../src/waiting-room/waiting-room-keys';
import {
  admittedAccessToken,
  bookingQueue,
  bullConnection,
  client,
  DAY,
  decided,
  jobTotal,
  nextCitizenId,
  publishBookingCampaign,
  validBooking,
  type HttpAnswer,
} from './booking-fixtures';
import { closeRedis, deleteNamespace, testRedis } from './waiting-room-fixtures';

/** Booking submission and polling through HTTP, against a real gateway process and Redis. */
const namespace = uniqueNamespace('bookings');
const campaignId = `bk-${namespace.slice(-6)}`;
const otherCampaignId = `bk-other-${namespace.slice(-6)}`;
const key = generateSigningKey('test-key');
const tokens = new QueueTokens(new Keyring(key), { ticketTtlSeconds: 3600 });
const MAX_BOOKINGS = 3;
const redis = testRedis();
const queue = bookingQueue(namespace);
let gateway: RunningService;
let base = '';
const call = client(() => base);

const submit = (token: string | undefined, body: unknown) => call('POST', '/api/bookings', { token, body });
/** Bookings of a grant spent so far (the waiting room's record). */
async function grantsSpent(token: string): Promise<number> {
  const claims = tokens.verifyAccess(token, campaignId);
  return Number(
    (await redis.hget(waitingRoomKeys(namespace, campaignId).grants, String(claims.queueNumber))) ?? 0,
  );
}

function expectProblem(answer: HttpAnswer, status: number, code: string) {
  expect({ status: answer.status, code: answer.body.error?.code }).toEqual({ status, code });
  expect(answer.body.error.message.th).toMatch(/[\u0E00-\u0E7F]/);
  expect(answer.body.error.message.en.length).toBeGreaterThan(5);
}

beforeAll(async () => {
  await publishBookingCampaign(redis, namespace, campaignId);
  // Same site ids, other days: its slots are not slots of the first campaign.
  await publishBookingCampaign(redis, namespace, otherCampaignId, '2021-09-01');
  gateway = await startService('gateway', namespace, {
    GATEWAY_SIGNING_KEY: privateKeyPem(key),
    GATEWAY_SIGNING_KEY_ID: 'test-key',
    WAITING_ROOM_OUTFLOW_PER_MINUTE: '60000',
    WAITING_ROOM_POW_DIFFICULTY: '0',
    WAITING_ROOM_TICK_MS: '200',
    WAITING_ROOM_MAX_BOOKINGS: String(MAX_BOOKINGS),
    // Nothing listens there: standby polls fall back to the job's outcome.
    BOOKING_API_URL: 'http://127.0.0.1:9',
  });
  base = `http://127.0.0.1:${gateway.port}`;
});

afterAll(async () => {
  const code = await gateway?.stop();
  await queue.obliterate({ force: true });
  await queue.close();
  await deleteNamespace(redis, namespace);
  await closeRedis(redis);
  expect(code).toBe(0);
});

describe('POST /api/bookings: refusals', () => {
  it('refuses a missing, forged or other-campaign access token with 401/403 and queues nothing', async () => {
    expectProblem(await submit(undefined, validBooking()), 401, 'TOKEN_MISSING');
    expectProblem(await submit('not.a.token', validBooking()), 401, 'TOKEN_INVALID');
    const other = await admittedAccessToken(call, otherCampaignId);
    expectProblem(await submit(other, validBooking({ campaignId })), 403, 'TOKEN_WRONG_AUDIENCE');
    const ticket = tokens.signTicket({ ticketId: 't', campaignId, queueNumber: 1 });
    expectProblem(await submit(ticket, validBooking()), 403, 'TOKEN_WRONG_TYPE');
    expect(await jobTotal(queue)).toBe(0);
  });

  it('answers every kind of bad input with 400 or 413, per-field Thai and English messages, and queues nothing', async () => {
    const token = await admittedAccessToken(call, campaignId);
    const good = validBooking();
    const wrongCheckDigit = `${good.citizenId.slice(0, 12)}${(Number(good.citizenId[12]) + 1) % 10}`;
    const cases: {
      name: string;
      body?: unknown;
      raw?: string;
      status?: number;
      code?: string;
      field: string;
    }[] = [
      { name: 'malformed JSON', raw: '{"citizenId": "1', code: 'MALFORMED_JSON', field: '(body)' },
      { name: 'an array body', raw: '[1, 2]', field: '(body)' },
      { name: 'no fields at all', body: {}, field: 'citizenId' },
      {
        name: 'citizen ID as a number',
        body: { ...good, citizenId: Number(good.citizenId) },
        field: 'citizenId',
      },
      { name: 'first name as a list', body: { ...good, firstName: ['a'] }, field: 'firstName' },
      { name: 'wrong check digit', body: { ...good, citizenId: wrongCheckDigit }, field: 'citizenId' },
      {
        name: '12-digit citizen ID',
        body: { ...good, citizenId: good.citizenId.slice(1) },
        field: 'citizenId',
      },
      { name: 'landline phone', body: { ...good, phone: '02-123-4567' }, field: 'phone' },
      { name: 'impossible birth date', body: { ...good, birthDate: '1950-02-30' }, field: 'birthDate' },
      { name: 'future birth date', body: { ...good, birthDate: '2999-01-01' }, field: 'birthDate' },
      { name: 'birth date in words', body: { ...good, birthDate: '15 March 1950' }, field: 'birthDate' },
      { name: 'markup in a name', body: { ...good, lastName: '<script>' }, field: 'lastName' },
      { name: 'a name too long', body: { ...good, firstName: 'ก'.repeat(101) }, field: 'firstName' },
      { name: 'bad province code', body: { ...good, provinceCode: '7' }, field: 'provinceCode' },
      { name: 'unknown group', body: { ...good, groupCode: 'nobody' }, field: 'groupCode' },
      { name: 'unknown site', body: { ...good, siteId: 'ZZZ' }, field: 'siteId' },
      { name: 'unknown slot', body: { ...good, slotId: slotId('SKH', DAY, '23:00') }, field: 'slotId' },
      {
        name: 'a slot of another campaign',
        body: { ...good, slotId: slotId('SKH', '2021-09-01', '09:00') },
        field: 'slotId',
      },
      {
        name: 'a slot not at the chosen site',
        body: { ...good, siteId: 'SKH', slotId: slotId('KTB', DAY, '09:00') },
        field: 'slotId',
      },
      {
        name: 'oversized body',
        body: { ...good, firstName: 'a'.repeat(20_000) },
        status: 413,
        code: 'BODY_TOO_LARGE',
        field: '(body)',
      },
    ];
    for (const c of cases) {
      const answer = await call('POST', '/api/bookings', { token, body: c.body, raw: c.raw });
      expect({ case: c.name, status: answer.status, code: answer.body.error?.code }).toEqual({
        case: c.name,
        status: c.status ?? 400,
        code: c.code ?? 'INVALID_INPUT',
      });
      expect(answer.body.error.message.th).toMatch(/[\u0E00-\u0E7F]/);
      const field = answer.body.error.fields?.[c.field];
      expect({ case: c.name, field: Boolean(field?.th && field?.en) }).toEqual({ case: c.name, field: true });
    }

    // Several wrong fields at once are all reported, the campaign checks included.
    const many = await submit(token, { ...good, citizenId: wrongCheckDigit, phone: '12', groupCode: 'x' });
    expect(Object.keys(many.body.error.fields).sort()).toEqual(['citizenId', 'groupCode', 'phone']);
    expect(many.body.error.fields.citizenId.en).toMatch(/check digit/);
    const atOtherSite = await submit(token, { ...good, slotId: slotId('KTB', DAY, '09:00') });
    expect(atOtherSite.body.error.fields.slotId.en).toMatch(/not at the chosen site/);

    expect(await jobTotal(queue)).toBe(0);
    expect(await grantsSpent(token)).toBe(0);
  });
});

describe('POST /api/bookings: queuing', () => {
  it('queues one job with the contract data and answers 202 with a request id to poll', async () => {
    const token = await admittedAccessToken(call, campaignId);
    const person = validBooking({ citizenId: nextCitizenId(), phone: '+66 81 234 5678', provinceCode: '74' });
    const before = await jobTotal(queue);
    const answer = await submit(token, person);
    expect(answer.status).toBe(202);
    expect(answer.body).toEqual({ requestId: expect.any(String), pollAfterSeconds: expect.any(Number) });
    const requestId = answer.body.requestId as string;
    expect(requestId).toMatch(new RegExp(`^${campaignId}\\.[A-Za-z0-9_-]{43}$`));
    expect(requestId).not.toContain(person.citizenId);
    expect(answer.headers.get('location')).toBe(`/api/bookings/requests/${requestId}`);

    expect(await jobTotal(queue)).toBe(before + 1);
    const job = (await queue.getJob(requestId))!;
    expect(BookingRequestJob.parse(job.data)).toEqual(job.data);
    expect(job.data).toEqual({
      schemaVersion: 1,
      requestId,
      campaignId,
      citizenId: person.citizenId,
      firstName: 'สมชาย',
      lastName: 'ใจดี',
      birthDate: '1950-03-15',
      phone: '+66812345678',
      groupCode: 'elderly70',
      siteId: 'SKH',
      slotId: person.slotId,
      provinceCode: '74',
      channel: 'web',
      submittedAt: expect.any(String),
    });
    expect(job.opts).toMatchObject({ attempts: 5, backoff: { type: 'exponential' } });
    expect(await grantsSpent(token)).toBe(1);

    const poll = await call('GET', `/api/bookings/requests/${requestId}`);
    expect(poll.status).toBe(200);
    expect(poll.headers.get('cache-control')).toBe('no-store');
    expect(poll.body).toEqual({ status: 'pending', pollAfterSeconds: expect.any(Number) });
  });

  it('turns 20 concurrent submits of one person into one job, one request id and one booking of the grant', async () => {
    const token = await admittedAccessToken(call, campaignId);
    const person = validBooking();
    const before = await jobTotal(queue);
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        // The same person typed in different ways: still the same request.
        submit(token, { ...person, phone: i % 2 ? '0812345678' : '+66812345678' }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(202));
    expect(new Set(answers.map((a) => a.body.requestId)).size).toBe(1);
    expect(await jobTotal(queue)).toBe(before + 1);
    expect(await grantsSpent(token)).toBe(1);
  });

  it(`lets a family token book ${MAX_BOOKINGS} people, then refuses the next with 403 and queues nothing`, async () => {
    const token = await admittedAccessToken(call, campaignId);
    const family = Array.from({ length: MAX_BOOKINGS }, () => validBooking());
    for (const person of family) expect((await submit(token, person)).status).toBe(202);
    const before = await jobTotal(queue);
    expectProblem(await submit(token, validBooking()), 403, 'ACCESS_EXHAUSTED');
    expect(await jobTotal(queue)).toBe(before);
    // A double submit of someone already booked is still answered: no new booking spent.
    const again = await submit(token, family[0]);
    expect(again.status).toBe(202);
    expect(await jobTotal(queue)).toBe(before);
  });

  it('answers 404 for an unknown or malformed request id', async () => {
    expectProblem(
      await call('GET', `/api/bookings/requests/${campaignId}.${'A'.repeat(43)}`),
      404,
      'NOT_FOUND',
    );
    expectProblem(await call('GET', '/api/bookings/requests/nonsense'), 404, 'NOT_FOUND');
  });
});

describe('outcomes and resubmits', () => {
  it('reports outcomes, and takes a corrected resubmit after a retryable rejection under the same id', async () => {
    const token = await admittedAccessToken(call, campaignId);
    const secondToken = await admittedAccessToken(call, campaignId);
    const slotFull = validBooking();
    const booked = validBooking();
    const confirmed = validBooking();
    const broken = validBooking();
    const standby = validBooking();
    const ids: Record<string, string> = {};
    for (const [name, person] of Object.entries({ slotFull, booked, confirmed })) {
      ids[name] = (await submit(token, person)).body.requestId;
    }
    for (const [name, person] of Object.entries({ broken, standby })) {
      ids[name] = (await submit(secondToken, person)).body.requestId;
    }
    expect(await grantsSpent(token)).toBe(MAX_BOOKINGS);

    // Stands in for the booking worker: answers each request with the outcome the test wants.
    const confirmation = {
      status: 'confirmed',
      booking: {
        bookingId: '6f1c1f4e-8d0a-4a53-9a57-2f0c6b1d7e10',
        reference: 'KHIW-7Q4M',
        status: 'confirmed',
        groupCode: 'elderly70',
        siteId: 'SKH',
        siteName: { th: 'โรงพยาบาลสมุทรสาคร', en: 'Samut Sakhon Hospital' },
        slotId: confirmed.slotId,
        startsAt: '2021-08-02T02:00:00.000Z',
      },
    } satisfies BookingOutcome;
    const answers = new Map<string, BookingOutcome | 'fail'>([
      [ids.slotFull!, { status: 'rejected', reason: 'SLOT_FULL' }],
      [ids.booked!, { status: 'rejected', reason: 'ALREADY_BOOKED' }],
      [ids.confirmed!, confirmation],
      [ids.broken!, 'fail'],
      [
        ids.standby!,
        {
          status: 'standby',
          standby: { standbyId: '0d6c9a4e-2b4f-4f0e-9f6e-8a1b2c3d4e5f', position: 7, siteId: 'SKH' },
        },
      ],
    ]);
    const processed: string[] = [];
    const worker = new Worker(
      QUEUES.booking,
      async (job: Job) => {
        processed.push(job.id!);
        const outcome = answers.get(job.id!) ?? { status: 'rejected', reason: 'SOLD_OUT' };
        if (outcome === 'fail') throw new UnrecoverableError('stands in for a job the worker gave up on');
        return outcome;
      },
      { connection: bullConnection(), prefix: bullPrefix(namespace), concurrency: 10 },
    );
    try {
      const poll = async (id: string) => (await call('GET', `/api/bookings/requests/${id}`)).body;
      for (const id of Object.values(ids)) {
        await decided(call, id);
      }
      expect(await poll(ids.slotFull!)).toEqual({
        status: 'rejected',
        reason: 'SLOT_FULL',
        message: { th: expect.stringMatching(/[\u0E00-\u0E7F]/), en: expect.stringMatching(/full/) },
        retryable: true,
      });
      expect(await poll(ids.booked!)).toMatchObject({
        status: 'rejected',
        reason: 'ALREADY_BOOKED',
        retryable: false,
      });
      expect(await poll(ids.confirmed!)).toEqual(confirmation);
      expect(await poll(ids.broken!)).toMatchObject({
        status: 'rejected',
        reason: 'PROCESSING_FAILED',
        retryable: true,
      });
      // The worker's API is down in this file: the job's standby outcome still stands.
      expect(await poll(ids.standby!)).toMatchObject({
        status: 'standby',
        standby: { position: 7, siteId: 'SKH' },
      });

      // SLOT_FULL: the person picks another slot; same request id, a new job, no extra booking spent.
      const otherSlot = slotId('SKH', DAY, '10:00');
      const retry = await submit(token, { ...slotFull, slotId: otherSlot });
      expect(retry.status).toBe(202);
      expect(retry.body.requestId).toBe(ids.slotFull);
      await eventually(
        async () => processed.filter((id) => id === ids.slotFull).length === 2,
        15_000,
        'SLOT_FULL retried',
      );
      expect((await queue.getJob(ids.slotFull!))!.data.slotId).toBe(otherSlot);
      // PROCESSING_FAILED is retryable too.
      expect((await submit(secondToken, broken)).body.requestId).toBe(ids.broken);
      await eventually(
        async () => processed.filter((id) => id === ids.broken).length === 2,
        15_000,
        'the failed job retried',
      );

      // ALREADY_BOOKED and a confirmation stand: the same request id, nothing new processed.
      const count = processed.length;
      expect((await submit(token, { ...booked, slotId: otherSlot })).body.requestId).toBe(ids.booked);
      expect((await submit(token, confirmed)).body.requestId).toBe(ids.confirmed);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(processed.length).toBe(count);
      expect((await queue.getJob(ids.booked!))!.data.slotId).toBe(booked.slotId);
      expect(await grantsSpent(token)).toBe(MAX_BOOKINGS);
      expect(await grantsSpent(secondToken)).toBe(2);
    } finally {
      await worker.close();
    }
  });
});
