import type { Job } from 'bullmq';
import { maskString, type Logger } from '@khiw/observability';

/**
 * What a booking job keeps once decided: enough to say which request it was and where it
 * went, nothing of the person (no citizen ID, name, birth date, phone or province). The status
 * poll reads only the job's state and return value (the outcome), never its data.
 */
const KEPT = [
  'schemaVersion',
  'requestId',
  'campaignId',
  'siteId',
  'slotId',
  'channel',
  'submittedAt',
] as const;

export type DecidedBookingJob = Partial<Record<(typeof KEPT)[number], string | number>> & {
  personRemovedAt: string;
};

export function decidedBookingJob(data: unknown, now = new Date()): DecidedBookingJob {
  const out: DecidedBookingJob = { personRemovedAt: now.toISOString() };
  if (typeof data !== 'object' || data === null) return out;
  const fields = data as Record<string, unknown>;
  for (const key of KEPT) {
    const value = fields[key];
    // Masked anyway: a job that broke the contract may hold anything under these names.
    if (typeof value === 'string' && value.length <= 128) out[key] = maskString(value);
    else if (typeof value === 'number') out[key] = value;
  }
  return out;
}

export function isDecidedBookingJob(data: unknown): boolean {
  return typeof data === 'object' && data !== null && 'personRemovedAt' in data;
}

/**
 * Replaces a finished job's data with its stripped copy. Called after BullMQ moved the job to
 * completed, or to failed for good: a job that will be retried still needs the person. A job
 * already removed (by age or count) is fine; any other failure leaves the data until the job's
 * removal age and is logged.
 */
export async function forgetPerson(job: Job, logger: Logger): Promise<void> {
  try {
    if (isDecidedBookingJob(job.data)) return;
    await job.updateData(decidedBookingJob(job.data));
  } catch (error) {
    if (/Missing key for job/.test((error as Error).message)) return;
    logger.warn({ jobId: job.id, err: error }, 'could not remove the person from a decided booking job');
  }
}

/** Error text is stored in the job (failedReason, stacktrace): mask it as a log line would be. */
export function maskError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  error.message = maskString(error.message);
  if (error.stack) error.stack = maskString(error.stack);
  return error;
}
