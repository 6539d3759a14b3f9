import { randomUUID } from 'node:crypto';
import type { Job, JobsOptions, Queue } from 'bullmq';
import {
  BookingOutcome,
  BookingRequestJob,
  bookingRequestId,
  RETRYABLE_REJECTIONS,
  type Channel,
} from '@khiw/contracts';
import { KhiwError } from '@khiw/errors';
import { campaignKey, type Redis } from '@khiw/redis';
import type { AccessGrants } from '../waiting-room/access-grants';
import type { AccessClaims } from '../waiting-room/tokens/queue-tokens';
import type { BookingInput } from './booking-input';
import { citizenHash } from './citizen-hash';

const HOUR = 3600;

/**
 * Retries for what the worker may fix by trying again (database failover, a deadlock).
 * Once decided, the worker strips the person from the job (decided-job.ts) and the job only
 * answers the status poll: the resident's page polls every few seconds, so an hour covers a
 * page left open, a reload or a lost connection. Later, the look-up (roster) answers, and a
 * resubmit makes a new job that the worker answers from the database (same request id, same
 * booking). The count bounds Redis in a surge (a stripped job is under 1 KB) without evicting
 * an answer minutes old. Failed jobs stay a day for whoever investigates, stripped too.
 */
export const BOOKING_JOB_OPTIONS: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: HOUR, count: 100_000 },
  removeOnFail: { age: 24 * HOUR, count: 10_000 },
};

// Compare-and-delete: only the holder releases the per-person lock.
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

export interface SubmitResult {
  requestId: string;
  /** false: the same person's request was already queued (or done) and is answered again. */
  created: boolean;
}

export interface SubmitBookingCommand {
  /** The verified access token: its campaign, queue place and grant. */
  claims: AccessClaims;
  input: BookingInput;
  /** A partner app booking for its admitted user: channel `app`, `partner:<id>` (issue 11). */
  origin?: { channel: 'app'; enteredBy: string };
}

/** A booking entered for the person by someone else, outside the waiting room (issue 11). */
export interface SubmitAssistedCommand {
  campaignId: string;
  input: BookingInput;
  channel: Exclude<Channel, 'web'>;
  /** `agent:<id>`, `organisation:<id>`, `partner:<id>`. */
  enteredBy: string;
}

/**
 * Queues one person's booking request: one BullMQ job per person and campaign, whatever
 * the number of submits. Submits of one person are serialised by a short Redis lock, so
 * of 20 at once exactly one decides (new job, same job, or a retry after a retryable
 * rejection) and the others then see its result. A family's access grant is spent once
 * per person: a double submit or a retry with another slot costs no family member's place.
 * When the lock stays held past the wait: SUBMIT_BUSY (a 503 to retry in a moment).
 */
export class SubmitBooking {
  constructor(
    private readonly deps: {
      redis: Redis;
      namespace: string;
      queue: Queue;
      grants: AccessGrants;
      secret: string;
      lockMs?: number;
      waitMs?: number;
    },
  ) {}

  async execute({ claims, input, origin }: SubmitBookingCommand): Promise<SubmitResult> {
    return this.submit(claims.campaignId, input, origin ?? { channel: 'web' }, (hash) =>
      this.spendGrant(claims, hash),
    );
  }

  /** The same job, lock and idempotency as a resident's submit; no waiting-room grant to spend. */
  async executeAssisted({
    campaignId,
    input,
    channel,
    enteredBy,
  }: SubmitAssistedCommand): Promise<SubmitResult> {
    return this.submit(campaignId, input, { channel, enteredBy }, async () => {});
  }

  private async submit(
    campaignId: string,
    input: BookingInput,
    origin: Pick<BookingRequestJob, 'channel' | 'enteredBy'>,
    spend: (hash: string) => Promise<void>,
  ): Promise<SubmitResult> {
    const hash = citizenHash(this.deps.secret, input.citizenId);
    const lock = campaignKey(this.deps.namespace, campaignId, `submit-lock:${hash}`);
    const deadline = Date.now() + (this.deps.waitMs ?? 5000);
    for (;;) {
      const owner = randomUUID();
      if (await this.deps.redis.set(lock, owner, 'PX', this.deps.lockMs ?? 10_000, 'NX')) {
        try {
          return await this.submitLocked(campaignId, input, hash, origin, spend);
        } finally {
          await this.deps.redis.eval(RELEASE, 1, lock, owner);
        }
      }
      if (Date.now() > deadline)
        throw new KhiwError('SUBMIT_BUSY', 'another submit of this person is in progress');
      await new Promise((resolve) => setTimeout(resolve, 15 + Math.random() * 35));
    }
  }

  private async submitLocked(
    campaignId: string,
    input: BookingInput,
    hash: string,
    origin: Pick<BookingRequestJob, 'channel' | 'enteredBy'>,
    spend: (hash: string) => Promise<void>,
  ): Promise<SubmitResult> {
    const { queue } = this.deps;
    const requestId = bookingRequestId(campaignId, hash);
    const existing = await queue.getJob(requestId);
    if (existing) {
      if (!(await mayReplace(existing))) return { requestId, created: false };
      // Done with a rejection the person can fix (another slot, say): the new request
      // takes the same id, so polling and idempotency keep working.
      await existing.remove();
    }
    const data = BookingRequestJob.parse({
      schemaVersion: 1,
      requestId,
      campaignId,
      citizenId: input.citizenId,
      firstName: input.firstName,
      lastName: input.lastName,
      birthDate: input.birthDate,
      phone: input.phone,
      groupCode: input.groupCode,
      siteId: input.siteId,
      slotId: input.slotId,
      ...(input.provinceCode && { provinceCode: input.provinceCode }),
      ...origin,
      ...(input.language && { language: input.language }),
      submittedAt: new Date().toISOString(),
    } satisfies BookingRequestJob);
    await spend(hash);
    await queue.add('request', data, { ...BOOKING_JOB_OPTIONS, jobId: requestId });
    return { requestId, created: true };
  }

  /** One booking of the grant per person this access token has submitted. */
  private async spendGrant(claims: AccessClaims, hash: string): Promise<void> {
    const { redis, namespace, grants } = this.deps;
    const people = campaignKey(namespace, claims.campaignId, `grant-people:${claims.queueNumber}`);
    const [[, added] = [null, 0]] =
      (await redis
        .multi()
        .sadd(people, hash)
        .expireat(people, claims.expiresAt + 24 * HOUR)
        .exec()) ?? [];
    if (Number(added) !== 1) return;
    try {
      await grants.use(claims);
    } catch (error) {
      await redis.srem(people, hash);
      throw error;
    }
  }
}

/** Whether a finished request may be replaced by the same person's new one. */
async function mayReplace(job: Job): Promise<boolean> {
  const state = await job.getState();
  // 'failed' is final in BullMQ (retries wait as 'delayed'): the worker gave up, PROCESSING_FAILED.
  if (state === 'failed' || state === 'unknown') return true;
  if (state !== 'completed') return false;
  const outcome = BookingOutcome.safeParse(job.returnvalue);
  return (
    outcome.success && outcome.data.status === 'rejected' && RETRYABLE_REJECTIONS.has(outcome.data.reason)
  );
}
