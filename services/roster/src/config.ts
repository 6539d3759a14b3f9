import { z } from 'zod';
import { loadConfigOrExit, settings } from '@khiw/config';

export const RosterConfig = z.object({
  NODE_ENV: settings.NODE_ENV,
  LOG_LEVEL: settings.LOG_LEVEL,
  KHIW_NAMESPACE: settings.KHIW_NAMESPACE,
  PORT: settings.port(8083),
  DATABASE_URL: settings.DATABASE_URL,
  DATABASE_POOL_SIZE: settings.DATABASE_POOL_SIZE,
  KAFKA_BROKERS: settings.KAFKA_BROKERS,
  KAFKA_CLIENT_ID: settings.KAFKA_CLIENT_ID,
  SHUTDOWN_TIMEOUT_MS: settings.SHUTDOWN_TIMEOUT_MS,
});
export type RosterConfig = z.infer<typeof RosterConfig>;

export const loadConfig = (env: Record<string, string | undefined> = process.env) =>
  loadConfigOrExit('roster', RosterConfig, env);
