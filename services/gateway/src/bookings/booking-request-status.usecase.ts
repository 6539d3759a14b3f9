import type { Queue } from 'bullmq';
import {
  Appointment,
  BookingOutcome,
  ResidentState,
  RETRYABLE_REJECTIONS,
  type RejectionCode,
} from '@khiw/contracts';
import type { Logger } from '@khiw/observability';
import type { BookingWorkerClient } from '../http/booking-worker-client';
import { PROBLEM_MESSAGES, type Localized } from '../http/problem-messages';

export type RequestStatus =
  | { status: 'pending'; pollAfterSeconds: number }
  | { status: 'confirmed'; booking: Appointment }
  | {
      status: 'standby';
      standby: { standbyId: string; position: number; siteId: string };
      pollAfterSeconds: number;
    }
  | {
      status: 'rejected';
      reason: RejectionCode;
      message: Localized;
      /** The person may send a corrected request (RETRYABLE_REJECTIONS): the page offers it. */
      retryable: boolean;
    };

export interface BookingRequestStatusCommand {
  requestId: string;
}

/** Request ids are `campaignId.hash` (contracts bookingRequestId); anything else is unknown. */
const REQUEST_ID = /^[a-z0-9][a-z0-9-]{0,62}\.[A-Za-z0-9_-]{16,64}$/;

/**
 * What became of a submitted request: the job's return value once the worker is done,
 * pending until then. A standby place may since have been promoted (a cancellation freed a
 * dose), so for standby the worker is asked for the person's current state; when it cannot
 * answer, the job's own outcome still stands.
 */
export class BookingRequestStatus {
  constructor(
    private readonly deps: {
      queue: Queue;
      worker: BookingWorkerClient;
      logger: Logger;
      pollAfterSeconds: number;
      standbyPollAfterSeconds?: number;
    },
  ) {}

  /** null when there is no such request. */
  async execute({ requestId }: BookingRequestStatusCommand): Promise<RequestStatus | null> {
    if (!REQUEST_ID.test(requestId)) return null;
    const job = await this.deps.queue.getJob(requestId);
    if (!job) return null;
    const state = await job.getState();
    if (state === 'failed') return rejected('PROCESSING_FAILED');
    if (state !== 'completed') return { status: 'pending', pollAfterSeconds: this.deps.pollAfterSeconds };
    // The job was read before its state: it may have completed in between (no return value
    // in what was read), so read it again rather than call a fresh outcome a broken one.
    const done = job.returnvalue == null ? await this.deps.queue.getJob(requestId) : job;
    if (!done) return null;
    const outcome = BookingOutcome.safeParse(done.returnvalue);
    if (!outcome.success) {
      this.deps.logger.error(
        { jobId: done.id, issues: outcome.error.issues },
        'booking outcome breaks the contract',
      );
      return rejected('PROCESSING_FAILED');
    }
    const result = outcome.data;
    if (result.status === 'confirmed') return { status: 'confirmed', booking: result.booking };
    if (result.status === 'rejected') return rejected(result.reason);
    return (await this.currentStandby(requestId)) ?? this.standby(result.standby);
  }

  private standby(standby: { standbyId: string; position: number; siteId: string }): RequestStatus {
    return { status: 'standby', standby, pollAfterSeconds: this.deps.standbyPollAfterSeconds ?? 60 };
  }

  private async currentStandby(requestId: string): Promise<RequestStatus | null> {
    try {
      const answer = await this.deps.worker.call(
        'GET',
        `/internal/requests/${encodeURIComponent(requestId)}`,
      );
      if (answer.status !== 200) return null;
      const state = ResidentState.safeParse(answer.body);
      if (!state.success) return null;
      const { booking, standby } = state.data;
      if (booking?.status === 'confirmed') return { status: 'confirmed', booking };
      if (standby) {
        return this.standby({
          standbyId: standby.standbyId,
          position: standby.position,
          siteId: standby.siteId,
        });
      }
      return null;
    } catch (error) {
      this.deps.logger.warn(
        { err: error, jobId: requestId },
        'standby state unavailable, answering from the job',
      );
      return null;
    }
  }
}

function rejected(reason: RejectionCode): RequestStatus {
  return {
    status: 'rejected',
    reason,
    message: PROBLEM_MESSAGES[reason],
    retryable: RETRYABLE_REJECTIONS.has(reason),
  };
}
