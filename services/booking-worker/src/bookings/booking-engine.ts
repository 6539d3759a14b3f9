import type { BookingOutcome, BookingRequestJob } from '@khiw/contracts';
import type { Histogram, Logger } from '@khiw/observability';
import type { SnapshotPublisher } from '../campaigns/snapshot-publisher';
import { RequestBatcher } from './request-batcher';
import type { ReserveBookings } from './reserve-bookings.usecase';

export interface BookingEngineOptions {
  reserve: ReserveBookings;
  snapshots: SnapshotPublisher;
  logger: Logger;
  maxBatch: number;
  batchSize: Histogram;
}

/**
 * Requests in, outcomes out: batches requests per campaign (RequestBatcher), decides each
 * batch in one transaction (ReserveBookings), and refreshes the campaign's Redis snapshot
 * (at once when the last dose went). A batch that fails as a whole (a deadlock, a CHECK
 * constraint that caught a miscount, a lost connection) is retried one request at a time, so
 * one bad request costs only itself; what still fails is left to BullMQ's retries.
 */
export class BookingEngine {
  private readonly batcher: RequestBatcher<BookingRequestJob, BookingOutcome>;

  constructor(private readonly options: BookingEngineOptions) {
    this.batcher = new RequestBatcher(
      (campaignId, items) => this.decide(campaignId, items),
      options.maxBatch,
    );
  }

  submit(request: BookingRequestJob): Promise<BookingOutcome> {
    return this.batcher.submit(request.campaignId, request);
  }

  get waiting(): number {
    return this.batcher.waiting;
  }

  private async decide(
    campaignId: string,
    items: BookingRequestJob[],
  ): Promise<Array<BookingOutcome | Error>> {
    const { reserve, snapshots, logger, batchSize } = this.options;
    // A request id twice in one batch (a job retried while its first run is still queued
    // here) is decided once and both get the answer.
    const unique = [...new Map(items.map((item) => [item.requestId, item])).values()];
    let answers: Map<string, BookingOutcome | Error>;
    try {
      const result = await reserve.execute({ campaignId, requests: unique });
      batchSize.observe(unique.length);
      answers = new Map(unique.map((item, i) => [item.requestId, result.outcomes[i]!]));
      if (result.changed) snapshots.touch(campaignId, result.soldOut);
    } catch (err) {
      if (unique.length === 1) return items.map(() => asError(err));
      logger.warn(
        { err, campaignId, size: unique.length },
        'booking batch failed; deciding its requests one by one',
      );
      answers = new Map();
      let soldOut = false;
      for (const item of unique) {
        try {
          const result = await reserve.execute({ campaignId, requests: [item] });
          batchSize.observe(1);
          answers.set(item.requestId, result.outcomes[0]!);
          soldOut ||= result.soldOut;
        } catch (itemErr) {
          answers.set(item.requestId, asError(itemErr));
        }
      }
      snapshots.touch(campaignId, soldOut);
    }
    return items.map((item) => answers.get(item.requestId)!);
  }
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
