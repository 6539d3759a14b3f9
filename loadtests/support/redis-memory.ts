import { createLogger } from '@khiw/observability';
import { bullPrefix, closeRedis, createRedisClient, type Redis } from '@khiw/redis';

/** `used_memory` from INFO memory, in bytes (the whole Redis: other users show up too). */
export async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? NaN);
}

/** Every key matching `pattern` (SCAN, never KEYS). */
export async function scanKeys(redis: Redis, pattern: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    found.push(...keys);
    cursor = next;
  } while (cursor !== '0');
  return found;
}

/**
 * MEMORY USAGE of each key (exact: SAMPLES 0 walks every element), largest first. For the
 * few big keys of a waiting room this is precise and independent of other Redis users.
 */
export async function memoryByKey(redis: Redis, keys: string[]): Promise<{ key: string; bytes: number }[]> {
  const sizes = await Promise.all(
    keys.map(async (key) => ({
      key,
      bytes: Number((await redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0')) ?? 0),
    })),
  );
  return sizes.sort((a, b) => b.bytes - a.bytes);
}

export async function deleteKeys(redis: Redis, patterns: string[]): Promise<number> {
  let deleted = 0;
  for (const pattern of patterns) {
    const keys = await scanKeys(redis, pattern);
    for (let i = 0; i < keys.length; i += 500) deleted += await redis.unlink(...keys.slice(i, i + 500));
  }
  return deleted;
}

/** Deletes a bench run's keys (its namespace and its BullMQ queues) on a connection of its own. */
export async function deleteNamespaceKeys(url: string, namespace: string): Promise<number> {
  const redis = createRedisClient({
    url,
    name: 'bench',
    logger: createLogger({ service: 'bench', level: 'warn' }),
    blocking: true,
  });
  try {
    return await deleteKeys(redis, [`${namespace}:*`, `${bullPrefix(namespace)}:*`]);
  } finally {
    await closeRedis(redis);
  }
}
