import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bullPrefix } from '@khiw/redis';
import { eventually } from '../../../test/support/env';
import { newCampaignId, person, slot, SKH, tinyCampaign } from '../../booking-worker/test/worker-fixtures';
import { BOOKING_JOB_OPTIONS } from '../src/bookings/submit-booking.usecase';
import { admittedAccessToken, decided, validBooking, type Json } from './booking-fixtures';
import { gatewayWithWorker } from './gateway-with-worker';
import { testRedis } from './waiting-room-fixtures';

/**
 * No personal data left in Redis (issue 13, item 7): once the worker has decided a booking
 * request, its BullMQ job holds no citizen ID, name, birth date, phone or province, whether it
 * completed or failed for good; the status poll still answers from the outcome; and the job
 * is removed an hour after its decision (a failed one after a day). Read from the raw Redis
 * hash, as bull-board (/ops/queues) or anyone with Redis access would see it.
 */
const env = gatewayWithWorker('pii-jobs', { WAITING_ROOM_MAX_BOOKINGS: '2' });
const HOUR = 3600;

const jobKey = (jobId: string) => `${bullPrefix(env.namespace)}:booking:${jobId}`;

/** Everything of the person that must not stay, as it could be written in Redis. */
function traces(form: Json): string[] {
  const digits = (s: string) => s.replace(/\D/g, '');
  return [
    form.citizenId,
    digits(form.phone),
    `+66${digits(form.phone).slice(1)}`,
    form.firstName.trim(),
    form.lastName,
    form.birthDate,
  ];
}

/** Every value under the test's namespace, whatever the key's type: what Redis holds of anyone. */
async function everythingInRedis(redis: ReturnType<typeof testRedis>, namespace: string): Promise<string> {
  const keys: string[] = [];
  for await (const batch of redis.scanStream({ match: `*${namespace}*`, count: 1000 }))
    keys.push(...(batch as string[]));
  const parts: string[] = [];
  for (const key of keys) {
    const type = await redis.type(key);
    if (type === 'string') parts.push(key, String(await redis.get(key)));
    else if (type === 'hash') parts.push(key, JSON.stringify(await redis.hgetall(key)));
    else if (type === 'list') parts.push(key, ...(await redis.lrange(key, 0, -1)));
    else if (type === 'set') parts.push(key, ...(await redis.smembers(key)));
    else if (type === 'zset') parts.push(key, ...(await redis.zrange(key, 0, -1)));
    else if (type === 'stream') parts.push(key, JSON.stringify(await redis.xrange(key, '-', '+')));
    else parts.push(key);
  }
  return parts.join('\n');
}

