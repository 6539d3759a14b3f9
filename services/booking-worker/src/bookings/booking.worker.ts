import { UnrecoverableError, Worker, type ConnectionOptions } from 'bullmq';
import { BookingRequestJob, parseMessage, QUEUES, type BookingOutcome } from '@khiw/contracts';
import { maskString, type Counter, type Logger } from '@khiw/observability';
import type { BookingEngine } from './booking-engine';
import { forgetPerson, isDecidedBookingJob, maskError } from './decided-job';

export interface BookingWorkerOptions {
  connection: ConnectionOptions;
  prefix: string;
  /** Jobs held at once; they wait on the engine's batches, not on a connection each. */
  concurrency: number;
  engine: BookingEngine;
  logger: Logger;
  outcomes: Counter;
  /** How long a job's lock lasts without renewal: a killed worker's jobs return after it. */
  lockDurationMs: number;
}

/** Thin transport: validates the job against the contract and hands it to the engine. */
export function createBookingWorker(options: BookingWorkerOptions): Worker<unknown, BookingOutcome> {
  const { connection, prefix, concurrency, engine, logger, outcomes, lockDurationMs } = options;
  const worker = new Worker<unknown, BookingOutcome>(
    QUEUES.booking,
    async (job) => {
      if (isDecidedBookingJob(job.data)) {
        // Retried by hand after its decision: the person is gone; a resubmit decides again.
        throw new UnrecoverableError('decided booking job retried: its personal data was removed');
      }
      const parsed = parseMessage(BookingRequestJob, job.data as object);
      if (!parsed.ok) {
        logger.error({ jobId: job.id, reason: parsed.reason }, 'booking job does not match the contract');
        throw new UnrecoverableError(maskString(`invalid booking job: ${parsed.reason}`));
      }
      try {
        const outcome = await engine.submit(parsed.value);
        outcomes.inc({ status: outcome.status, reason: outcome.status === 'rejected' ? outcome.reason : '' });
        return outcome;
      } catch (error) {
        // BullMQ stores the message and stack in the job (failedReason, stacktrace).
        throw maskError(error);
      }
    },
    {
      connection,
      prefix,
      concurrency,
      autorun: false,
      maxStalledCount: 5,
      lockDuration: lockDurationMs,
      stalledInterval: Math.max(1000, Math.floor(lockDurationMs / 2)),
    },
  );
  // Decided: the status poll needs only the outcome from here on (decided-job.ts).
  worker.on('completed', (job) => void forgetPerson(job, logger));
  worker.on('failed', (job, err) => {
    logger.warn({ jobId: job?.id, err }, 'booking job failed');
    // 'failed' is emitted for every failed attempt; only a job failed for good is decided.
    if (job)
      void job.isFailed().then(
        (final) => (final ? forgetPerson(job, logger) : undefined),
        () => undefined,
      );
  });
  worker.on('error', (err) => logger.error({ err }, 'booking worker error'));
  return worker;
}
