/** What an SMS gateway adapter does; one adapter per provider (Kannel now, HTTP providers later). */
export interface SmsProvider {
  readonly name: string;
  /**
   * Resolves once the gateway has accepted the message; otherwise throws a KhiwError with one
   * of SMS_SEND_CODES (@khiw/errors), which decides what the sender does next, and, when the
   * gateway said how long to wait, `retryAfterMs`.
   */
  send(message: OutgoingSms): Promise<{ providerMessageId?: string }>;
}

export interface OutgoingSms {
  smsId: string;
  to: string;
  text: string;
}

/** Delivery-report states recorded for a message. */
export type DeliveryStatus = 'delivered' | 'failed' | 'accepted' | 'buffered';
