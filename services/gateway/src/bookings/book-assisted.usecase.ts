import type { BookingRequestStatus, RequestStatus } from './booking-request-status.usecase';
import type {
  SubmitAssistedCommand,
  SubmitBooking,
  SubmitBookingCommand,
  SubmitResult,
} from './submit-booking.usecase';

export interface AssistedAnswer {
  requestId: string;
  /** false: the person's request was already there (entered before, by anyone): its answer. */
  created: boolean;
  /** The outcome; `pending` only when the worker took longer than the wait (the caller polls). */
  outcome: RequestStatus;
}

/**
 * A booking entered for a person who is on the phone or at the desk (an agent), or on an
 * uploaded list (an organisation): the same job as a resident's submit, through the same
 * engine, then the answer awaited, since the person is there now. The worker decides a batch
 * in tens of milliseconds when it keeps up; the wait polls the job's state (one Redis read)
 * at a short interval rather than holding a BullMQ QueueEvents stream per gateway.
 */
export class BookAssisted {
  constructor(
    private readonly deps: {
      submit: SubmitBooking;
      status: BookingRequestStatus;
      waitMs?: number;
      pollMs?: number;
      sleep?: (ms: number) => Promise<void>;
    },
  ) {}

  async execute(command: SubmitAssistedCommand): Promise<AssistedAnswer> {
    return this.awaitOutcome(await this.deps.submit.executeAssisted(command));
  }

  /** A partner app's admitted user: the grant spent as a browser's, the answer awaited. */
  async executeAdmitted(command: SubmitBookingCommand): Promise<AssistedAnswer> {
    return this.awaitOutcome(await this.deps.submit.execute(command));
  }

  private async awaitOutcome({ requestId, created }: SubmitResult): Promise<AssistedAnswer> {
    const deadline = Date.now() + (this.deps.waitMs ?? 10_000);
    const sleep = this.deps.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
    for (let pause = 20; ; pause = Math.min(pause * 2, this.deps.pollMs ?? 250)) {
      const outcome = await this.deps.status.execute({ requestId });
      if (outcome && outcome.status !== 'pending') return { requestId, created, outcome };
      if (Date.now() >= deadline) {
        return { requestId, created, outcome: outcome ?? { status: 'pending', pollAfterSeconds: 1 } };
      }
      await sleep(pause);
    }
  }
}
