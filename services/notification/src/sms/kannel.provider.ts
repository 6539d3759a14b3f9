import { KhiwError } from '@khiw/errors';
import { smsEncoding } from '@khiw/thai';
import type { DeliveryStatus, OutgoingSms, SmsProvider } from './sms.provider';

export interface KannelSettings {
  sendsmsUrl: string;
  username: string;
  password: string;
  sender: string;
  /** Where Kannel calls back with delivery reports; `smsId` and Kannel's %d status are appended. */
  dlrBaseUrl: string;
  timeoutMs?: number;
}

// Connection errors that prove the request never reached Kannel.
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * Kannel's sendsms HTTP interface. Thai text goes as UTF-8 with coding=2 (UCS-2 on the air),
 * text that fits GSM-7 with coding=0 (160 characters a part instead of 70); dlr-mask 31 asks
 * for every report (delivered, failed, buffered, SMSC accepted/rejected).
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
      coding: smsEncoding(text) === 'ucs2' ? '2' : '0',
      'dlr-mask': '31',
      'dlr-url': dlrUrl,
    }).toString();
    let response: Response;
    try {
      response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      const code = (error as { cause?: { code?: string } }).cause?.code ?? '';
      if (NOT_SENT.has(code)) {
        throw new KhiwError('SMS_UNAVAILABLE', `Kannel unreachable (${code})`, { cause: error });
      }
      // A timeout or a reset after the request went out: Kannel may have queued it.
      throw new KhiwError('SMS_IN_DOUBT', `Kannel did not answer: ${(error as Error).message}`, {
        cause: error,
      });
    }
    const body = (await response.text().catch(() => '')).trim();
    // 202 "0: Accepted for delivery" / "3: Queued for later delivery"; 503 when the smsbox
    // cannot reach bearerbox; 4xx for a request Kannel will never accept (bad number, auth).
    if (response.status === 202 || response.status === 200) return {};
    if (response.status === 429 || /throttl/i.test(body)) {
      throw new KhiwError('SMS_THROTTLED', `Kannel throttled: ${body}`, {
        retryAfterMs: retryAfterMs(response),
      });
    }
    if (response.status === 503) throw new KhiwError('SMS_UNAVAILABLE', `Kannel 503: ${body}`);
    if (response.status >= 500) throw new KhiwError('SMS_TRANSIENT', `Kannel ${response.status}: ${body}`);
    throw new KhiwError('SMS_REJECTED', `Kannel refused ${response.status}: ${body}`);
  }

  /**
   * Whether the smsbox answers and takes our credentials, for the ops console (not
   * readiness: SMS wait in the queue during an outage). A sendsms call without a receiver
   * sends nothing: Kannel answers 400 once the credentials pass, 403 when they do not.
   */
  async probe(): Promise<void> {
    const { sendsmsUrl, username, password } = this.settings;
    const url = new URL(sendsmsUrl);
    url.search = new URLSearchParams({ username, password }).toString();
    let response: Response;
    try {
      response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    } catch (error) {
      const code = (error as { cause?: { code?: string } }).cause?.code;
      throw new Error(`Kannel unreachable (${code ?? (error as Error).message})`, { cause: error });
    }
    await response.body?.cancel();
    if (response.status === 403) throw new Error('Kannel refuses the sendsms credentials');
    if (response.status >= 500) throw new Error(`Kannel answers ${response.status}`);
  }
}

function retryAfterMs(response: Response): number | undefined {
  const seconds = Number(response.headers.get('retry-after'));
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined;
}

/** Kannel DLR type bits: 1 delivered, 2 failed, 4 buffered, 8 SMSC accepted, 16 SMSC rejected. */
export function kannelDeliveryStatus(code: number): DeliveryStatus {
  if (code & 1) return 'delivered';
  if (code & 2 || code & 16) return 'failed';
  if (code & 8) return 'accepted';
  return 'buffered';
}
