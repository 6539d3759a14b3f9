import { CampaignSnapshot } from '@khiw/contracts';
import { createLogger, Registry } from '@khiw/observability';
import { campaignIndexKey, campaignKey, closeRedis, createRedisClient, type Redis } from '@khiw/redis';
import { REDIS_URL } from '../../../test/support/env';
import { RoomCache, type WaitingRoomOptions } from '../src/waiting-room/room-cache';
import { createWaitingRoomMetrics } from '../src/waiting-room/waiting-room-metrics';
import { withWaitingRoomCommands } from '../src/waiting-room/waiting-room-scripts';

export const silentLogger = createLogger({ service: 'test', level: 'silent' });

export const TEST_OPTIONS: WaitingRoomOptions = {
  defaults: { outflowPerMinute: 0, maxActive: 1000, powDifficulty: 0, familyGraceSeconds: 120 },
  claimWindowMs: 120_000,
  accessTtlMs: 600_000,
  abandonAfterMs: 180_000,
  maxBookings: 5,
  maxSkipPerStep: 1000,
  maxStepMs: 5000,
  rateMinutes: 5,
  viewMaxAgeMs: 0,
  challengeTtlSeconds: 120,
};

/** A client like the gateway's, but one that waits for its first connection. */
export function testRedis(name = 'test'): Redis {
  return createRedisClient({
    url: REDIS_URL,
    name,
    logger: silentLogger,
    extra: { enableOfflineQueue: true },
  });
}

export function testRooms(redis: Redis, namespace: string, options: Partial<WaitingRoomOptions> = {}) {
  return new RoomCache(
    withWaitingRoomCommands(redis),
    namespace,
    { ...TEST_OPTIONS, ...options },
    silentLogger,
  );
}

export function testMetrics() {
  return createWaitingRoomMetrics(new Registry());
}

/**
 * A campaign snapshot as the booking worker publishes it (contracts CampaignSnapshot, which
 * the gateway parses: a partial one reads as unavailable), with `overrides`.
 */
export function campaignSnapshot(
  campaignId: string,
  overrides: Partial<CampaignSnapshot> = {},
): CampaignSnapshot {
  return CampaignSnapshot.parse({
    id: campaignId,
    name: { th: 'ทดสอบ', en: 'Test' },
    vaccine: 'sinopharm',
    timezone: 'Asia/Bangkok',
    opensAt: '2021-07-25T02:00:00.000Z',
    state: 'open',
    totalDoses: 30000,
    remainingDoses: 30000,
    standbySize: 10000,
    standbyCount: 0,
    eligibility: {},
    groups: [],
    sites: [],
    publishedAt: new Date().toISOString(),
    ...overrides,
  });
}

/** Publishes campaignSnapshot(campaignId, overrides) and lists the campaign, as the worker does. */
export async function publishSnapshot(
  redis: Redis,
  namespace: string,
  campaignId: string,
  overrides: Partial<CampaignSnapshot> = {},
): Promise<void> {
  const snapshot = campaignSnapshot(campaignId, overrides);
  await redis
    .multi()
    .set(campaignKey(namespace, campaignId, 'info'), JSON.stringify(snapshot))
    .sadd(campaignIndexKey(namespace), campaignId)
    .exec();
}

/** Deletes every key of a test namespace. */
export async function deleteNamespace(redis: Redis, namespace: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${namespace}:*`, 'COUNT', 1000);
    if (keys.length) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

export { closeRedis };
