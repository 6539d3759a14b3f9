import { DelayedError, UnrecoverableError, Worker, type ConnectionOptions } from 'bullmq';
import { parseMessage, QUEUES, SmsJob } from '@khiw/contracts';
import type { Logger } from '@khiw/observability';
import type { SendSms } from './send-sms.usecase';
import { forgetRecipient } from './sent-sms-job';

export interface SendSmsWorkerOptions {
  connection: ConnectionOptions;
  prefix: string;
  sendSms: SendSms;
  /** Messages per second handed to the gateway (BullMQ limiter): the gateway's throughput. */
  ratePerSecond: number;
  concurrency: number;
  logger: Logger;
}

/**
 * The `sms` queue's worker: parses the job, runs SendSms, and turns its answer into BullMQ
 * terms. The limiter holds sends to the gateway's rate; a gateway that is down or throttling
 * pauses the whole queue (manual rate limit) without using up attempts.
 */
export function createSendSmsWorker(options: SendSmsWorkerOptions): Worker {
  const { connection, prefix, sendSms, ratePerSecond, concurrency, logger } = options;
  const worker: Worker = new Worker(
    QUEUES.sms,
    async (job, token) => {
      const parsed = parseMessage(SmsJob, job.data as object);
      if (!parsed.ok) throw new UnrecoverableError(`invalid sms job: ${parsed.reason}`);
      const finalAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      const outcome = await sendSms.execute({ job: parsed.value, finalAttempt });
      switch (outcome.action) {
        case 'done':
          return outcome.result;
        case 'retry':
          throw outcome.error;
        case 'fail':
          throw new UnrecoverableError(outcome.reason);
        case 'pause-queue':
          logger.warn(
            { jobId: job.id, pauseMs: outcome.forMs, reason: outcome.reason },
            'sms gateway unavailable; queue paused',
          );
          await worker.rateLimit(outcome.forMs);
          throw Worker.RateLimitError();
        case 'delay-until':
          await job.moveToDelayed(outcome.at.getTime(), token);
          throw new DelayedError();
      }
    },
    { connection, prefix, concurrency, limiter: { max: ratePerSecond, duration: 1000 }, autorun: false },
  );
  // Sent, or failed for good: the phone and text are no longer needed in Redis (sent-sms-job.ts).
  worker.on('completed', (job) => void forgetRecipient(job, logger));
  worker.on('failed', (job, err) => {
    if (err.name === 'RateLimitError' || err.name === 'DelayedError') return;
    logger.warn({ jobId: job?.id, attempt: job?.attemptsMade, err: err.message }, 'sms attempt failed');
    if (job)
      void job.isFailed().then(
        (final) => (final ? forgetRecipient(job, logger) : undefined),
        () => undefined,
      );
  });
  worker.on('error', (err) => logger.error({ err }, 'sms worker error'));
  return worker;
}
