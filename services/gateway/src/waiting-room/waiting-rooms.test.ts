import { WaitingRooms, type WaitingRoomOptions } from './waiting-rooms';
import type { WaitingRoomRedis } from './waiting-room-scripts';

const options: WaitingRoomOptions = {
  defaults: { outflowPerMinute: 60, maxActive: 100, powDifficulty: 0 },
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

/** A Redis stand-in whose view reads finish when the test says, in order. */
function slowRedis() {
  const room: Record<string, string> = {};
  const pending: Array<() => void> = [];
  const chain = {
    hsetnx: () => chain,
    exec: async () => [],
  };
  const redis = {
    get: async () => JSON.stringify({ id: 'c1', opensAt: '2021-01-01T00:00:00Z' }),
    multi: () => chain,
    wrView: () => {
      const snapshot = { ...room };
      return new Promise<string>((resolve) => pending.push(() => resolve(JSON.stringify(snapshot))));
    },
  } as unknown as WaitingRoomRedis;
  return { redis, room, pending };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('WaitingRooms', () => {
  it('refresh() never hands back a load that read Redis before the call', async () => {
    const { redis, room, pending } = slowRedis();
    const rooms = new WaitingRooms(redis, 'ns', options);
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
    const rooms = new WaitingRooms(redis, 'ns', options);
    const a = rooms.get('c1');
    const b = rooms.get('c1');
    await settle();
    expect(pending).toHaveLength(1);
    pending.shift()!();
    expect(await a).toBe(await b);
  });
});
