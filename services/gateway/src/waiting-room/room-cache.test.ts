import { createLogger } from '@khiw/observability';
import { RoomCache, type WaitingRoomOptions } from './room-cache';
import type { WaitingRoomRedis } from './waiting-room-scripts';

const options: WaitingRoomOptions = {
  defaults: { outflowPerMinute: 60, maxActive: 100, powDifficulty: 0, familyGraceSeconds: 120 },
  claimWindowMs: 1000,
  accessTtlMs: 1000,
  abandonAfterMs: 1000,
  maxBookings: 1,
  maxSkipPerStep: 10,
  maxStepMs: 1000,
  rateMinutes: 5,
  viewMaxAgeMs: 1000,
  challengeTtlSeconds: 60,
};

const logger = createLogger({ service: 'test', level: 'silent' });

/** The booking worker's snapshot of campaign c1, as it publishes it. */
const snapshot = JSON.stringify({
  id: 'c1',
  name: { th: 'ทดสอบ', en: 'Test' },
  vaccine: 'sinopharm',
  timezone: 'Asia/Bangkok',
  opensAt: '2021-01-01T00:00:00Z',
  state: 'open',
  totalDoses: 10,
  remainingDoses: 10,
  standbySize: 0,
  standbyCount: 0,
  eligibility: {},
  groups: [],
  sites: [],
  publishedAt: '2021-01-01T00:00:00Z',
});

/** A Redis stand-in whose view reads finish when the test says, in order. */
function slowRedis(info = snapshot) {
  const room: Record<string, string> = {};
  const pending: Array<() => void> = [];
  const chain = {
    hsetnx: () => chain,
    exec: async () => [],
  };
  const redis = {
    get: async () => info,
    multi: () => chain,
    wrView: () => {
      const snapshot = { ...room };
      return new Promise<string>((resolve) => pending.push(() => resolve(JSON.stringify(snapshot))));
    },
  } as unknown as WaitingRoomRedis;
  return { redis, room, pending };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('RoomCache', () => {
  it('refresh() never hands back a load that read Redis before the call', async () => {
    const { redis, room, pending } = slowRedis();
    const rooms = new RoomCache(redis, 'ns', options, logger);
    const early = rooms.get('c1'); // a reader's load is in flight...
    await settle();
    room.final = 'sold_out'; // ...when ops mark the room sold out
    const fresh = rooms.refresh('c1');
    await settle();
    pending.shift()!();
    expect((await early).view.final).toBeNull();
    await settle();
    expect(pending).toHaveLength(1); // a second read, started after the write
    pending.shift()!();
    expect((await fresh).view.final).toBe('sold_out');
  });

  it('concurrent readers share one load', async () => {
    const { redis, pending } = slowRedis();
    const rooms = new RoomCache(redis, 'ns', options, logger);
    const a = rooms.get('c1');
    const b = rooms.get('c1');
    await settle();
    expect(pending).toHaveLength(1);
    pending.shift()!();
    expect(await a).toBe(await b);
  });

  it('reads a snapshot that breaks the contract as unavailable, and none as no such campaign', async () => {
    const broken = new RoomCache(slowRedis('{"id":"c1"}').redis, 'ns', options, logger);
    await expect(broken.get('c1')).rejects.toMatchObject({ code: 'TEMPORARILY_UNAVAILABLE' });
    const none = { get: async () => null } as unknown as WaitingRoomRedis;
    await expect(new RoomCache(none, 'ns', options, logger).get('c1')).rejects.toMatchObject({
      code: 'CAMPAIGN_NOT_FOUND',
    });
  });
});
