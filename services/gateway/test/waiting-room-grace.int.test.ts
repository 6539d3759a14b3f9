import { afterAll, describe, expect, it } from '@jest/globals';
import type { Redis } from '@khiw/redis';
import { uniqueNamespace } from '../../../test/support/env';
import { AccessGrants } from '../src/waiting-room/access-grants';
import { AdmissionLoop } from '../src/waiting-room/admission-loop';
import { JoinQueue } from '../src/waiting-room/join-queue.usecase';
import { QueueStatus } from '../src/waiting-room/queue-status.usecase';
import type { RoomCache } from '../src/waiting-room/room-cache';
import { StandbyAccess } from '../src/waiting-room/standby-access';
import { TicketStanding } from '../src/waiting-room/ticket-standing';
import { generateSigningKey, Keyring } from '../src/waiting-room/tokens/keyring';
import { QueueTokens, verifyAccessToken, type AccessClaims } from '../src/waiting-room/tokens/queue-tokens';
import {
  closeRedis,
  deleteNamespace,
  publishSnapshot,
  silentLogger,
  testMetrics,
  testRedis,
  testRooms,
} from './waiting-room-fixtures';

/**
 * Issue 14: an active place is released when its booking is decided. A booking keeps the
 * place only for the family grace (use-access-3.lua), the admission step (admit-7.lua) frees
 * it when the grace runs out and counts it finished, and `release` frees it at once.
 */
const namespace = uniqueNamespace('wrgrace');
const tokens = new QueueTokens(new Keyring(generateSigningKey()), { ticketTtlSeconds: 3600 });
const redis: Redis = testRedis('grace');
const rooms = testRooms(redis, namespace);
const metrics = testMetrics();
const standby = new StandbyAccess(rooms, tokens);
const standing = new TicketStanding(rooms, tokens, standby);
const join = new JoinQueue(rooms, tokens, standing, metrics, standby);
const status = new QueueStatus(tokens, standing, metrics);
const loop = new AdmissionLoop(rooms, silentLogger, metrics, 1000);
const grants = new AccessGrants(rooms, metrics);
let seq = 0;