describe('decided booking jobs keep no personal data', () => {
  const campaignId = newCampaignId('pii');
  const redis = testRedis();

  beforeAll(async () => {
    await env.loadThroughGateway(tinyCampaign(campaignId));
  });

  afterAll(async () => {
    await redis.quit();
  });

  it('strips the person from a confirmed request, the poll still answers, and the job is set to go after an hour', async () => {
    const token = await admittedAccessToken(env.call, campaignId);
    const form = validBooking({
      groupCode: 'g1',
      siteId: SKH,
      slotId: slot(SKH),
      provinceCode: '74',
      birthDate: '1961-04-13',
    });
    const accepted = await env.call('POST', '/api/bookings', { token, body: form });
    expect(accepted.status).toBe(202);
    const requestId = accepted.body.requestId as string;
    expect(await decided(env.call, requestId)).toMatchObject({ status: 'confirmed' });

    const stored = await eventually(
      async () => {
        const hash = await redis.hgetall(jobKey(requestId));
        return hash.data && JSON.parse(hash.data).personRemovedAt ? hash : undefined;
      },
      10_000,
      'the decided job stripped',
    );
    expect(Object.keys(JSON.parse(stored.data!)).sort()).toEqual(
      [
        'campaignId',
        'channel',
        'personRemovedAt',
        'requestId',
        'schemaVersion',
        'siteId',
        'slotId',
        'submittedAt',
      ].sort(),
    );
    const raw = JSON.stringify(stored);
    for (const trace of traces(form))
      expect({ trace, found: raw.includes(trace) }).toEqual({ trace, found: false });
    // Nor anywhere else under this namespace (locks, grants, rate limits, BullMQ's event stream).
    const all = await everythingInRedis(redis, env.namespace);
    for (const trace of traces(form))
      expect({ trace, found: all.includes(trace) }).toEqual({ trace, found: false });

    // The poll reads the outcome, not the data: it answers as before.
    const status = await env.call('GET', `/api/bookings/requests/${requestId}`);
    expect(status.body).toMatchObject({ status: 'confirmed', booking: { siteId: SKH, groupCode: 'g1' } });

    // Removed an hour after completion, a failed job a day after failing; counts bound a surge.
    const opts = JSON.parse(stored.opts!);
    expect(opts).toMatchObject({
      removeOnComplete: { age: HOUR, count: 100_000 },
      removeOnFail: { age: 24 * HOUR, count: 10_000 },
    });
    expect(BOOKING_JOB_OPTIONS).toMatchObject({
      removeOnComplete: opts.removeOnComplete,
      removeOnFail: opts.removeOnFail,
    });
  });

  it('strips the person from a job that failed for good', async () => {
    const who = person();
    const requestId = `${campaignId}.failed-for-good-0123456789`;
    // Breaks the contract (no slot) so the worker fails it at once, for good.
    await env.queue.add(
      'request',
      {
        schemaVersion: 1,
        requestId,
        campaignId,
        ...who,
        groupCode: 'g1',
        siteId: SKH,
        channel: 'web',
        submittedAt: new Date().toISOString(),
      },
      { ...BOOKING_JOB_OPTIONS, jobId: requestId },
    );
    const stored = await eventually(
      async () => {
        const hash = await redis.hgetall(jobKey(requestId));
        return hash.data && JSON.parse(hash.data).personRemovedAt ? hash : undefined;
      },
      15_000,
      'the failed job stripped',
    );
    expect(await env.queue.getJobState(requestId)).toBe('failed');
    const raw = JSON.stringify(stored);
    for (const trace of [who.citizenId, who.phone, who.firstName, who.lastName, who.birthDate]) {
      expect({ trace, found: raw.includes(trace) }).toEqual({ trace, found: false });
    }
    expect(stored.failedReason).toMatch(/invalid booking job/);
    const status = await env.call('GET', `/api/bookings/requests/${requestId}`);
    expect(status.body).toMatchObject({ status: 'rejected', reason: 'PROCESSING_FAILED' });
  });

  it('bull-board shows a waiting job masked, and a decided one without the person', async () => {
    const who = person();
    const requestId = `${campaignId}.waiting-in-the-board-0123`;
    // Delayed by an hour: the worker leaves it alone, as in a surge's backlog.
    await env.queue.add(
      'request',
      {
        schemaVersion: 1,
        requestId,
        campaignId,
        ...who,
        groupCode: 'g1',
        siteId: SKH,
        slotId: slot(SKH),
        channel: 'web',
        submittedAt: new Date().toISOString(),
      },
      { ...BOOKING_JOB_OPTIONS, jobId: requestId, delay: HOUR * 1000 },
    );
    const board = async (status: string) => {
      const answer = await env.call(
        'GET',
        `/ops/queues/api/queues?activeQueue=booking&status=${status}&page=1&jobsPerPage=50`,
        { token: env.opsToken },
      );
      expect(answer.status).toBe(200);
      return (answer.body.queues as Json[]).find((q) => q.name === 'booking')!.jobs as Json[];
    };
    const waiting = (await board('delayed')).find((job) => job.id === requestId)!;
    expect(waiting.data).toMatchObject({
      citizenId: `xxxxxxxxxx${who.citizenId.slice(-3)}`,
      firstName: '[masked]',
      lastName: '[masked]',
      phone: `+xxxxxxxx${who.phone.slice(-3)}`,
      siteId: SKH,
    });
    const shown = JSON.stringify(await board('delayed')) + JSON.stringify(await board('completed'));
    for (const trace of [who.citizenId, who.phone, who.firstName, who.lastName, who.birthDate]) {
      expect({ trace, found: shown.includes(trace) }).toEqual({ trace, found: false });
    }
    expect(JSON.stringify(await board('completed'))).toContain('personRemovedAt');
  });
});
