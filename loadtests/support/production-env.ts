import { randomBytes } from 'node:crypto';
import type { ServiceName } from '../../infra/local/services';
import { freePort } from '../../test/support/env';

// One per bench run, shared by all its processes as a deployment's are (the gateway sends the
// token to the booking worker; every gateway replica must turn a citizen into the same id).
const INTERNAL_API_TOKEN = randomBytes(24).toString('base64url');
const BOOKING_REQUEST_ID_SECRET = randomBytes(24).toString('base64url');

/**
 * The settings a service refuses to start without under NODE_ENV=production (its
 * src/config.ts), for a bench that starts it "like production" through spawnService: the
 * internal API token, and for the gateway its request-id secret and the separate port of
 * /metrics. The benches' smoke runs (./khiw test) fail as soon as this list falls behind.
 */
export async function productionEnv(name: ServiceName): Promise<Record<string, string>> {
  const env: Record<string, string> = { NODE_ENV: 'production', INTERNAL_API_TOKEN };
  if (name === 'gateway') {
    env.BOOKING_REQUEST_ID_SECRET = BOOKING_REQUEST_ID_SECRET;
    env.METRICS_PORT = String(await freePort());
  }
  return env;
}