afterAll(async () => {
  await deleteNamespace(redis, namespace);
  await closeRedis(redis);
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function setRoom(room: RoomCache, campaignId: string, fields: Record<string, string | number>) {
  await room.get(campaignId);
  await room.redis.hset(room.keys(campaignId).room, fields);
}

/** A campaign with `people` joined and the room's settings; the first step admits up to maxActive. */
async function roomWith(people: number, fields: Record<string, number>) {
  const campaignId = `wrg-${namespace.slice(-6)}-${++seq}`;
  await publishSnapshot(redis, namespace, campaignId);
  const joined = [];
  for (let i = 0; i < people; i++) joined.push(await join.execute({ campaignId }));
  await setRoom(rooms, campaignId, { outflowPerMinute: 600_000, ...fields });
  await loop.step(campaignId);
  await sleep(20);
  await loop.step(campaignId);
  const tickets = joined.map((j) => j.answer.ticket!);
  return { campaignId, tickets };
}

/** Claims the place of an admitted ticket: its access token's claims. */
async function claim(campaignId: string, ticket: string): Promise<AccessClaims> {
  const answer = await status.execute({ ticket });
  expect(answer.state).toBe('admitted');
  return verifyAccessToken(tokens, answer.accessToken!, campaignId);
}

async function redisNow(): Promise<number> {
  const [seconds, micros] = await redis.time();
  return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
}

const placeExpiry = async (campaignId: string, claims: AccessClaims) =>
  Number(await redis.zscore(rooms.keys(campaignId).access, String(claims.queueNumber)));

describe('a booked place is held only for the family grace', () => {
  it('shortens the place to now + grace at a booking and re-arms it at the next, never past the token', async () => {
    const { campaignId, tickets } = await roomWith(1, { maxActive: 5, familyGraceSeconds: 60 });
    const claims = await claim(campaignId, tickets[0]!);
    const before = await redisNow();
    expect(await placeExpiry(campaignId, claims)).toBeGreaterThan(before + 590_000);

    expect(await grants.use(claims)).toBe(1);
    const first = await placeExpiry(campaignId, claims);
    expect(first).toBeGreaterThanOrEqual(before + 60_000);
    expect(first).toBeLessThanOrEqual((await redisNow()) + 60_000);

    await sleep(30);
    expect(await grants.use(claims)).toBe(2);
    const second = await placeExpiry(campaignId, claims);
    expect(second).toBeGreaterThan(first);
    expect(second).toBeLessThanOrEqual((await redisNow()) + 60_000);

    // A token that ends sooner than the grace: the place ends with it.
    const soon = Math.floor((await redisNow()) / 1000) + 5;
    expect(await grants.use({ ...claims, expiresAt: soon })).toBe(3);
    expect(await placeExpiry(campaignId, claims)).toBe(soon * 1000);
  });

  it('frees the place at the next step once the grace has run out, counted finished and not expiredAccess', async () => {
    const { campaignId, tickets } = await roomWith(5, { maxActive: 3, familyGraceSeconds: 1 });
    const booked = [await claim(campaignId, tickets[0]!), await claim(campaignId, tickets[1]!)];
    await claim(campaignId, tickets[2]!); // claimed, never books
    for (const claims of booked) expect(await grants.use(claims)).toBe(1);
    expect(await loop.step(campaignId)).toMatchObject({ admitted: 0, serving: 3 });

    await sleep(1300);
    const step = await loop.step(campaignId);
    expect(step).toMatchObject({ finishedAfterGrace: 2, expiredAccess: 0, admitted: 2, serving: 5 });
    const view = await rooms.view(campaignId, 0);
    expect(view.unclaimed + view.inForm).toBe(3);
    expect(view.totals).toMatchObject({ finished: 2, graceLapsed: 2, released: 0, expiredAccess: 0 });
    // The next family member after the grace: the place is gone.
    await expect(grants.use(booked[0]!)).rejects.toMatchObject({ code: 'ACCESS_EXPIRED' });
    expect((await status.execute({ ticket: tickets[0]! })).state).toBe('expired');
  });

  it('with a grace of 0, frees the place at the booking itself', async () => {
    const { campaignId, tickets } = await roomWith(2, { maxActive: 1, familyGraceSeconds: 0 });
    const claims = await claim(campaignId, tickets[0]!);
    expect(await grants.use(claims)).toBe(1);
    expect((await rooms.view(campaignId, 0)).inForm).toBe(0);
    await sleep(20);
    expect(await loop.step(campaignId)).toMatchObject({ admitted: 1, serving: 2 });
    expect((await rooms.view(campaignId, 0)).totals).toMatchObject({ finished: 1, graceLapsed: 0 });
  });
});

describe('release', () => {
  it('frees the place at once, only once, and later bookings of the grant are refused', async () => {
    const { campaignId, tickets } = await roomWith(2, { maxActive: 1, familyGraceSeconds: 120 });
    const claims = await claim(campaignId, tickets[0]!);
    expect(await grants.use(claims)).toBe(1);
    expect(await loop.step(campaignId)).toMatchObject({ admitted: 0, serving: 1 });

    expect(await grants.release(claims)).toBe(true);
    expect(await grants.release(claims)).toBe(false);
    expect(await loop.step(campaignId)).toMatchObject({ admitted: 1, serving: 2 });
    await expect(grants.use(claims)).rejects.toMatchObject({ code: 'ACCESS_EXPIRED' });
    const view = await rooms.view(campaignId, 0);
    expect(view.totals).toMatchObject({ finished: 1, released: 1, graceLapsed: 0, expiredAccess: 0 });
    const freed = await metrics.placesFreed.get();
    expect(freed.values.find((v) => v.labels.reason === 'done')?.value).toBeGreaterThanOrEqual(1);
  });

  it('of a standby token holds no place and frees none', async () => {
    const { campaignId } = await roomWith(0, { maxActive: 1 });
    const token = tokens.signAccess({
      ticketId: 'standby-ticket',
      campaignId,
      queueNumber: 0,
      maxBookings: 2,
      expiresAtMs: Date.now() + 60_000,
      standby: true,
    });
    expect(await grants.release(verifyAccessToken(tokens, token, campaignId))).toBe(false);
    expect((await rooms.view(campaignId, 0)).totals.released).toBe(0);
  });
});
