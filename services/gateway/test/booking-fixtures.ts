import { Queue } from 'bullmq';
import { QUEUES, slotId } from '@khiw/contracts';
import { bullPrefix, campaignKey, type Redis } from '@khiw/redis';
import { citizenIdFrom, eventually, REDIS_URL } from '../../../test/support/env';
import { solveProofOfWork } from '../src/waiting-room/proof-of-work';
import { publishSnapshot } from './waiting-room-fixtures';

export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export const SITES = ['SKH', 'KTB'] as const;
export const GROUPS = ['elderly70', 'disabled'] as const;
export const DAY = '2021-08-02';

/**
 * What the booking worker publishes for a campaign, written here directly: the snapshot
 * (groups, sites) and the `slots` hash (field = site id). `day` varies the slot ids so two
 * campaigns can share site ids but not slots.
 */
export async function publishBookingCampaign(
  redis: Redis,
  namespace: string,
  campaignId: string,
  day = DAY,
): Promise<void> {
  await publishSnapshot(redis, namespace, campaignId, {
    groups: GROUPS.map((code) => ({ code, name: { th: code, en: code }, quota: 100, remaining: 100 })),
    sites: SITES.map((id) => ({ id, name: { th: id, en: id }, kind: 'hospital', remaining: 38 })),
  });
  const publishedAt = new Date().toISOString();
  const fields = SITES.flatMap((siteId) => [
    siteId,
    JSON.stringify({
      siteId,
      slots: ['09:00', '10:00'].map((time) => ({
        id: slotId(siteId, day, time),
        startsAt: `${day}T${time}:00+07:00`,
        capacity: 19,
        remaining: 19,
      })),
      publishedAt,
    }),
  ]);
  await redis.hset(campaignKey(namespace, campaignId, 'slots'), ...fields);
}

let sequence = 0;
/** A distinct, valid citizen ID per call (check digit computed). */
export function nextCitizenId(): string {
  sequence += 1;
  return citizenIdFrom(`3${String(Date.now() % 1e6).padStart(6, '0')}${String(sequence).padStart(5, '0')}`);
}

/** A valid form for one person at the first site's first slot. */
export function validBooking(overrides: Json = {}): Json {
  return {
    citizenId: nextCitizenId(),
    firstName: '  สมชาย ',
    lastName: 'ใจดี',
    birthDate: '1950-03-15',
    phone: '081-234-5678',
    groupCode: 'elderly70',
    siteId: 'SKH',
    slotId: slotId('SKH', DAY, '09:00'),
    ...overrides,
  };
}

/** BullMQ connection options (not a client) so that close() closes the connection too. */
export function bullConnection() {
  const url = new URL(REDIS_URL);
  return { host: url.hostname, port: Number(url.port || 6379) };
}

export function bookingQueue(namespace: string) {
  return new Queue(QUEUES.booking, { connection: bullConnection(), prefix: bullPrefix(namespace) });
}

/** Jobs in every state: the "nothing queued" check. */
export async function jobTotal(queue: Queue): Promise<number> {
  const counts = await queue.getJobCounts();
  return Object.values(counts).reduce((sum, n) => sum + n, 0);
}

export interface HttpAnswer {
  status: number;
  headers: Headers;
  body: Json;
}

export function client(base: () => string) {
  return async function call(
    method: string,
    path: string,
    options: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {},
  ): Promise<HttpAnswer> {
    const hasBody = options.body !== undefined || options.raw !== undefined;
    const response = await fetch(`${base()}${path}`, {
      method,
      headers: {
        ...(options.token && { authorization: `Bearer ${options.token}` }),
        ...(hasBody && { 'content-type': 'application/json' }),
        ...options.headers,
      },
      body: options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
    });
    const text = await response.text();
    let body: Json;
    try {
      body = text ? (JSON.parse(text) as Json) : {};
    } catch {
      body = { text };
    }
    return { status: response.status, headers: response.headers, body };
  };
}

/** Polls `GET /api/bookings/requests/:id` until the request is decided; returns that answer's body. */
export function decided(
  call: ReturnType<typeof client>,
  requestId: string,
  timeoutMs = 15_000,
): Promise<Json> {
  return eventually(
    async () => {
      const { body } = await call('GET', `/api/bookings/requests/${requestId}`);
      return body.status === 'pending' ? undefined : body;
    },
    timeoutMs,
    `request ${requestId} decided`,
    100,
  );
}

/**
 * Through the real waiting room: join (the gateway runs with proof-of-work off and a fast
 * outflow) and poll until admitted. Returns the access token.
 */
export async function admittedAccessToken(
  call: ReturnType<typeof client>,
  campaignId: string,
): Promise<string> {
  const { body: challenge } = await call('GET', `/api/campaigns/${campaignId}/queue/challenge`);
  const nonce = solveProofOfWork(challenge.challenge, challenge.difficulty);
  const joined = await call('POST', `/api/campaigns/${campaignId}/queue`, {
    body: { challenge: challenge.challenge, nonce },
  });
  if (joined.status !== 201) throw new Error(`join failed: ${joined.status} ${JSON.stringify(joined.body)}`);
  return eventually(
    async () => {
      const status = await call('GET', '/api/queue/status', { token: joined.body.ticket });
      return status.body.state === 'admitted' ? (status.body.accessToken as string) : undefined;
    },
    20_000,
    'admission',
  );
}
