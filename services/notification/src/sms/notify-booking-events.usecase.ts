import type { JobsOptions, Queue } from 'bullmq';
import {
  language as languageSchema,
  SmsJob,
  type BookingEvent,
  type Language,
  type SmsKind,
} from '@khiw/contracts';
import type { Logger } from '@khiw/observability';
import type { CampaignSmsSettingsSource } from '../campaigns/campaign-sms-settings';
import { uuidFrom } from '../uuid-from';
import type { NewSms, SmsLedger } from './sms-ledger';
import { renderSms } from './templates';

export interface SmsRetryPolicy {
  attempts: number;
  backoffMs: number;
}

type Appointment = { siteName: { th: string; en: string }; startsAt: string };
type Planned = { message: NewSms; job: SmsJob; delayMs: number };

export interface NotifyBookingEventsCommand {
  /** One consumed chunk, in partition order (a booking's events in the order they happened). */
  events: BookingEvent[];
}

/** Outcome per event, for the metrics. */
export type EventOutcome = 'queued' | 'ignored';

const HOUR_MS = 3600_000;

/** Reminders are identified by booking and appointment time: moving away and back is the same reminder. */
export const reminderDedupeKey = (bookingId: string, startsAt: string) =>
  `reminder:${bookingId}:${new Date(startsAt).toISOString()}`;

/**
 * Turns booking events into messages and their jobs on the `sms` queue:
 * - Confirmed, Promoted: the confirmation (or promotion) SMS, and a reminder;
 * - Rescheduled: the new appointment by SMS, the reminder moved to it;
 * - Cancelled: the cancellation by SMS, the reminder removed;
 * - Standby, Rejected: nothing (the resident sees those answers on the page at once).
 *
 * A message row is written before its job; the job id is the message id (the event id, or for
 * a reminder an id derived from its dedupe key), so running the same events again, after a
 * crash or a rebalance, writes and queues nothing new. Events of one booking are handled in
 * order; events of different bookings are written in bulk.
 */
export class NotifyBookingEvents {
  constructor(
    private readonly deps: {
      ledger: SmsLedger;
      smsQueue: Queue;
      settings: CampaignSmsSettingsSource;
      provider: string;
      retry: SmsRetryPolicy;
      logger: Logger;
      now?: () => Date;
    },
  ) {}

  async execute({ events }: NotifyBookingEventsCommand): Promise<EventOutcome[]> {
    let pending: Planned[] = [];
    const flush = async () => {
      if (pending.length === 0) return;
      const batch = pending;
      pending = [];
      await this.deps.ledger.record(batch.map((p) => p.message));
      await this.deps.smsQueue.addBulk(
        batch.map((p) => ({ name: p.job.kind, data: p.job, opts: this.jobOptions(p) })),
      );
    };

    const outcomes: EventOutcome[] = [];
    for (const event of events) {
      switch (event.type) {
        case 'BookingConfirmed':
        case 'BookingPromoted': {
          const kind: SmsKind = event.type === 'BookingConfirmed' ? 'confirmation' : 'promotion';
          const { reference, appointment, person } = event.data;
          // The booking's own language (the page the resident booked on), else the campaign's.
          const language = event.data.language ?? (await this.deps.settings.get(event.campaignId)).language;
          pending.push(await this.message(event, kind, person.phone, reference, appointment, language));
          const reminder = await this.reminder(event, person.phone, reference, appointment, language);
          if (reminder) pending.push(reminder);
          outcomes.push('queued');
          break;
        }
        case 'BookingRescheduled': {
          const { reference, appointment, phone } = event.data;
          await flush();
          const language = await this.laterLanguage(event);
          const reminder = await this.reminder(event, phone, reference, appointment, language);
          await this.cancelReminders(event.bookingId, reminder?.message.dedupeKey);
          pending.push(await this.message(event, 'reschedule', phone, reference, appointment, language));
          if (reminder) pending.push(reminder);
          outcomes.push('queued');
          break;
        }
        case 'BookingCancelled': {
          const { reference, appointment, phone } = event.data;
          await flush();
          const language = await this.laterLanguage(event);
          await this.cancelReminders(event.bookingId);
          pending.push(await this.message(event, 'cancellation', phone, reference, appointment, language));
          outcomes.push('queued');
          break;
        }
        default:
          outcomes.push('ignored');
      }
    }
    await flush();
    return outcomes;
  }

  /**
   * The language of a message that follows the confirmation (reschedule, cancellation): the
   * one the confirmation was written in, which the ledger keeps (flushed before this is read,
   * so a confirmation in the same batch counts); the campaign's when there is none.
   */
  private async laterLanguage(event: BookingEvent & { bookingId: string }): Promise<Language> {
    const parsed = languageSchema.safeParse(await this.deps.ledger.bookingLanguage(event.bookingId));
    return parsed.success ? parsed.data : (await this.deps.settings.get(event.campaignId)).language;
  }

