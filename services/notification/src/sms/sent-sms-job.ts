import type { Job } from 'bullmq';
import type { Logger } from '@khiw/observability';

/**
 * What an `sms` job keeps once sent or failed for good: which message it was, not the phone
 * number or the text (the text names the site and time of someone's appointment). The message
 * row (notification.sms_messages) is the record; the sender reads the number from it, never from
 * the job, so nothing needs them after the last attempt.
 */
const KEPT = ['schemaVersion', 'smsId', 'bookingId', 'campaignId', 'kind', 'causedAt', 'dueAt'] as const;

export function sentSmsJob(data: unknown, now = new Date()): Record<string, unknown> {
  const out: Record<string, unknown> = { personRemovedAt: now.toISOString() };
  if (typeof data !== 'object' || data === null) return out;
  const fields = data as Record<string, unknown>;
  for (const key of KEPT) {
    if (typeof fields[key] === 'string' || typeof fields[key] === 'number') out[key] = fields[key];
  }
  return out;
}

export function isSentSmsJob(data: unknown): boolean {
  return typeof data === 'object' && data !== null && 'personRemovedAt' in data;
}

/** Replaces a finished job's data with its stripped copy; a job already removed is fine. */
export async function forgetRecipient(job: Job, logger: Logger): Promise<void> {
  try {
    if (isSentSmsJob(job.data)) return;
    await job.updateData(sentSmsJob(job.data));
  } catch (error) {
    if (/Missing key for job/.test((error as Error).message)) return;
    logger.warn({ jobId: job.id, err: error }, 'could not remove the recipient from a finished sms job');
  }
}
