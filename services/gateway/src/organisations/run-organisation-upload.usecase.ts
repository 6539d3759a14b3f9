import { randomUUID } from 'node:crypto';
import type { CampaignSnapshot } from '@khiw/contracts';
import { KhiwError } from '@khiw/errors';
import type { Logger } from '@khiw/observability';
import { toArabicDigits } from '@khiw/thai';
import type { BookingRequestStatus, RequestStatus } from '../bookings/booking-request-status.usecase';
import type { CampaignCatalog } from '../bookings/campaign-catalog';
import { checkBookingBody } from '../bookings/check-booking-body';
import { citizenHash } from '../bookings/citizen-hash';
import type { SubmitBooking } from '../bookings/submit-booking.usecase';
import { PROBLEM_MESSAGES } from '../http/problem-messages';
import { ClaimCode, type OrganisationCaps } from './organisation-caps';
import type { ListRow } from './organisation-csv';
import { bookingBodyOf, fieldErrorsText, type RowResult } from './organisation-row';
import type { OrganisationUploads } from './organisation-uploads';

export interface StartUploadCommand {
  organisationId: string;
  campaignId: string;
  snapshot: CampaignSnapshot;
  rows: ListRow[];
}

/** A row handed to the engine, its outcome still to read. */
interface Submitted {
  row: ListRow;
  who: Pick<RowResult, 'line' | 'citizenId' | 'firstName' | 'lastName'>;
  requestId: string;
  created: boolean;
  hash: string;
  claim: ClaimCode;
}

type Who = Submitted['who'];

/**
 * An organisation's list, row by row through the same checks (checkBookingBody) and the same
 * engine (SubmitBooking.executeAssisted, channel `organisation`) as any booking: one job per
 * person and campaign, so a re-upload finds each person's job and books nobody twice. First
 * every row is checked, counted against the cap and submitted (a few rows at once), then the
 * outcomes are read as the worker decides them: the worker works through its queue in
 * batches meanwhile, so 2,000 rows take seconds, not 2,000 round trips one after the other.
 * The work runs in the gateway that took the upload; its progress and results are in Redis.
 */
