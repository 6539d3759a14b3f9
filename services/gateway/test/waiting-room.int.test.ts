import { afterAll, describe, expect, it } from '@jest/globals';
import { KhiwError, WAITING_ROOM_CODES } from '@khiw/errors';
import type { Redis } from '@khiw/redis';
import { uniqueNamespace } from '../../../test/support/env';
import { AccessGrants } from '../src/waiting-room/access-grants';
import { AdmissionLoop } from '../src/waiting-room/admission-loop';
import { JoinQueue } from '../src/waiting-room/join-queue.usecase';
import { openWaitingRoom } from '../src/waiting-room/prequeue-shuffle';
import { QueueStatus } from '../src/waiting-room/queue-status.usecase';
import type { RoomCache, WaitingRoomOptions } from '../src/waiting-room/room-cache';
import { markSoldOut } from '../src/waiting-room/sold-out';
import { StandbyAccess } from '../src/waiting-room/standby-access';
import { TicketStanding } from '../src/waiting-room/ticket-standing';
import { generateSigningKey, Keyring } from '../src/waiting-room/tokens/keyring';
import { QueueTokens, verifyAccessToken } from '../src/waiting-room/tokens/queue-tokens';
import { OpenCode } from '../src/waiting-room/waiting-room-scripts';
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
 * The waiting room's guarantees against the real Redis, with several "replicas" (each its
 * own Redis connection, rooms cache and use cases) acting at once.
 */
const namespace = uniqueNamespace('wr');
const tokens = new QueueTokens(new Keyring(generateSigningKey()), { ticketTtlSeconds: 3600 });
const clients: Redis[] = [];
let seq = 0;
const newCampaign = () => `wr-${namespace.slice(-6)}-${++seq}`;

function replica(options: Partial<WaitingRoomOptions> = {}) {
  const redis = testRedis(`replica-${clients.length}`);
  clients.push(redis);
  const rooms = testRooms(redis, namespace, options);
  const metrics = testMetrics();
  const standby = new StandbyAccess(rooms, tokens);
  const standing = new TicketStanding(rooms, tokens, standby);
  return {
    rooms,
    status: new QueueStatus(tokens, standing, metrics),
    join: new JoinQueue(rooms, tokens, standing, metrics, standby),
    loop: new AdmissionLoop(rooms, silentLogger, metrics, 1000),
    grants: new AccessGrants(rooms),
  };
}

async function setRoom(rooms: RoomCache, campaignId: string, fields: Record<string, string | number>) {
  await rooms.get(campaignId);
  await rooms.redis.hset(rooms.keys(campaignId).room, fields);
}

afterAll(async () => {
  await deleteNamespace(clients[0]!, namespace);
  await Promise.all(clients.map((c) => closeRedis(c)));
});

describe('join', () => {
  it('gives unique, gapless numbers under concurrent joins from several replicas', async () => {
    const campaignId = newCampaign();
    const replicas = [replica(), replica(), replica(), replica()];
    await publishSnapshot(replicas[0]!.rooms.redis, namespace, campaignId);
    const results = await Promise.all(
      Array.from({ length: 400 }, (_, i) => replicas[i % replicas.length]!.join.execute({ campaignId })),
    );
    const numbers = results.map((r) => r.answer.queueNumber!).sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: 400 }, (_, i) => i + 1));
    expect(results.every((r) => r.created && r.answer.state === 'waiting')).toBe(true);
  });

  it('returns the same place for the same ticket (refresh, another tab)', async () => {
    const campaignId = newCampaign();
    const { join } = replica();
    const other = replica();
    await publishSnapshot(other.rooms.redis, namespace, campaignId);
    await join.execute({ campaignId });
    const first = await join.execute({ campaignId });
    const again = await other.join.execute({ campaignId, ticket: first.answer.ticket! });
    expect(again.created).toBe(false);
    expect(again.answer.queueNumber).toBe(first.answer.queueNumber);
    expect(again.answer.queueNumber).toBe(2);
  });
});

