import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { campaignKey } from '@khiw/redis';
import {
  bookingsOf,
  newCampaignId,
  person,
  SKH,
  slot,
  tinyCampaign,
} from '../../booking-worker/test/worker-fixtures';
import { citizenHash } from '../src/bookings/citizen-hash';
import { DEV_BOOKING_REQUEST_ID_SECRET } from '../src/config';
import { decodeJwt } from '../src/waiting-room/tokens/queue-tokens';
import { waitingRoomKeys } from '../src/waiting-room/waiting-room-keys';
import { admittedAccessToken, decided, jobTotal, type Json } from './booking-fixtures';
import { gatewayWithWorker } from './gateway-with-worker';
import { closeRedis, testRedis } from './waiting-room-fixtures';

/**
 * What the booking page does when Redis has lost an accepted request (a crash takes the last
 * second of writes with it, appendfsync everysec): its status poll answers 404, and the page
 * sends the same body again with the same access token. Against a real gateway and a real
 * booking worker: the re-submit queues the request again under the same id, a re-submit while
 * the request exists or after it was decided queues nothing, and a request decided and then
 * lost is answered from PostgreSQL (the worker's request id) with the same booking, never a
 * second one. The lost part is made by deleting what the crash would have taken.
 */
const env = gatewayWithWorker('lost-request', { WAITING_ROOM_MAX_BOOKINGS: '2' });
const redis = testRedis('lost-request-test');
afterAll(() => closeRedis(redis));

const queueNumberOf = (accessToken: string) => String(decodeJwt(accessToken)!.payload.queueNumber);

const submit = (token: string, body: Json) => env.call('POST', '/api/bookings', { token, body });
const statusOf = (requestId: string) => env.call('GET', `/api/bookings/requests/${requestId}`);

function form(campaignId: string, who = person()): Json {
  return {
    campaignId,
    citizenId: who.citizenId,
    firstName: who.firstName,
    lastName: who.lastName,
    birthDate: who.birthDate,
    phone: who.phone,
    groupCode: 'g1',
    siteId: SKH,
    slotId: slot(SKH),
    provinceCode: '74',
  };
}

/** Bookings of the grant spent so far, as the waiting room counts them. */
async function grantSpent(campaignId: string, accessToken: string): Promise<number> {
  const spent = await redis.hget(
    waitingRoomKeys(env.namespace, campaignId).grants,
    queueNumberOf(accessToken),
  );
  return Number(spent ?? 0);
}

/** The worker paused (SIGSTOP) so an accepted request stays undecided, as it would in a queue. */
async function withWorkerPaused<T>(work: () => Promise<T>): Promise<T> {
  process.kill(env.workerPid(), 'SIGSTOP');
  try {
    return await work();
  } finally {
    process.kill(env.workerPid(), 'SIGCONT');
  }
}

describe('a request Redis lost, sent again by the page', () => {
  const campaignId = newCampaignId('gw-lost');
  let token = '';

  beforeAll(async () => {
    await env.loadThroughGateway(tinyCampaign(campaignId, { totalDoses: 10, quotas: [5, 5], capacity: 5 }));
    token = await admittedAccessToken(env.call, campaignId);
  });

  it('queues a lost undecided request again under the same id, once, and spends the grant once', async () => {
    const body = form(campaignId);
    const requestId = await withWorkerPaused(async () => {
      const first = await submit(token, body);
      expect(first.status).toBe(202);
      const id = first.body.requestId as string;
      expect(await grantSpent(campaignId, token)).toBe(1);

      // The crash took the job: the status poll says unknown.
      await env.queue.remove(id);
      expect((await statusOf(id)).status).toBe(404);

      const again = await submit(token, body);
      expect({ status: again.status, requestId: again.body.requestId }).toEqual({
        status: 202,
        requestId: id,
      });
      expect((await statusOf(id)).body.status).toBe('pending');
      // A second re-submit while it exists: the same request, nothing more queued.
      expect((await submit(token, body)).body.requestId).toBe(id);
      expect(await jobTotal(env.queue)).toBe(1);
      expect(await grantSpent(campaignId, token)).toBe(1);
      return id;
    });

    const outcome = await decided(env.call, requestId, 30_000);
    expect(outcome).toMatchObject({ status: 'confirmed', booking: { slotId: slot(SKH) } });
    // Decided: a re-submit is answered with it; the job is the one that was decided.
    const decidedAt = (await env.queue.getJob(requestId))!.finishedOn;
    expect((await submit(token, body)).body.requestId).toBe(requestId);
    expect((await env.queue.getJob(requestId))!.finishedOn).toBe(decidedAt);
    const rows = (await bookingsOf(env.prisma, campaignId)).filter((b) => b.citizen_id === body.citizenId);
    expect(rows).toHaveLength(1);
  });

  it('answers a decided request that was lost with the same booking, from PostgreSQL', async () => {
    const body = form(campaignId);
    const first = await submit(token, body);
    const requestId = first.body.requestId as string;
    const outcome = await decided(env.call, requestId, 30_000);
    expect(outcome.status).toBe('confirmed');

    await env.queue.remove(requestId);
    expect((await statusOf(requestId)).status).toBe(404);
    expect((await submit(token, body)).body.requestId).toBe(requestId);
    const again = await decided(env.call, requestId, 30_000);
    expect(again).toMatchObject({
      status: 'confirmed',
      booking: { bookingId: outcome.booking.bookingId, reference: outcome.booking.reference },
    });
    const rows = (await bookingsOf(env.prisma, campaignId)).filter((b) => b.citizen_id === body.citizenId);
    expect(rows.map((b) => b.id)).toEqual([outcome.booking.bookingId]);
  });

  it('takes the re-submit when the grant’s record was lost with the job (the whole last second)', async () => {
    const own = await admittedAccessToken(env.call, campaignId);
    const body = form(campaignId);
    const requestId = await withWorkerPaused(async () => {
      const id = (await submit(own, body)).body.requestId as string;
      // Everything the submit wrote, newest first: the job, the grant's count, its person set.
      await env.queue.remove(id);
      await redis.hdel(waitingRoomKeys(env.namespace, campaignId).grants, queueNumberOf(own));
      const people = campaignKey(env.namespace, campaignId, `grant-people:${queueNumberOf(own)}`);
      const hash = citizenHash(DEV_BOOKING_REQUEST_ID_SECRET, String(body.citizenId));
      expect(await redis.srem(people, hash)).toBe(1);

      expect((await statusOf(id)).status).toBe(404);
      expect((await submit(own, body)).body.requestId).toBe(id);
      expect(await grantSpent(campaignId, own)).toBe(1);
      return id;
    });
    expect((await decided(env.call, requestId, 30_000)).status).toBe('confirmed');
    const rows = (await bookingsOf(env.prisma, campaignId)).filter((b) => b.citizen_id === body.citizenId);
    expect(rows).toHaveLength(1);
  });
});