export class RunOrganisationUpload {
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly deps: {
      catalog: CampaignCatalog;
      submit: SubmitBooking;
      status: BookingRequestStatus;
      caps: OrganisationCaps;
      uploads: OrganisationUploads;
      secret: string;
      logger: Logger;
      concurrency?: number;
      /** How long outcomes are awaited before the rest are reported pending. */
      waitMs?: number;
      pollMs?: number;
    },
  ) {}

  async start(command: StartUploadCommand): Promise<{ uploadId: string }> {
    const uploadId = randomUUID();
    await this.deps.uploads.create({ uploadId, ...command, total: command.rows.length });
    const run = this.run(uploadId, command)
      .catch(async (error: unknown) => {
        this.deps.logger.error({ err: error, uploadId }, 'organisation upload stopped');
        // Done, with fewer rows processed than the list has: the page says so.
        await this.deps.uploads.finish(uploadId, 0).catch(() => {});
      })
      .finally(() => this.running.delete(run));
    this.running.add(run);
    return { uploadId };
  }

  /** Shutdown: lets the uploads in progress finish (their rows are already with the engine). */
  async close(): Promise<void> {
    await Promise.all([...this.running]);
  }

  private async run(uploadId: string, command: StartUploadCommand): Promise<void> {
    const started = Date.now();
    const firstLine = firstLineOfEachPerson(command.rows);
    const submitted: Submitted[] = [];
    await eachLimited(command.rows, this.concurrency, async (row) => {
      const outcome = await this.submitRow(command, row, firstLine.get(row.line));
      if ('requestId' in outcome) submitted.push(outcome);
      else await this.deps.uploads.record(uploadId, [outcome]);
    });
    await this.awaitOutcomes(uploadId, command, submitted);
    const seconds = Math.max((Date.now() - started) / 1000, 0.001);
    await this.deps.uploads.finish(uploadId, command.rows.length / seconds);
    this.deps.logger.info(
      { uploadId, campaignId: command.campaignId, rows: command.rows.length, seconds },
      'organisation upload done',
    );
  }

  private async submitRow(
    { organisationId, campaignId, snapshot }: StartUploadCommand,
    row: ListRow,
    duplicateOf: number | undefined,
  ): Promise<Submitted | RowResult> {
    const who: Who = {
      line: row.line,
      citizenId: row.values.citizen_id ?? '',
      firstName: row.values.first_name ?? '',
      lastName: row.values.last_name ?? '',
    };
    if (duplicateOf !== undefined) {
      const words = PROBLEM_MESSAGES.DUPLICATE_IN_LIST;
      return refused(who, 'DUPLICATE_IN_LIST', {
        th: `${words.th} (บรรทัด ${duplicateOf})`,
        en: `${words.en} (line ${duplicateOf})`,
      });
    }
    const checked = await checkBookingBody(
      this.deps.catalog,
      campaignId,
      snapshot,
      bookingBodyOf(campaignId, row),
    );
    if (!checked.ok) return refused(who, 'INVALID_INPUT', fieldErrorsText(checked.fields));
    const { input } = checked;
    const hash = citizenHash(this.deps.secret, input.citizenId);
    const claim = await this.deps.caps.claim(campaignId, organisationId, hash);
    if (claim === ClaimCode.CapReached) return refused(who, 'ORGANISATION_CAP_REACHED');
    if (claim === ClaimCode.NotRegistered) return refused(who, 'ORGANISATION_NOT_REGISTERED');
    try {
      const { requestId, created } = await this.deps.submit.executeAssisted({
        campaignId,
        input,
        channel: 'organisation',
        enteredBy: `organisation:${organisationId}`,
      });
      return { row, who: { ...who, citizenId: input.citizenId }, requestId, created, hash, claim };
    } catch (error) {
      if (claim === ClaimCode.Counted) await this.deps.caps.release(campaignId, organisationId, hash);
      // One row the engine could not take (Redis busy or away): said on the row, the rest go on.
      this.deps.logger.warn({ err: error, line: row.line }, 'organisation row not submitted');
      const code =
        error instanceof KhiwError && error.code === 'SUBMIT_BUSY'
          ? 'SUBMIT_BUSY'
          : 'TEMPORARILY_UNAVAILABLE';
      return refused(who, code);
    }
  }

  /** Reads the outcomes as the worker decides them; what stays undecided past the wait is pending. */
  private async awaitOutcomes(
    uploadId: string,
    command: StartUploadCommand,
    rows: Submitted[],
  ): Promise<void> {
    const deadline = Date.now() + (this.deps.waitMs ?? 10 * 60_000);
    let waiting = rows.sort((a, b) => a.row.line - b.row.line);
    while (waiting.length > 0) {
      const still: Submitted[] = [];
      const decided: RowResult[] = [];
      await eachLimited(waiting, this.concurrency, async (entry) => {
        const outcome = await this.deps.status.execute({ requestId: entry.requestId });
        if (!outcome || outcome.status === 'pending') still.push(entry);
        else decided.push(await this.resultOf(command, entry, outcome));
      });
      await this.deps.uploads.record(uploadId, decided);
      if (still.length === 0) return;
      if (Date.now() >= deadline) {
        await this.deps.uploads.record(
          uploadId,
          still.map(({ who }) => ({ ...who, result: 'pending' as const })),
        );
        return;
      }
      waiting = still;
      await new Promise((resolve) => setTimeout(resolve, this.deps.pollMs ?? 200));
    }
  }

  private async resultOf(
    { campaignId, organisationId }: StartUploadCommand,
    { who, created, hash, claim }: Submitted,
    outcome: Exclude<RequestStatus, { status: 'pending' }>,
  ): Promise<RowResult> {
    if (outcome.status === 'rejected') {
      // Refused by the engine: not the organisation's booking, so not counted against its cap.
      if (claim === ClaimCode.Counted) await this.deps.caps.release(campaignId, organisationId, hash);
      return refused(who, outcome.reason);
    }
    if (outcome.status === 'standby') {
      return {
        ...who,
        result: 'standby',
        siteId: outcome.standby.siteId,
        position: outcome.standby.position,
      };
    }
    const { booking } = outcome;
    return {
      ...who,
      // The person's job was there before this upload (this list or any other way in).
      result: created && claim === ClaimCode.Counted ? 'booked' : 'already_booked',
      reference: booking.reference,
      siteId: booking.siteId,
      siteName: booking.siteName.th,
      startsAt: booking.startsAt,
    };
  }

  private get concurrency(): number {
    return this.deps.concurrency ?? 16;
  }
}

function refused(who: Who, code: keyof typeof PROBLEM_MESSAGES, reason = PROBLEM_MESSAGES[code]): RowResult {
  return { ...who, result: 'refused', code, reason };
}

/** For each row naming a person an earlier row named: that earlier row's line. */
function firstLineOfEachPerson(rows: ListRow[]): Map<number, number> {
  const first = new Map<string, number>();
  const duplicates = new Map<number, number>();
  for (const row of rows) {
    const id = toArabicDigits(row.values.citizen_id ?? '').replace(/\D/g, '');
    if (id.length !== 13) continue;
    const seen = first.get(id);
    if (seen === undefined) first.set(id, row.line);
    else duplicates.set(row.line, seen);
  }
  return duplicates;
}

/** `fn` over `items`, at most `limit` at once. */
async function eachLimited<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}