describe('pre-queue', () => {
  async function prequeueRun(size: number) {
    const campaignId = newCampaign();
    const replicas = [replica(), replica(), replica()];
    const { rooms, join, status } = replicas[0]!;
    await publishSnapshot(rooms.redis, namespace, campaignId);
    await setRoom(rooms, campaignId, { opensAt: Date.now() + 3_600_000 });
    const joined = await Promise.all(Array.from({ length: size }, () => join.execute({ campaignId })));
    expect(joined.every((j) => j.answer.state === 'prequeue' && j.answer.queueNumber === null)).toBe(true);
    const before = await status.execute({ ticket: joined[0]!.answer.ticket! });
    expect(before.state).toBe('prequeue');

    await setRoom(rooms, campaignId, { opensAt: Date.now() - 1000 });
    const late = await join.execute({ campaignId });
    const codes = await Promise.all(
      replicas.map((r) => openWaitingRoom(r.rooms.redis, r.rooms.keys(campaignId))),
    );
    expect(codes.filter((c) => c === OpenCode.Opened)).toHaveLength(1);
    expect(codes.filter((c) => c === OpenCode.Already)).toHaveLength(2);

    const answers = await Promise.all(joined.map((j) => status.execute({ ticket: j.answer.ticket! })));
    expect(answers.every((a) => a.state === 'waiting' && typeof a.ticket === 'string')).toBe(true);
    // The renewed ticket carries the drawn number and keeps the same place.
    const renewed = await status.execute({ ticket: answers[0]!.ticket! });
    expect(renewed.queueNumber).toBe(answers[0]!.queueNumber);
    expect(late.answer.queueNumber).toBe(size + 1);
    return answers.map((a) => a.queueNumber!);
  }

  it('shuffles the pre-queue once, into a permutation of 1..N, differently each time; FIFO after', async () => {
    const size = 60;
    const first = await prequeueRun(size);
    const second = await prequeueRun(size);
    const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
    const oneToN = Array.from({ length: size }, (_, i) => i + 1);
    expect(sorted(first)).toEqual(oneToN);
    expect(sorted(second)).toEqual(oneToN);
    expect(first).not.toEqual(oneToN);
    expect(first).not.toEqual(second);
  });
});

