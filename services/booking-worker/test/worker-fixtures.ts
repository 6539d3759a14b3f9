import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect } from '@jest/globals';
import { Job, Queue } from 'bullmq';
import {
  QUEUES,
  slotId,
  type BookingOutcome,
  type BookingRequestJob,
  INTERNAL_TOKEN_HEADER,
} from '@khiw/contracts';
import type { PrismaClient } from '@khiw/db';
import { bullPrefix } from '@khiw/redis';
import {
  randomCitizenId,
  randomMobile,
  REDIS_URL,
  sampleCampaign,
  uniqueNamespace,
} from '../../../test/support/env';
import { eventually } from '../../../infra/local/eventually';
import { startService, type RunningService } from '../../../test/support/services';

export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * Helpers for tests that drive a REAL booking-worker process: tiny campaigns loaded through
 * its /internal API, booking jobs added to its BullMQ queue with the real contract, and the
 * database read directly to check counters, standby places and outbox rows.
 */

export const DAY = '2021-08-02';
/** The sample campaign's first two sites. */
export const SKH = 'SKH';
export const KTB = 'KTB';
export const ADULT = '1960-05-01';

export const slot = (site: string, time = '09:00') => slotId(site, DAY, time);
export const g1At = (site: string, time?: string) => ({
  groupCode: 'g1',
  siteId: site,
  slotId: slot(site, time),
});
export const g2At = (site: string, time?: string) => ({
  groupCode: 'g2',
  siteId: site,
  slotId: slot(site, time),
});

/**
 * A small copy of the sample campaign (same eligibility: province 74, 18+, registry
 * excluded) under its own id: two groups, the first two sample sites (or `sites`), one day.
 */
export function tinyCampaign(
  id: string,
  options: {
    totalDoses?: number;
    standbySize?: number;
    quotas?: [number, number];
    sites?: string[];
    times?: string[];
    capacity?: number;
  } = {},
): Json {
  const sample = sampleCampaign(id) as Json;
  const [q1, q2] = options.quotas ?? [2, 2];
  const siteIds = options.sites ?? [SKH, KTB];
  return {
    ...sample,
    totalDoses: options.totalDoses ?? 4,
    standbySize: options.standbySize ?? 3,
    groups: [
      { code: 'g1', name: { th: 'กลุ่มหนึ่ง', en: 'Group one' }, quota: q1 },
      { code: 'g2', name: { th: 'กลุ่มสอง', en: 'Group two' }, quota: q2 },
    ],
    sites: (sample.sites as Json[]).filter((s) => siteIds.includes(s.id as string)),
    slotGrid: {
      firstDay: DAY,
      days: 1,
      times: options.times ?? ['09:00'],
      capacityPerSlotPerSite: options.capacity ?? 2,
    },
  };
}

export function newCampaignId(label: string): string {
  return `t-${label}-${randomBytes(3).toString('hex')}`;
}

export interface Person {
  citizenId: string;
  birthDate: string;
  firstName: string;
  lastName: string;
  phone: string;
}

export function person(overrides: Partial<Person> = {}): Person {
  return {
    citizenId: randomCitizenId(),
    birthDate: ADULT,
    firstName: 'สมชาย',
    lastName: 'ใจดี',
    phone: randomMobile(),
    ...overrides,
  };
}

/** A request id shaped like the gateway's (`campaignId.hash`). */
export function requestIdFor(campaignId: string): string {
  return `${campaignId}.${randomBytes(16).toString('base64url')}`;
}

export const identity = (who: Person) => ({ citizenId: who.citizenId, birthDate: who.birthDate });

export function bookingJob(
  campaignId: string,
  who: Person,
  choice: { groupCode: string; siteId: string; slotId: string; provinceCode?: string | null },
  requestId = requestIdFor(campaignId),
): BookingRequestJob {
  const job: BookingRequestJob = {
    schemaVersion: 1,
    requestId,
    campaignId,
    ...who,
    groupCode: choice.groupCode,
    siteId: choice.siteId,
    slotId: choice.slotId,
    channel: 'web',
    language: 'th',
    submittedAt: new Date().toISOString(),
  };
  // null = leave the province out; undefined = the campaign's own (74).
  if (choice.provinceCode !== null) job.provinceCode = choice.provinceCode ?? '74';
  return job;
}

