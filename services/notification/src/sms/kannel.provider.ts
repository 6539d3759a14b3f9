import { SmsSendError, type DeliveryStatus, type OutgoingSms, type SmsProvider } from './sms.provider';

export interface KannelSettings {
  sendsmsUrl: string;
  username: string;
  password: string;
  sender: string;
  /** Where Kannel calls back with delivery reports; `smsId` and Kannel's %d status are appended. */
  dlrBaseUrl: string;
  timeoutMs?: number;
}

/**
 * Kannel's sendsms HTTP interface. Thai text goes as UTF-8 with coding=2 (UCS-2 on the air);
 * dlr-mask 31 asks for every report (delivered, failed, buffered, SMSC accepted/rejected).
 */
export class KannelProvider implements SmsProvider {
  readonly name = 'kannel';

  constructor(private readonly settings: KannelSettings) {}

  async send({ smsId, to, text }: OutgoingSms): Promise<{ providerMessageId?: string }> {
    const { sendsmsUrl, username, password, sender, dlrBaseUrl, timeoutMs = 10_000 } = this.settings;
    const dlrUrl = `${dlrBaseUrl.replace(/\/$/, '')}/sms/dlr?provider=kannel&smsId=${smsId}&status=%d&at=%T`;
    const url = new URL(sendsmsUrl);
    url.search = new URLSearchParams({
      username,
      password,
      from: sender,
      to,
      text,
      charset: 'UTF-8',
      coding: '2',
      'dlr-mask': '31',
      'dlr-url': dlrUrl,
    }).toString();
    let response: Response;
    try {
      response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      throw new SmsSendError(`Kannel unreachable: ${(error as Error).message}`, true, 'UNAVAILABLE');
    }
    const body = (await response.text()).trim();
    // 202 "0: Accepted for delivery" / "3: Queued for later delivery"; 503 when the smsbox
    // cannot reach bearerbox; 4xx for a request Kannel will never accept (bad number, auth).
    if (response.status === 202 || response.status === 200) return {};
    if (response.status === 503 || response.status >= 500) {
      throw new SmsSendError(`Kannel ${response.status}: ${body}`, true, 'UNAVAILABLE');
    }
    if (response.status === 429) throw new SmsSendError(`Kannel throttled: ${body}`, true, 'THROTTLED');
    throw new SmsSendError(`Kannel refused ${response.status}: ${body}`, false, 'REJECTED');
  }
}

/** Kannel DLR type bits: 1 delivered, 2 failed, 4 buffered, 8 SMSC accepted, 16 SMSC rejected. */
export function kannelDeliveryStatus(code: number): DeliveryStatus {
  if (code & 1) return 'delivered';
  if (code & 2 || code & 16) return 'failed';
  if (code & 8) return 'accepted';
  return 'buffered';
}
