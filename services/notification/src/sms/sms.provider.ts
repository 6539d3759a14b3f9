/** What an SMS gateway adapter does; one adapter per provider (Kannel now, HTTP providers later). */
export interface SmsProvider {
  readonly name: string;
  send(message: OutgoingSms): Promise<{ providerMessageId?: string }>;
}

export interface OutgoingSms {
  smsId: string;
  to: string;
  text: string;
}

/** `retriable` false: retrying cannot help (an invalid number); true: try again later. */
export class SmsSendError extends Error {
  constructor(
    message: string,
    readonly retriable: boolean,
    readonly code: 'THROTTLED' | 'UNAVAILABLE' | 'REJECTED',
  ) {
    super(message);
    this.name = 'SmsSendError';
  }
}

/** Delivery-report states recorded for a message. */
export type DeliveryStatus = 'delivered' | 'failed' | 'accepted' | 'buffered';
