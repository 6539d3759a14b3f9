import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '@khiw/observability';

export { Redis } from 'ioredis';

export interface RedisClientOptions {
  url: string;
  /** Connection name shown by CLIENT LIST, so ops can tell gateway from worker connections. */
  name: string;
  logger: Logger;
  /**
   * BullMQ workers block on Redis and must retry forever (maxRetriesPerRequest null); request
   * paths (the gateway) should fail fast instead so a Redis outage becomes a 503, not a hang.
   */
  blocking?: boolean;
  extra?: RedisOptions;
}

export function createRedisClient({ url, name, logger, blocking = false, extra }: RedisClientOptions): Redis {
  const client = new Redis(url, {
    connectionName: name,
    maxRetriesPerRequest: blocking ? null : 1,
    enableOfflineQueue: blocking,
    connectTimeout: 5000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    ...extra,
  });
  let lastError = '';
  client.on('error', (err: Error) => {
    // ioredis repeats the same error on every reconnect attempt; log changes, not the stream.
    if (err.message !== lastError) logger.warn({ err, redis: name }, 'redis connection error');
    lastError = err.message;
  });
  client.on('ready', () => {
    if (lastError) logger.info({ redis: name }, 'redis connection restored');
    lastError = '';
  });
  return client;
}

/** `quit` when connected, `disconnect` otherwise; safe to call twice. */
export async function closeRedis(client: Redis): Promise<void> {
  if (client.status === 'end') return;
  try {
    if (client.status === 'ready') await client.quit();
    else client.disconnect();
  } catch {
    client.disconnect();
  }
}

export async function pingRedis(client: Redis): Promise<void> {
  const answer = await client.ping();
  if (answer !== 'PONG') throw new Error(`unexpected PING answer ${answer}`);
}

/**
 * Redis keys of one campaign. Every key carries the `{campaignId}` hash tag so a campaign's
 * keys live in one Redis Cluster slot and Lua scripts may touch several of them.
 */
export function campaignKey(namespace: string, campaignId: string, name: string): string {
  return `${namespace ? `${namespace}:` : ''}khiw:{${campaignId}}:${name}`;
}

/** BullMQ's key prefix for this deployment (namespaced so tests can share one Redis). */
export function bullPrefix(namespace: string): string {
  return namespace ? `khiw-${namespace}` : 'khiw';
}

/** The set of campaign ids with a published snapshot. */
export function campaignIndexKey(namespace: string): string {
  return `${namespace ? `${namespace}:` : ''}khiw:campaigns`;
}
