import { z } from 'zod';
import { loadConfigOrExit, settings } from '@khiw/config';

export const NotificationConfig = z.object({
  NODE_ENV: settings.NODE_ENV,
  LOG_LEVEL: settings.LOG_LEVEL,
  KHIW_NAMESPACE: settings.KHIW_NAMESPACE,
  KHIW_VERSION: settings.KHIW_VERSION,
  PORT: settings.port(8082),
  REDIS_URL: settings.REDIS_URL,
  DATABASE_URL: settings.DATABASE_URL,
  DATABASE_POOL_SIZE: settings.DATABASE_POOL_SIZE,
  KAFKA_BROKERS: settings.KAFKA_BROKERS,
  KAFKA_CLIENT_ID: settings.KAFKA_CLIENT_ID,
  SHUTDOWN_TIMEOUT_MS: settings.SHUTDOWN_TIMEOUT_MS,
  ...settings.httpServer,
  /** The SMS gateway adapter; only Kannel today (see src/sms/sms.provider.ts to add one). */
  SMS_PROVIDER: z.enum(['kannel']).default('kannel'),
  KANNEL_SENDSMS_URL: z.url().default('http://127.0.0.1:13013/cgi-bin/sendsms'),
  KANNEL_USERNAME: z.string().min(1).default('khiw'),
  KANNEL_PASSWORD: z.string().min(1).default('khiw'),
  KANNEL_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  /** Sender shown on the phone (alphanumeric, at most 11 characters). */
  SMS_SENDER: z.string().min(1).max(11).default('khiw'),
  /**
   * Messages per second handed to the SMS gateway. Kannel's `throughput` counts parts, and a
   * Thai confirmation is two: set this to the gateway's throughput divided by 2.
   */
  SMS_RATE_PER_SECOND: z.coerce.number().int().min(1).max(10_000).default(50),
  SMS_CONCURRENCY: z.coerce.number().int().min(1).max(500).default(20),
  /** Attempts per message for failures of that message (gateway outages do not use them up). */
  SMS_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(10),
  /** First retry delay; doubled each attempt, with ±50 % jitter. */
  SMS_BACKOFF_MS: z.coerce.number().int().min(10).default(1000),
  /** Queue pause when the gateway is down or throttling, doubled while it lasts, up to the max. */
  SMS_GATEWAY_PAUSE_MS: z.coerce.number().int().min(10).default(500),
  SMS_GATEWAY_MAX_PAUSE_MS: z.coerce.number().int().min(10).default(5000),
  /** A send whose answer was lost (crash, timeout) is repeated after this long without a delivery report. */
  SMS_IN_DOUBT_AFTER_MS: z.coerce.number().int().min(1000).default(60_000),
  /** Used when a campaign's snapshot does not say. */
  SMS_DEFAULT_REMINDER_HOURS: z.coerce.number().int().min(0).default(24),
  SMS_DEFAULT_LANGUAGE: z.enum(['th', 'en', 'my']).default('th'),
  /** Base URL at which the SMS gateway reaches this service's delivery-report endpoint. */
  DLR_BASE_URL: z.url().default('http://127.0.0.1:8082'),
});
export type NotificationConfig = z.infer<typeof NotificationConfig>;

export const loadConfig = (env: Record<string, string | undefined> = process.env) =>
  loadConfigOrExit('notification', NotificationConfig, env);