  private async cancelReminders(bookingId: string, keepDedupeKey?: string): Promise<void> {
    const ids = await this.deps.ledger.cancelReminders(bookingId, keepDedupeKey);
    // The row's status is what the sender obeys; removing the delayed job just tidies up (it
    // cannot be removed while running, and then the sender finds it cancelled anyway).
    await Promise.all(ids.map((id) => this.deps.smsQueue.remove(id).catch(() => 0)));
    if (ids.length) this.deps.logger.debug({ bookingId, reminders: ids.length }, 'reminders cancelled');
  }

  private async message(
    event: BookingEvent & { bookingId: string },
    kind: SmsKind,
    phone: string,
    reference: string,
    appointment: Appointment,
    language: Language,
  ): Promise<Planned> {
    const rendered = renderSms(
      { kind, reference, siteName: appointment.siteName, startsAt: appointment.startsAt },
      language,
    );
    // One of each per booking whatever the event ids; a reschedule can happen more than once.
    const dedupeKey = kind === 'reschedule' ? `reschedule:${event.eventId}` : `${kind}:${event.bookingId}`;
    return this.plan({
      id: event.eventId,
      bookingId: event.bookingId,
      campaignId: event.campaignId,
      kind,
      dedupeKey,
      phone,
      rendered,
      causedAt: new Date(event.occurredAt),
      dueAt: null,
    });
  }

  /** The reminder for an appointment, or none when its moment has passed (or the campaign wants none). */
  private async reminder(
    event: BookingEvent & { bookingId: string },
    phone: string,
    reference: string,
    appointment: Appointment,
    language: Language,
  ): Promise<Planned | undefined> {
    const { reminderHoursBefore } = await this.deps.settings.get(event.campaignId);
    if (reminderHoursBefore <= 0) return undefined;
    const dueAt = new Date(new Date(appointment.startsAt).getTime() - reminderHoursBefore * HOUR_MS);
    // Too late for a reminder: the message just sent carries the date and time already, and a
    // second one minutes later (or after the appointment) would only be noise.
    if (dueAt.getTime() <= this.now().getTime()) return undefined;
    const dedupeKey = reminderDedupeKey(event.bookingId, appointment.startsAt);
    const rendered = renderSms(
      { kind: 'reminder', reference, siteName: appointment.siteName, startsAt: appointment.startsAt },
      language,
    );
    return this.plan({
      id: uuidFrom(dedupeKey),
      bookingId: event.bookingId,
      campaignId: event.campaignId,
      kind: 'reminder',
      dedupeKey,
      phone,
      rendered,
      causedAt: null,
      dueAt,
    });
  }

  private plan(p: {
    id: string;
    bookingId: string;
    campaignId: string;
    kind: SmsKind;
    dedupeKey: string;
    phone: string;
    rendered: { text: string; language: string; segments: number };
    causedAt: Date | null;
    dueAt: Date | null;
  }): Planned {
    const job = SmsJob.parse({
      schemaVersion: 1,
      smsId: p.id,
      bookingId: p.bookingId,
      campaignId: p.campaignId,
      kind: p.kind,
      phone: p.phone,
      text: p.rendered.text,
      ...(p.causedAt && { causedAt: p.causedAt.toISOString() }),
      ...(p.dueAt && { dueAt: p.dueAt.toISOString() }),
    });
    return {
      job,
      delayMs: p.dueAt ? Math.max(0, p.dueAt.getTime() - this.now().getTime()) : 0,
      message: {
        id: p.id,
        bookingId: p.bookingId,
        campaignId: p.campaignId,
        kind: p.kind,
        dedupeKey: p.dedupeKey,
        phone: p.phone,
        text: p.rendered.text,
        language: p.rendered.language,
        segments: p.rendered.segments,
        provider: this.deps.provider,
        causedAt: p.causedAt,
        dueAt: p.dueAt,
      },
    };
  }

  private jobOptions(p: Planned): JobsOptions {
    return {
      jobId: p.job.smsId,
      delay: p.delayMs || undefined,
      attempts: this.deps.retry.attempts,
      backoff: { type: 'exponential', delay: this.deps.retry.backoffMs, jitter: 0.5 },
      // A finished job is stripped of phone and text (sent-sms-job.ts) and then only stops a
      // redelivered event from queueing the message again; the message row also does that, so
      // an hour is plenty. Failed jobs stay a day for inspection (the row and SmsFailed say why).
      removeOnComplete: { age: 3600, count: 100_000 },
      removeOnFail: { age: 24 * 3600, count: 10_000 },
    };
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }
}