describe('admission', () => {
  it('never lets the serving counter pass the outflow budget, with two loops at once', async () => {
    const campaignId = newCampaign();
    const a = replica();
    const b = replica();
    await publishSnapshot(a.rooms.redis, namespace, campaignId);
    await Promise.all(Array.from({ length: 300 }, () => a.join.execute({ campaignId })));
    const outflowPerMinute = 240; // 4 per second
    await a.loop.step(campaignId); // opens; budget starts from this step
    await setRoom(a.rooms, campaignId, { outflowPerMinute });
    const started = Date.now();
    for (let i = 0; i < 12; i++) {
      await Promise.all([a.loop.step(campaignId), b.loop.step(campaignId)]);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const elapsed = Date.now() - started;
    const view = await a.rooms.view(campaignId, 0);
    const budget = (outflowPerMinute * elapsed) / 60_000;
    expect(view.serving).toBeGreaterThan(0);
    expect(view.serving).toBeLessThanOrEqual(Math.floor(budget) + 1);
    expect(view.totals.admitted).toBe(view.serving);
  });

  it('never admits more than maxActive, whatever the number of loops', async () => {
    const campaignId = newCampaign();
    const loops = [replica(), replica(), replica()];
    const { rooms, join, status, grants } = loops[0]!;
    await publishSnapshot(rooms.redis, namespace, campaignId);
    const joined = await Promise.all(Array.from({ length: 30 }, () => join.execute({ campaignId })));
    await setRoom(rooms, campaignId, { outflowPerMinute: 600_000, maxActive: 7 });
    for (let i = 0; i < 5; i++) {
      await Promise.all(loops.map((l) => l.loop.step(campaignId)));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    let view = await rooms.view(campaignId, 0);
    expect(view.serving).toBe(7);
    expect(view.unclaimed + view.inForm).toBe(7);

    // Claiming keeps the place active; finishing frees it for the next resident.
    const byNumber = new Map(joined.map((j) => [j.answer.queueNumber!, j.answer.ticket!]));
    const admitted = await status.execute({ ticket: byNumber.get(1)! });
    expect(admitted.state).toBe('admitted');
    const claims = verifyAccessToken(tokens, admitted.accessToken!, campaignId);
    expect(claims).toMatchObject({ queueNumber: 1, maxBookings: 5 });
    for (let i = 1; i <= 5; i++) await expect(grants.use(claims)).resolves.toBe(i);
    await expect(grants.use(claims)).rejects.toMatchObject({ code: 'ACCESS_EXHAUSTED' });
    await Promise.all(loops.map((l) => l.loop.step(campaignId)));
    view = await rooms.view(campaignId, 0);
    expect(view.serving).toBe(8);
    expect(view.unclaimed + view.inForm).toBe(7);
    const waiting = await status.execute({ ticket: byNumber.get(9)! });
    expect(waiting).toMatchObject({ state: 'waiting', position: 1, aheadCount: 0 });
  });

  it('does not admit while paused', async () => {
    const campaignId = newCampaign();
    const { rooms, join, loop } = replica();
    await publishSnapshot(rooms.redis, namespace, campaignId);
    await Promise.all(Array.from({ length: 5 }, () => join.execute({ campaignId })));
    await setRoom(rooms, campaignId, { outflowPerMinute: 600_000, paused: 1 });
    for (let i = 0; i < 3; i++) await loop.step(campaignId);
    expect((await rooms.view(campaignId, 0)).serving).toBe(0);
    await setRoom(rooms, campaignId, { paused: 0 });
    await loop.step(campaignId);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await loop.step(campaignId);
    expect((await rooms.view(campaignId, 0)).serving).toBe(5);
  });

  it('expires admitted places nobody claims, and they stop counting as active', async () => {
    const campaignId = newCampaign();
    const { rooms, join, status, loop } = replica({ claimWindowMs: 1000 });
    await publishSnapshot(rooms.redis, namespace, campaignId);
    const [late] = await Promise.all(Array.from({ length: 3 }, () => join.execute({ campaignId })));
    await setRoom(rooms, campaignId, { outflowPerMinute: 600_000, maxActive: 3 });
    await loop.step(campaignId);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await loop.step(campaignId);
    expect((await rooms.view(campaignId, 0)).unclaimed).toBe(3);
    // Windows of a second, not of 150-300 ms: a busy machine must not decide these tests.
    await new Promise((resolve) => setTimeout(resolve, 1300));
    const step = await loop.step(campaignId);
    expect(step.expiredUnclaimed).toBe(3);
    const view = await rooms.view(campaignId, 0);
    expect(view.unclaimed + view.inForm).toBe(0);
    expect(view.totals.expiredUnclaimed).toBe(3);
    expect((await status.execute({ ticket: late!.answer.ticket! })).state).toBe('expired');
  });

  it('passes over tickets that stopped asking, and lets them in first when they come back', async () => {
    const campaignId = newCampaign();
    const { rooms, join, status, loop } = replica({ abandonAfterMs: 1000 });
    await publishSnapshot(rooms.redis, namespace, campaignId);
    const away = await join.execute({ campaignId });
    await new Promise((resolve) => setTimeout(resolve, 1300));
    const present = await join.execute({ campaignId });
    await setRoom(rooms, campaignId, { outflowPerMinute: 60, maxActive: 10 });
    // The first step has no budget yet, but passing over costs none.
    expect(await loop.step(campaignId)).toMatchObject({ admitted: 0, passedOver: 1, serving: 1 });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await status.execute({ ticket: present.answer.ticket! })).state).toBe('waiting');
    expect(await loop.step(campaignId)).toMatchObject({ admitted: 1, passedOver: 0, serving: 2 });
    expect((await status.execute({ ticket: present.answer.ticket! })).state).toBe('admitted');
    expect((await status.execute({ ticket: away.answer.ticket! })).state).toBe('admitted');
    const view = await rooms.view(campaignId, 0);
    expect(view.totals).toMatchObject({ skipped: 1, returned: 1, admitted: 2 });
  });
});

