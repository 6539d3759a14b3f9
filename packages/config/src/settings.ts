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

const millis = (fallback: number, min: number, max: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

/**
 * Every service's HTTP server timeouts (packages/observability listen()). Keep-alive outlives
 * the 60 s idle timeout of an AWS ALB or nginx in front, so the balancer closes first.
 */
const httpServer = {
  HTTP_KEEP_ALIVE_TIMEOUT_MS: millis(65_000, 1000, 600_000),
  /** First byte to last header of a request, and how long a new socket may stay silent. */
  HTTP_HEADERS_TIMEOUT_MS: millis(20_000, 1000, 600_000),
  /** First byte to last body byte: a registry import upload must fit (gateway and worker). */
  HTTP_REQUEST_TIMEOUT_MS: millis(300_000, 1000, 3_600_000),
  /**
   * Connections the kernel holds for the server before it accepts them (listen backlog;
   * capped by net.core.somaxconn). Node's 511 overflowed at 09:00: thousands of phones
   * connect within a second while the event loop is busy, and each connection refused
   * that way waits for the client's SYN retransmission (1, 3, 7, 15 s...).
   */
  HTTP_LISTEN_BACKLOG: z.coerce.number().int().min(1).max(65_535).default(4096),
};

export const settings = {
  port,
  httpServer,
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
