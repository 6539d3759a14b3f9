/** What an SMS gateway adapter does; one adapter per provider (Kannel now, HTTP providers later). */
export interface SmsProvider {
  readonly name: string;
  /** Resolves once the gateway has accepted the message; throws SmsSendError otherwise. */
  send(message: OutgoingSms): Promise<{ providerMessageId?: string }>;
}

export interface OutgoingSms {
  smsId: string;
  to: string;
  text: string;
}

/**
 * Why a send did not go through, which decides what the sender does next:
 * - THROTTLED: the gateway asks us to slow down; the whole queue pauses (manual rate limit).
 * - UNAVAILABLE: the gateway is down and certainly did not take the message; the whole queue
 *   pauses and tries again, without using up the message's attempts.
 * - TRANSIENT: this message failed but may pass later; retried with exponential backoff.
 * - IN_DOUBT: the request may have reached the gateway (a timeout after sending); retried
 *   with backoff, and the retry first looks for a delivery report before sending again.
 * - REJECTED: retrying cannot help (an invalid number); the message fails once and is reported.
 */
export const SMS_SEND_ERROR_CODES = [
  'THROTTLED',
  'UNAVAILABLE',
  'TRANSIENT',
  'IN_DOUBT',
  'REJECTED',
] as const;
export type SmsSendErrorCode = (typeof SMS_SEND_ERROR_CODES)[number];

export class SmsSendError extends Error {
  readonly retriable: boolean;

  constructor(
    message: string,
    readonly code: SmsSendErrorCode,
    /** How long the gateway asked us to wait (a Retry-After), when it said. */
    readonly retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SmsSendError';
    this.retriable = code !== 'REJECTED';
  }
}

/** Delivery-report states recorded for a message. */
export type DeliveryStatus = 'delivered' | 'failed' | 'accepted' | 'buffered';
