import { z } from 'zod';

/**
 * Settings shared by several services, as zod fields keyed by environment variable. A
 * service's own `src/config.ts` picks the ones it needs and adds its own. Defaults are the
 * local machine's (infra/local); production sets every one explicitly.
 */

const port = (fallback: number) => z.coerce.number().int().min(1).max(65535).default(fallback);

const urlWithScheme = (schemes: string[], fallback: string) =>
  z
    .string()
    .default(fallback)
    .refine(
      (value) => {
        try {
          return schemes.includes(new URL(value).protocol.replace(':', ''));
        } catch {
          return false;
        }
      },
      `must be a URL with scheme ${schemes.join(' or ')}`,
    );

const booleanFlag = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0'])
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1');

export const settings = {
  port,
  booleanFlag,
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Prefix for queues, topics and consumer groups, so tests can share one Redis and one broker. */
  KHIW_NAMESPACE: z
    .string()
    .regex(/^[a-z0-9-]*$/, 'only lower-case letters, digits and dashes')
    .max(40)
    .default(''),
  REDIS_URL: urlWithScheme(['redis', 'rediss'], 'redis://127.0.0.1:6379'),
  DATABASE_URL: urlWithScheme(['postgresql', 'postgres'], 'postgresql://postgres@127.0.0.1:5432/khiw'),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  KAFKA_BROKERS: z
    .string()
    .default('127.0.0.1:9092')
    .transform((v) => v.split(',').map((s) => s.trim()))
    .refine((list) => list.every((b) => /^[^:\s]+:\d+$/.test(b)), 'comma-separated host:port list'),
  KAFKA_CLIENT_ID: z.string().min(1).optional(),
  /** The release shown by the ops console for each replica; unset: the service's package.json version. */
  KHIW_VERSION: z
    .string()
    .regex(/^[A-Za-z0-9._+-]{1,64}$/, 'letters, digits and . _ + - (at most 64)')
    .optional(),
  /** How long SIGTERM may take to finish in-flight work before the process exits anyway. */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(25_000),
};
