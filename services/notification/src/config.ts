import { z } from 'zod';
import { loadConfigOrExit, settings } from '@khiw/config';

export const NotificationConfig = z.object({
  NODE_ENV: settings.NODE_ENV,
  LOG_LEVEL: settings.LOG_LEVEL,
  KHIW_NAMESPACE: settings.KHIW_NAMESPACE,
  PORT: settings.port(8082),
  REDIS_URL: settings.REDIS_URL,
  DATABASE_URL: settings.DATABASE_URL,
  DATABASE_POOL_SIZE: settings.DATABASE_POOL_SIZE,
  KAFKA_BROKERS: settings.KAFKA_BROKERS,
  KAFKA_CLIENT_ID: settings.KAFKA_CLIENT_ID,
  SHUTDOWN_TIMEOUT_MS: settings.SHUTDOWN_TIMEOUT_MS,
  KANNEL_SENDSMS_URL: z.url().default('http://127.0.0.1:13013/cgi-bin/sendsms'),
  KANNEL_USERNAME: z.string().min(1).default('khiw'),
  KANNEL_PASSWORD: z.string().min(1).default('khiw'),
  /** Sender shown on the phone (alphanumeric, at most 11 characters). */
  SMS_SENDER: z.string().min(1).max(11).default('khiw'),
  /** Messages per second handed to the SMS gateway; match the gateway's own throughput. */
  SMS_RATE_PER_SECOND: z.coerce.number().int().min(1).max(10_000).default(50),
  SMS_CONCURRENCY: z.coerce.number().int().min(1).max(500).default(20),
  /** Base URL at which the SMS gateway reaches this service's delivery-report endpoint. */
  DLR_BASE_URL: z.url().default('http://127.0.0.1:8082'),
});
export type NotificationConfig = z.infer<typeof NotificationConfig>;

export const loadConfig = (env: Record<string, string | undefined> = process.env) =>
  loadConfigOrExit('notification', NotificationConfig, env);