describe('sold out', () => {
  it('stops admission and flips every waiting status, with the standby offer', async () => {
    const campaignId = newCampaign();
    const { rooms, join, status, loop } = replica();
    await publishSnapshot(rooms.redis, namespace, campaignId, { standbySize: 10000 });
    const joined = await Promise.all(Array.from({ length: 40 }, () => join.execute({ campaignId })));
    await setRoom(rooms, campaignId, { outflowPerMinute: 600_000, maxActive: 5 });
    await loop.step(campaignId);
    expect(await markSoldOut(rooms.redis, namespace, campaignId)).toBe(true);
    expect(await markSoldOut(rooms.redis, namespace, campaignId)).toBe(false);
    const servingAtSoldOut = (await rooms.view(campaignId, 0)).serving;
    await setRoom(rooms, campaignId, { maxActive: 1000 });
    for (let i = 0; i < 3; i++) await loop.step(campaignId);
    expect((await rooms.view(campaignId, 0)).serving).toBe(servingAtSoldOut);
    const answers = await Promise.all(joined.map((j) => status.execute({ ticket: j.answer.ticket! })));
    expect(answers.every((a) => a.state === 'sold_out' && a.standbyOffered === true)).toBe(true);
    const newcomer = await join.execute({ campaignId });
    expect(newcomer.answer).toMatchObject({ state: 'sold_out', ticket: null });
  });

  it('hands out standby tokens while the standby list has room, each good for a family', async () => {
    const campaignId = newCampaign();
    const { rooms, join, status, grants } = replica({ maxBookings: 2 });
    await publishSnapshot(rooms.redis, namespace, campaignId, { standbySize: 10, standbyCount: 3 });
    const waiting = await join.execute({ campaignId });
    await markSoldOut(rooms.redis, namespace, campaignId);
    await rooms.refresh(campaignId);

    // A waiting resident and a newcomer (proof-of-work is off here) both get one.
    const answer = await status.execute({ ticket: waiting.answer.ticket! });
    const newcomer = await join.execute({ campaignId });
    for (const token of [answer.standbyAccessToken, newcomer.answer.standbyAccessToken]) {
      expect(typeof token).toBe('string');
      const claims = verifyAccessToken(tokens, token!, campaignId);
      expect(claims).toMatchObject({ standby: true, maxBookings: 2 });
      // Spent against its own counter: two people, then no more.
      expect(await grants.use(claims)).toBe(1);
      expect(await grants.use(claims)).toBe(2);
      await expect(grants.use(claims)).rejects.toMatchObject({ code: 'ACCESS_EXHAUSTED' });
    }
    // It takes no active place: the room's admission counters did not move.
    expect((await rooms.view(campaignId, 0)).inForm).toBe(0);

    // A full standby list: sold out, nothing to sign up for.
    await publishSnapshot(rooms.redis, namespace, campaignId, { standbySize: 10, standbyCount: 10 });
    await rooms.refresh(campaignId);
    const late = await join.execute({ campaignId });
    expect(late.answer).toMatchObject({ state: 'sold_out', standbyOffered: false });
    expect(late.answer.standbyAccessToken).toBeUndefined();
  });

  it('asks a newcomer for a solved challenge before a standby token when proof-of-work is on', async () => {
    const campaignId = newCampaign();
    const { rooms, join } = replica();
    await publishSnapshot(rooms.redis, namespace, campaignId, { standbySize: 10 });
    await setRoom(rooms, campaignId, { powDifficulty: 4 });
    await markSoldOut(rooms.redis, namespace, campaignId);
    await rooms.refresh(campaignId);
    const unsolved = await join.execute({ campaignId });
    expect(unsolved.answer).toMatchObject({ state: 'sold_out', standbyOffered: true });
    expect(unsolved.answer.standbyAccessToken).toBeUndefined();
  });

  it('follows the booking worker snapshot when it says sold out', async () => {
    const campaignId = newCampaign();
    const { rooms, join, status, loop } = replica();
    await publishSnapshot(rooms.redis, namespace, campaignId);
    const joined = await join.execute({ campaignId });
    await publishSnapshot(rooms.redis, namespace, campaignId, {
      state: 'sold_out',
      remainingDoses: 0,
      standbySize: 0,
    });
    await loop.step(campaignId);
    expect((await rooms.view(campaignId, 0)).final).toBe('sold_out');
    expect(await status.execute({ ticket: joined.answer.ticket! })).toMatchObject({
      state: 'sold_out',
      standbyOffered: false,
    });
  });
});

describe('tickets and the Redis record', () => {
  it('refuses a ticket signed with a number that is not its own', async () => {
    const campaignId = newCampaign();
    const { rooms, join, status } = replica();
    await publishSnapshot(rooms.redis, namespace, campaignId);
    const mine = await join.execute({ campaignId });
    await join.execute({ campaignId });
    const claims = tokens.verifyTicket(mine.answer.ticket!);
    const forged = tokens.signTicket({ ticketId: claims.ticketId, campaignId, queueNumber: 2 });
    await expect(status.execute({ ticket: forged })).rejects.toMatchObject({ code: 'TICKET_TAMPERED' });
    const nowhere = tokens.signTicket({ ticketId: claims.ticketId, campaignId, queueNumber: 99 });
    const refusal = await status.execute({ ticket: nowhere }).catch((error: unknown) => error);
    expect(KhiwError.inList(refusal, WAITING_ROOM_CODES)).toBe(true);
  });
});
