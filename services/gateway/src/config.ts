import path from 'node:path';
import { createPrivateKey } from 'node:crypto';
import { z } from 'zod';
import { internalTokenInProduction, loadConfigOrExit, settings } from '@khiw/config';

const seconds = (fallback: number, max = 86_400) => z.coerce.number().int().min(1).max(max).default(fallback);

/** Development and test only: production must set its own (checked below). */
export const DEV_BOOKING_REQUEST_ID_SECRET = 'khiw-development-booking-request-id-secret';

const pem = z
  .string()
  .optional()
  .refine((value) => {
    if (!value) return true;
    try {
      createPrivateKey(value.replace(/\\n/g, '\n'));
      return true;
    } catch {
      return false;
    }
  }, 'must be a PEM private key (EC P-256 for ES256 or RSA >= 2048 for RS256)');

export const GatewayConfig = z
  .object({
    NODE_ENV: settings.NODE_ENV,
    LOG_LEVEL: settings.LOG_LEVEL,
    KHIW_NAMESPACE: settings.KHIW_NAMESPACE,
    KHIW_VERSION: settings.KHIW_VERSION,
    PORT: settings.port(8080),
    REDIS_URL: settings.REDIS_URL,
    SHUTDOWN_TIMEOUT_MS: settings.SHUTDOWN_TIMEOUT_MS,
    ...settings.httpServer,
    /**
     * When set, `/metrics` is served only on this port (bound to METRICS_HOST), never on the
     * public PORT. Required in production; unset in development and tests: on PORT as before.
     */
    METRICS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
    /** The internal interface for METRICS_PORT (0.0.0.0 inside a container network). */
    METRICS_HOST: z.string().min(1).default('127.0.0.1'),
    /**
     * Partner origins allowed to call the API from a browser (comma-separated, exact
     * `https://host[:port]`). Empty: closed, no Access-Control-Allow-Origin for anyone.
     */
    CORS_ALLOWED_ORIGINS: z
      .string()
      .default('')
      .transform((v) =>
        v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      )
      .refine(
        (list) => list.every((o) => /^https?:\/\/[^/\s*]+$/.test(o)),
        'comma-separated origins like https://partner.example (scheme and host, no path, no *)',
      ),
    /** Public base URL printed in links (the ingress address in production). */
    PUBLIC_BASE_URL: z.url().default('http://127.0.0.1:8080'),

    /** The key that signs tickets, access and ops tokens (PEM; `\n` escapes allowed). */
    GATEWAY_SIGNING_KEY: pem,
    /** Or a file holding it (a mounted secret). */
    GATEWAY_SIGNING_KEY_FILE: z.string().optional(),
    GATEWAY_SIGNING_KEY_ID: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/)
      .default('khiw-1'),
    /** During a rotation: the previous public key (PEM) and its id, still accepted. */
    GATEWAY_PREVIOUS_PUBLIC_KEY: z.string().optional(),
    GATEWAY_PREVIOUS_KEY_ID: z.string().optional(),
    /** Development only: where the generated key is kept so the mint-token CLI shares it. */
    GATEWAY_DEV_KEY_FILE: z
      .string()
      .default(path.resolve(__dirname, '../../../.local/gateway-dev-signing-key.pem')),

    WAITING_ROOM_OUTFLOW_PER_MINUTE: z.coerce.number().int().min(0).default(600),
    WAITING_ROOM_MAX_ACTIVE: z.coerce.number().int().min(0).default(1000),
    WAITING_ROOM_POW_DIFFICULTY: z.coerce.number().int().min(0).max(32).default(12),
    WAITING_ROOM_CLAIM_WINDOW_SECONDS: seconds(120),
    WAITING_ROOM_ACCESS_TTL_SECONDS: seconds(600),
    /**
     * After a booking, the active place is held only this long for the next family member's
     * booking (each booking re-arms it), not for the rest of the access token's life. Initial
     * setting of a new room; ops change it live (familyGraceSeconds).
     */
    WAITING_ROOM_FAMILY_GRACE_SECONDS: z.coerce.number().int().min(0).max(3600).default(120),
    WAITING_ROOM_TICKET_TTL_SECONDS: seconds(3600),
    WAITING_ROOM_ABANDON_AFTER_SECONDS: seconds(180),
    WAITING_ROOM_MAX_BOOKINGS: z.coerce.number().int().min(1).max(20).default(5),
    WAITING_ROOM_TICK_MS: z.coerce.number().int().min(100).max(60_000).default(1000),
    /**
     * Event-loop lag (ms) past which new arrivals (challenge, join) are answered 503 with
     * Retry-After at once, and status polls past twice it (http/load-shedding.ts). 0: never,
     * the default: on a machine whose cores the whole path shares, the retries cost more than
     * the queueing they spare (docs/operations.md has the measurements).
     */
    GATEWAY_MAX_EVENT_LOOP_LAG_MS: z.coerce.number().int().min(0).max(10_000).default(0),
    /** Off only for tests that drive admission steps themselves. */
    WAITING_ROOM_ADMISSION_LOOP: settings.booleanFlag(true),
    /**
     * Per network (IPv4 address, IPv6 /64) and replica, sized for carrier-grade NAT; the
     * proof-of-work is the price of a place (docs/waiting-room.md §7 for the figures).
     * Join requests a minute; 0 turns all three per-network limits off.
     */
    WAITING_ROOM_JOINS_PER_NETWORK_PER_MINUTE: z.coerce.number().int().min(0).default(6000),
    /** Challenges fetched and not (yet) redeemed by a join with a new place; 0 = unlimited. */
    WAITING_ROOM_UNREDEEMED_CHALLENGES_PER_NETWORK_PER_MINUTE: z.coerce.number().int().min(0).default(1200),
    /** Joins with a wrong proof-of-work or a spent/expired challenge; past it, 429 for a while. */
    WAITING_ROOM_FAILED_JOINS_PER_NETWORK_PER_MINUTE: z.coerce.number().int().min(0).default(600),

    /**
     * Keys the HMAC that turns a citizen ID into the booking request id (campaign + hash), so
     * a double submit is the same job and the id reveals nothing. Changing it during a
     * campaign breaks idempotency of requests already queued: set it once per deployment.
     */
    BOOKING_REQUEST_ID_SECRET: z.string().min(16).default(DEV_BOOKING_REQUEST_ID_SECRET),
    /** What residents are told to wait between polls of a pending request. */
    BOOKING_POLL_AFTER_SECONDS: seconds(2, 60),
    /** The booking worker's internal HTTP API (self-service, ops, standby state). */
    BOOKING_API_URL: z.url().default('http://127.0.0.1:8081'),
    BOOKING_API_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(3000),
    /** Loading a campaign file creates every slot: give it longer. */
    BOOKING_API_ADMIN_TIMEOUT_MS: z.coerce.number().int().min(100).max(300_000).default(30_000),
    /** The roster service's internal HTTP API (look-up, staff lists, check-in, exports). */
    ROSTER_API_URL: z.url().default('http://127.0.0.1:8083'),
    ROSTER_API_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(3000),
    /** A national-registry import streams a large file through: give it long. */
    REGISTRY_IMPORT_TIMEOUT_MS: z.coerce.number().int().min(1000).max(3_600_000).default(900_000),
    /** Sent in x-khiw-internal-token when set; the worker then refuses calls without it. */
    INTERNAL_API_TOKEN: z.string().min(16).optional(),
    /** Self-service (lookup, cancel, reschedule) per citizen ID: stops birth-date guessing. */
    SELF_SERVICE_PER_CITIZEN_PER_MINUTE: z.coerce.number().int().min(0).default(10),
    /** Per network address: generous, thousands of residents share one carrier-grade NAT. */
    SELF_SERVICE_PER_NETWORK_PER_MINUTE: z.coerce.number().int().min(0).default(120),
    /** Bookings one call-centre agent or counter clerk may enter a minute (0: no limit). */
    AGENT_BOOKINGS_PER_MINUTE: z.coerce.number().int().min(0).default(20),
    /**
     * Partner apps and stores (src/partners/partner-registry.ts): a JSON list, or a file of one
     * that is read again when it changes (key rotation without a restart). Keys are hashes or
     * public keys: neither is a secret.
     */
    PARTNERS: z.string().optional(),
    PARTNERS_FILE: z.string().optional(),
    PARTNER_TOKEN_TTL_SECONDS: seconds(300, 3600),
    /** Joins and bookings one partner may send a minute (0: no limit); status polls are not counted. */
    PARTNER_REQUESTS_PER_MINUTE: z.coerce.number().int().min(0).default(6000),
    /**
     * Token requests one network may send a minute (0: no limit): a partner asks every few
     * minutes, someone guessing keys asks all the time.
     */
    PARTNER_TOKEN_PER_NETWORK_PER_MINUTE: z.coerce.number().int().min(0).default(60),
  })
  .superRefine((config, ctx) => {
    internalTokenInProduction(config, ctx);
    if (config.NODE_ENV === 'production' && !config.GATEWAY_SIGNING_KEY && !config.GATEWAY_SIGNING_KEY_FILE) {
      ctx.addIssue({
        code: 'custom',
        path: ['GATEWAY_SIGNING_KEY'],
        message: 'required in production (or GATEWAY_SIGNING_KEY_FILE)',
      });
    }
    if (
      config.NODE_ENV === 'production' &&
      config.BOOKING_REQUEST_ID_SECRET === DEV_BOOKING_REQUEST_ID_SECRET
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['BOOKING_REQUEST_ID_SECRET'],
        message: 'required in production (a random secret of at least 16 characters)',
      });
    }
    if (config.NODE_ENV === 'production' && config.METRICS_PORT === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['METRICS_PORT'],
        message: 'required in production: /metrics is not served on the public port',
      });
    }
    if (config.METRICS_PORT !== undefined && config.METRICS_PORT === config.PORT) {
      ctx.addIssue({ code: 'custom', path: ['METRICS_PORT'], message: 'must differ from PORT' });
    }
    if (Boolean(config.GATEWAY_PREVIOUS_PUBLIC_KEY) !== Boolean(config.GATEWAY_PREVIOUS_KEY_ID)) {
      ctx.addIssue({
        code: 'custom',
        path: ['GATEWAY_PREVIOUS_KEY_ID'],
        message: 'GATEWAY_PREVIOUS_PUBLIC_KEY and GATEWAY_PREVIOUS_KEY_ID go together',
      });
    }
  });
export type GatewayConfig = z.infer<typeof GatewayConfig>;

export const loadConfig = (env: Record<string, string | undefined> = process.env) =>
  loadConfigOrExit('gateway', GatewayConfig, env);