export function bullConnection() {
  const url = new URL(REDIS_URL);
  return { host: url.hostname, port: Number(url.port || 6379) };
}

export function bookingQueue(namespace: string): Queue {
  return new Queue(QUEUES.booking, { connection: bullConnection(), prefix: bullPrefix(namespace) });
}

/** Waits for the job's outcome (its return value); a failed job is an error. */
export async function outcomeOf(queue: Queue, jobId: string, timeoutMs = 30_000): Promise<BookingOutcome> {
  const done = await eventually(
    async () => {
      const state = await queue.getJobState(jobId);
      if (state !== 'completed' && state !== 'failed') return undefined;
      // Read after its state: a job read first may complete in between without its return value.
      const job = await Job.fromId(queue, jobId);
      return { state, job };
    },
    timeoutMs,
    `job ${jobId} to finish`,
    50,
  );
  if (done.state === 'failed') throw new Error(`job ${jobId} failed: ${done.job?.failedReason}`);
  return done.job!.returnvalue as BookingOutcome;
}

/** Adds the job (job id = request id, as the gateway does) and waits for its outcome. */
export async function book(queue: Queue, job: BookingRequestJob): Promise<BookingOutcome> {
  await queue.add('booking', job, { jobId: job.requestId, removeOnFail: false });
  return outcomeOf(queue, job.requestId);
}

export interface HttpAnswer {
  status: number;
  body: Json;
}

