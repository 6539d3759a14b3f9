import { UnrecoverableError, Worker, type ConnectionOptions } from 'bullmq';
import { BookingRequestJob, parseMessage, QUEUES } from '@khiw/contracts';
import type { Counter, Logger } from '@khiw/observability';
import type { BookingOutcome, ConfirmBooking } from './confirm-booking.usecase';

export interface BookingWorkerOptions {
  connection: ConnectionOptions;
  prefix: string;
  concurrency: number;
  confirmBooking: ConfirmBooking;
  logger: Logger;
  outcomes: Counter;
}

/** Thin transport: validates the job against the contract and hands it to the use case. */
export function createBookingWorker(options: BookingWorkerOptions): Worker<unknown, BookingOutcome> {
  const { connection, prefix, concurrency, confirmBooking, logger, outcomes } = options;
  const worker = new Worker<unknown, BookingOutcome>(
    QUEUES.booking,
    async (job) => {
      const log = logger.child({ jobId: job.id, attempt: job.attemptsMade + 1 });
      const parsed = parseMessage(BookingRequestJob, job.data as object);
      if (!parsed.ok) {
        log.error({ reason: parsed.reason }, 'booking job does not match the contract');
        throw new UnrecoverableError(`invalid booking job: ${parsed.reason}`);
      }
      const outcome = await confirmBooking.execute(parsed.value);
      outcomes.inc({ status: outcome.status, reason: outcome.status === 'rejected' ? outcome.reason : '' });
      log.info(
        { outcome: outcome.status, ...(outcome.status === 'rejected' && { reason: outcome.reason }) },
        'booking processed',
      );
      return outcome;
    },
    { connection, prefix, concurrency, autorun: false, maxStalledCount: 5 },
  );
  worker.on('failed', (job, err) => logger.warn({ jobId: job?.id, err }, 'booking job failed'));
  worker.on('error', (err) => logger.error({ err }, 'booking worker error'));
  return worker;
}
