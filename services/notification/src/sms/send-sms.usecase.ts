import type { SmsJob } from '@khiw/contracts';
import { KhiwError, SMS_SEND_CODES, type SmsSendCode } from '@khiw/errors';
import type { Logger } from '@khiw/observability';
import type { NotificationMetrics } from '../metrics';
import type { SmsLedger } from './sms-ledger';
import type { SmsProvider } from './sms.provider';

export interface SendSmsCommand {
  job: SmsJob;
  /** The job has no attempt left after this one: a failure now is reported, not retried. */
  finalAttempt: boolean;
}

/** What the queue should do with the job after an attempt. */
export type SendOutcome =
  | { action: 'done'; result: string }
  /** Try again after the backoff (counts as an attempt). */
  | { action: 'retry'; error: Error }
  /** The gateway is down or throttling: pause the whole queue, keep the job (no attempt used). */
  | { action: 'pause-queue'; forMs: number; reason: string }
  /** A reminder that ran early: put it back until it is due. */
  | { action: 'delay-until'; at: Date }
  /** Failed for good and reported; do not retry. */
  | { action: 'fail'; reason: string };

export interface SendSmsSettings {
  /** A send left 'sending' by a crashed attempt is retried after this long without a report. */
  inDoubtAfterMs: number;
  /** The queue pause after the gateway refuses connections or throttles, doubled while it lasts. */
  pauseMs: number;
  maxPauseMs: number;
}

/**
 * Sends one message: claims its row (so two runs of one job never both send), hands it to the
 * gateway, records the answer. Whether a failure is the message's or the gateway's decides
 * between a per-message retry with backoff and pausing the queue for everyone.
 */
export class SendSms {
  private consecutiveOutages = 0;

  constructor(
    private readonly deps: {
      ledger: SmsLedger;
      provider: SmsProvider;
      settings: SendSmsSettings;
      metrics: NotificationMetrics;
      logger: Logger;
    },
  ) {}

  async execute({ job, finalAttempt }: SendSmsCommand): Promise<SendOutcome> {
    const { ledger, provider, settings, metrics } = this.deps;
    const claim = await ledger.claim(job.smsId, settings.inDoubtAfterMs);
    switch (claim.outcome) {
      case 'done':
        return { action: 'done', result: `already ${claim.status}` };
      case 'not-due':
        return { action: 'delay-until', at: claim.dueAt };
      case 'in-doubt': {
        if (finalAttempt) {
          // Reported as failed; a delivery report arriving later still moves it to delivered.
          await ledger.markFailed(job.smsId, 'gave up: earlier send in doubt and never reported', false);
          metrics.failed.inc({ kind: job.kind, permanent: 'false' });
          return { action: 'fail', reason: 'in doubt' };
        }
        // Wait for the gateway's report on the earlier attempt rather than risk a duplicate.
        const waitMs = claim.sendingAt.getTime() + settings.inDoubtAfterMs - Date.now();
        return {
          action: 'retry',
          error: new Error(`earlier send in doubt; deciding in ${Math.max(0, waitMs)} ms`),
        };
      }
      case 'claimed':
        break;
    }
    const { sms } = claim;
    let providerMessageId: string | undefined;
    try {
      ({ providerMessageId } = await provider.send({ smsId: sms.id, to: sms.phone, text: sms.text }));
    } catch (error) {
      if (!KhiwError.inList(error, SMS_SEND_CODES)) {
        // Not the gateway's answer (a bug in an adapter): it may have been sent, treat as in doubt.
        await ledger.recordError(sms.id, (error as Error).message).catch(() => undefined);
        throw error;
      }
      return this.failed(sms.id, sms.kind, error, finalAttempt);
    }
    this.consecutiveOutages = 0;
    metrics.attempts.inc({ outcome: 'sent' });
    metrics.sent.inc({ kind: sms.kind });
    metrics.segments.inc(sms.segments);
    if (sms.causedAt) metrics.bookingToSms.observe((Date.now() - sms.causedAt.getTime()) / 1000);
    // The gateway has it now: never release it for another send. If recording fails, the message
    // stays 'sending' and the delivery report (or the in-doubt rule) settles it.
    await this.recordSent(sms.id, providerMessageId);
    return { action: 'done', result: 'sent' };
  }

  private async recordSent(smsId: string, providerMessageId: string | undefined): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.deps.ledger.markSent(smsId, { providerMessageId });
        return;
      } catch (error) {
        if (attempt >= 5) {
          this.deps.logger.error(
            { smsId, err: error },
            'sent, but not recorded; the delivery report will settle it',
          );
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
      }
    }
  }

  private async failed(
    smsId: string,
    kind: string,
    error: KhiwError<SmsSendCode>,
    finalAttempt: boolean,
  ): Promise<SendOutcome> {
    const { ledger, settings, metrics, logger } = this.deps;
    switch (error.code) {
      case 'SMS_THROTTLED':
      case 'SMS_UNAVAILABLE': {
        // The gateway did not take it: the message waits, the queue slows down.
        await ledger.release(smsId, error.message);
        this.consecutiveOutages++;
        const forMs =
          error.retryAfterMs ??
          Math.min(settings.maxPauseMs, settings.pauseMs * 2 ** Math.min(this.consecutiveOutages - 1, 10));
        metrics.attempts.inc({ outcome: error.code === 'SMS_THROTTLED' ? 'throttled' : 'unavailable' });
        return { action: 'pause-queue', forMs, reason: error.message };
      }
      case 'SMS_REJECTED': {
        await ledger.markFailed(smsId, error.message, true);
        metrics.attempts.inc({ outcome: 'rejected' });
        metrics.failed.inc({ kind, permanent: 'true' });
        logger.warn({ smsId, err: error.message }, 'sms refused by the gateway; reported as failed');
        return { action: 'fail', reason: error.message };
      }
      case 'SMS_TRANSIENT':
      case 'SMS_IN_DOUBT': {
        // TRANSIENT: not taken, send again. IN_DOUBT: stays 'sending'; the retry looks for a report first.
        if (error.code === 'SMS_TRANSIENT') await ledger.release(smsId, error.message);
        else await ledger.recordError(smsId, error.message);
        if (finalAttempt) {
          await ledger.markFailed(smsId, `gave up: ${error.message}`, false);
          metrics.failed.inc({ kind, permanent: 'false' });
          return { action: 'fail', reason: error.message };
        }
        metrics.attempts.inc({ outcome: 'retry' });
        return { action: 'retry', error };
      }
    }
  }
}
