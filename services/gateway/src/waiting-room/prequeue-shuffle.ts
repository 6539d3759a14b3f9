import { randomInt } from 'node:crypto';
import { OpenCode, type WaitingRoomRedis } from './waiting-room-scripts';
import type { WaitingRoomKeys } from './waiting-room-keys';

/** 1..n in a uniformly random order: Fisher–Yates driven by node:crypto's CSPRNG. */
export function cryptoPermutation(n: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i + 1);
  for (let i = n - 1; i > 0; i--) {
    const j = randomInt(0, i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

/**
 * Opens the waiting room: the pre-queue gets numbers 1..N in a random order, later joins
 * follow. Any replica may call this at any time; the open-5 step commits once and refuses
 * every other attempt, so the shuffle happens exactly once.
 */
export async function openWaitingRoom(redis: WaitingRoomRedis, keys: WaitingRoomKeys): Promise<OpenCode> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const n = await redis.llen(keys.pre);
    const order = cryptoPermutation(n);
    const [code] = await redis.wrOpen(
      keys.room,
      keys.pre,
      keys.numbers,
      keys.preNumbers,
      keys.seen,
      n,
      ...order,
    );
    if (Number(code) !== OpenCode.Retry) return Number(code) as OpenCode;
  }
  return OpenCode.Retry;
}