export function workerClient(base: () => string, token?: string) {
  return async (method: string, path: string, body?: unknown): Promise<HttpAnswer> => {
    const response = await fetch(`${base()}${path}`, {
      method,
      headers: {
        ...(body !== undefined && { 'content-type': 'application/json' }),
        ...(token && { [INTERNAL_TOKEN_HEADER]: token }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Json) : {} };
  };
}

export interface CampaignState {
  state: string;
  bookedDoses: number;
  standbyCount: number;
  groups: Record<string, { quota: number; booked: number }>;
  slots: Record<string, number>;
}

/** The campaign's counters, read from PostgreSQL. */
export async function campaignState(prisma: PrismaClient, campaignId: string): Promise<CampaignState> {
  const [campaign] = await prisma.$queryRaw<{ state: string; booked_doses: number; standby_count: number }[]>`
    SELECT state, booked_doses, standby_count FROM booking.campaigns WHERE id = ${campaignId}`;
  const groups = await prisma.$queryRaw<{ code: string; quota: number; booked: number }[]>`
    SELECT code, quota, booked FROM booking.priority_groups WHERE campaign_id = ${campaignId}`;
  const slots = await prisma.$queryRaw<{ id: string; booked: number }[]>`
    SELECT id, booked FROM booking.slots WHERE campaign_id = ${campaignId}`;
  return {
    state: campaign!.state,
    bookedDoses: campaign!.booked_doses,
    standbyCount: campaign!.standby_count,
    groups: Object.fromEntries(groups.map((g) => [g.code, { quota: g.quota, booked: g.booked }])),
    slots: Object.fromEntries(slots.map((s) => [s.id, s.booked])),
  };
}

/**
 * Every counter equals what the rows say (confirmed bookings per slot, group and campaign;
 * waiting standby entries) and none is over its capacity: DESIGN.md invariant 1.
 */
export async function expectCountersMatchRows(prisma: PrismaClient, campaignId: string): Promise<void> {
  const [mismatch] = await prisma.$queryRaw<{ n: number }[]>`
    SELECT (
      (SELECT count(*) FROM booking.slots sl WHERE sl.campaign_id = ${campaignId} AND (sl.booked > sl.capacity
        OR sl.booked <> (SELECT count(*) FROM booking.bookings b
                         WHERE b.campaign_id = sl.campaign_id AND b.slot_id = sl.id AND b.status = 'confirmed')))
      + (SELECT count(*) FROM booking.priority_groups g WHERE g.campaign_id = ${campaignId} AND (g.booked > g.quota
        OR g.booked <> (SELECT count(*) FROM booking.bookings b
                        WHERE b.campaign_id = g.campaign_id AND b.group_code = g.code AND b.status = 'confirmed')))
      + (SELECT count(*) FROM booking.campaigns c WHERE c.id = ${campaignId} AND (c.booked_doses > c.total_doses
        OR c.booked_doses <> (SELECT count(*) FROM booking.bookings b
                              WHERE b.campaign_id = c.id AND b.status = 'confirmed')
        OR c.standby_count <> (SELECT count(*) FROM booking.standby_entries s
                               WHERE s.campaign_id = c.id AND s.status = 'waiting')))
    )::int AS n`;
  if (mismatch!.n !== 0) {
    throw new Error(
      `counters of ${campaignId} do not match the rows: ${JSON.stringify(await campaignState(prisma, campaignId))}`,
    );
  }
}

export interface OutboxRow {
  type: string;
  key: string;
  payload: Json;
  created_at: Date;
}

/** The outbox rows of a campaign, oldest first. */
export async function outboxOf(prisma: PrismaClient, campaignId: string): Promise<OutboxRow[]> {
  return prisma.$queryRaw<OutboxRow[]>`
    SELECT type, key, payload, created_at FROM booking.outbox_events
    WHERE payload->>'campaignId' = ${campaignId} ORDER BY seq`;
}

export interface BookingRow {
  id: string;
  request_id: string;
  citizen_id: string;
  status: string;
  group_code: string;
  site_id: string;
  slot_id: string;
  standby_id: string | null;
  cancelled_at: Date | null;
  cancelled_by: string | null;
  created_at: Date;
}

export async function bookingsOf(prisma: PrismaClient, campaignId: string): Promise<BookingRow[]> {
  return prisma.$queryRaw<BookingRow[]>`
    SELECT id::text, request_id, citizen_id, status, group_code, site_id, slot_id, standby_id::text,
      cancelled_at, cancelled_by, created_at
    FROM booking.bookings WHERE campaign_id = ${campaignId} ORDER BY created_at, id`;
}

export interface StandbyRow {
  id: string;
  position: number;
  request_id: string;
  citizen_id: string;
  status: string;
  group_code: string;
  site_id: string;
  booking_id: string | null;
}

export async function standbyOf(prisma: PrismaClient, campaignId: string): Promise<StandbyRow[]> {
  return prisma.$queryRaw<StandbyRow[]>`
    SELECT id::text, position, request_id, citizen_id, status, group_code, site_id, booking_id::text
    FROM booking.standby_entries WHERE campaign_id = ${campaignId} ORDER BY position`;
}

export const INTERNAL_TOKEN = 'internal-token-for-worker-tests-42';

export interface WorkerUnderTest {
  /** The worker's booking queue (set once the worker is up). */
  readonly queue: Queue;
  readonly base: () => string;
  /** Calls the worker's /internal API with the internal token. */
  readonly call: ReturnType<typeof workerClient>;
  /** Loads a campaign through the API (which publishes its snapshot). */
  loadCampaign(file: Json): Promise<void>;
}

/**
 * A real booking-worker process (BullMQ consumer + /internal API) for the tests of one file,
 * in its own namespace: started before them, stopped after them, and required to exit
 * cleanly and never to have refused a campaign snapshot that breaks its contract.
 */
export function useBookingWorker(label: string): WorkerUnderTest {
  const namespace = uniqueNamespace(label);
  let worker: RunningService | undefined;
  let queue: Queue | undefined;
  let base = '';
  const call = workerClient(() => base, INTERNAL_TOKEN);

  beforeAll(async () => {
    queue = bookingQueue(namespace);
    worker = await startService('booking-worker', namespace, {
      INTERNAL_API_TOKEN: INTERNAL_TOKEN,
      // The outbox table is shared by every test run on this database: a relay here would
      // publish other runs' rows to this namespace's topics. The rows are checked in SQL instead.
      OUTBOX_RELAY_ENABLED: 'false',
      SNAPSHOT_INTERVAL_MS: '100',
      DATABASE_POOL_SIZE: '5',
    });
    base = `http://127.0.0.1:${worker.port}`;
  });

  afterAll(async () => {
    const code = await worker?.stop();
    await queue?.obliterate({ force: true }).catch(() => undefined);
    await queue?.close();
    expect(worker?.output() ?? '').not.toMatch(/breaks its contract/);
    expect(code).toBe(0);
  });

  return {
    get queue() {
      if (!queue) throw new Error('the booking worker is not started yet');
      return queue;
    },
    base: () => base,
    call,
    async loadCampaign(file) {
      const answer = await call('PUT', `/internal/campaigns/${file.id}`, file);
      expect(answer.status).toBe(200);
    },
  };
}
