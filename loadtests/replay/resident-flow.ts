/**
 * One resident through the whole path, as the queue and booking pages drive it
 * (services/gateway/public/queue, public/book): challenge and proof-of-work, join, status
 * polls at the server's pollAfterSeconds, admission, the booking (and family members'
 * with the same place), the request poll, "done". 429 and 503 are retried after
 * Retry-After (the page's backoff); a full slot is replaced by another free time at the
 * same site, as the page offers. Every step's time is recorded for the report.
 */
import { solveProofOfWork } from '../../services/gateway/src/waiting-room/proof-of-work';
import type { Answer, ReplayClient } from './client';
import type { SyntheticResident, ResidentForm } from './residents';

export type Endpoint = 'challenge' | 'join' | 'status' | 'submit' | 'request' | 'slots' | 'release';

/** Times in ms since the opening; 0 = never. */
export interface PersonRecord {
  i: number;
  arrive: number;
  joined: number;
  /** When the person stopped waiting: admitted, gave up, or told the doses are gone. */
  left: number;
  admitted: number;
  /** The first booking's submit, its 202, and when its poll saw the decision. */
  submitted: number;
  accepted: number;
  decided: number;
  outcome: string;
  bookings: string[];
  /** 202s received (the resident and family members). */
  accepts: number;
  slotFull: number;
}

export interface FlowStats {
  requests: Record<Endpoint, number>;
  /** Status codes other than 2xx by endpoint and code, with "-no-retry-after" for 429/503 without it. */
  codes: Record<string, number>;
  networkErrors: number;
  latencies: Record<Endpoint, number[]>;
}

export function emptyStats(): FlowStats {
  const zero = () => ({ challenge: 0, join: 0, status: 0, submit: 0, request: 0, slots: 0, release: 0 });
  const lists = () => ({
    challenge: [],
    join: [],
    status: [],
    submit: [],
    request: [],
    slots: [],
    release: [],
  });
  return { requests: zero(), codes: {}, networkErrors: 0, latencies: lists() };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
const jitter = (seconds: number) => seconds * 1000 * (0.9 + Math.random() * 0.2);
const backoff = (attempt: number, retryAfter?: number) =>
  Math.max(
    (retryAfter ?? 0) * 1000,
    Math.random() * Math.min(30_000, 1000 * 2 ** Math.min(attempt, 5)) + 500,
  );

export class ResidentFlow {
  stopped = false;

  constructor(
    private readonly client: ReplayClient,
    private readonly campaignId: string,
    private readonly opening: number,
    private readonly stats: FlowStats,
    /** Latencies are sampled (1 in n requests) to bound memory in a million-person run. */
    private readonly sampleEvery: number,
  ) {}

  /** ms from the opening; never 0, which a record reads as "never". */
  private now(): number {
    return Date.now() - this.opening || 1;
  }

  async run(person: SyntheticResident, arrive: number): Promise<PersonRecord> {
    const r: PersonRecord = {
      i: person.index,
      arrive,
      joined: 0,
      left: 0,
      admitted: 0,
      submitted: 0,
      accepted: 0,
      decided: 0,
      outcome: 'error',
      bookings: [],
      accepts: 0,
      slotFull: 0,
    };
    try {
      r.outcome = await this.walk(person, r);
    } catch (error) {
      r.outcome = this.stopped ? 'stopped' : `error ${(error as Error).message}`;
    }
    return r;
  }

  private async walk(person: SyntheticResident, r: PersonRecord): Promise<string> {
    const i = person.index;
    const base = `/api/campaigns/${encodeURIComponent(this.campaignId)}`;
    let joined: Answer | undefined;
    for (let attempt = 0; attempt < 4; attempt++) {
      const challenge = await this.until(i, 'challenge', 'GET', `${base}/queue/challenge`);
      if (challenge.status !== 200) return `refused challenge ${code(challenge)}`;
      const nonce = solveProofOfWork(challenge.body.challenge as string, challenge.body.difficulty as number);
      joined = await this.until(i, 'join', 'POST', `${base}/queue`, {
        body: { challenge: challenge.body.challenge, nonce },
      });
      if (joined.status !== 400) break; // an expired challenge: a fresh one, as the page does
    }
    if (!joined || joined.status >= 400) return `refused join ${joined ? code(joined) : 'none'}`;
    r.joined = this.now();
    let ticket: string = joined.body.ticket;
    let answer = joined.body;
    let polls = 0;
    while (answer.state === 'waiting' || answer.state === 'prequeue') {
      if (person.abandonAfterPolls !== null && polls >= person.abandonAfterPolls) {
        r.left = this.now();
        return 'abandoned';
      }
      await sleep(jitter(answer.pollAfterSeconds ?? 2));
      polls++;
      if (person.refreshAfterPolls === polls) {
        // A reload: the page asks for the status at once with the ticket it kept.
        await this.until(i, 'status', 'GET', '/api/queue/status', { token: ticket });
      }
      const status = await this.until(i, 'status', 'GET', '/api/queue/status', { token: ticket });
      if (status.status !== 200) return `refused status ${code(status)}`;
      ticket = status.body.ticket ?? ticket;
      answer = status.body;
    }
    r.left = this.now();
    const token: string | undefined = answer.accessToken ?? answer.standbyAccessToken;
    if (!token) return `queue ${answer.state}`;
    r.admitted = this.now();
    let outcome = '';
    for (const form of person.forms) {
      const result = await this.book(i, token, form, r);
      outcome ||= result;
      if (result === 'sold_out' || result.startsWith('refused')) break;
    }
    if (person.release && answer.accessToken) {
      await this.until(i, 'release', 'POST', '/api/queue/release', {
        token: answer.accessToken,
        body: { campaignId: this.campaignId },
      });
    }
    return answer.accessToken ? outcome : `standby-offer ${outcome}`;
  }

  private async book(i: number, token: string, first: ResidentForm, r: PersonRecord): Promise<string> {
    let form = first;
    for (let tries = 0; tries < 4; tries++) {
      if (!r.submitted) r.submitted = this.now();
      const sent = await this.until(i, 'submit', 'POST', '/api/bookings', {
        token,
        body: { campaignId: this.campaignId, ...form },
      });
      if (sent.status !== 202) return `refused submit ${code(sent)}`;
      r.accepts++;
      if (!r.accepted) r.accepted = this.now();
      const decision = await this.decision(i, sent.body.requestId as string, sent.body.pollAfterSeconds ?? 1);
      if (!r.decided) r.decided = this.now();
      if (decision.status === 'confirmed') {
        r.bookings.push(decision.booking.bookingId as string);
        return 'confirmed';
      }
      if (decision.status === 'standby') return 'standby';
      if (decision.reason === 'SLOT_FULL') {
        r.slotFull++;
        const other = await this.freeSlot(i, form.siteId, form.slotId);
        if (!other) return 'refused SITE_FULL';
        form = { ...form, slotId: other };
        continue;
      }
      return decision.reason === 'SOLD_OUT' ? 'sold_out' : `refused ${String(decision.reason)}`;
    }
    return 'refused SLOT_FULL';
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private async decision(i: number, requestId: string, pollAfter: number): Promise<Record<string, any>> {
    let wait = jitter(pollAfter);
    for (;;) {
      await sleep(wait);
      const polled = await this.until(i, 'request', 'GET', `/api/bookings/requests/${requestId}`);
      if (polled.status !== 200) return { status: 'rejected', reason: `poll ${code(polled)}` };
      if (polled.body.status !== 'pending') return polled.body;
      wait = jitter(polled.body.pollAfterSeconds ?? 1);
    }
  }

  /** Another time with places left at the same site, as the booking page offers it. */
  private async freeSlot(i: number, siteId: string, taken: string): Promise<string | undefined> {
    const answer = await this.until(
      i,
      'slots',
      'GET',
      `/api/campaigns/${encodeURIComponent(this.campaignId)}/sites/${siteId}/slots`,
    );
    const slots = (answer.body.slots ?? []) as Array<{ id: string; remaining?: number }>;
    const free = slots.filter((s) => s.id !== taken && (s.remaining ?? 1) > 0);
    return free[Math.floor(Math.random() * free.length)]?.id;
  }

  private async until(
    i: number,
    endpoint: Endpoint,
    method: string,
    path: string,
    options: { token?: string; body?: unknown } = {},
  ): Promise<Answer> {
    for (let attempt = 0; ; attempt++) {
      if (this.stopped) throw new Error('stopped');
      const started = performance.now();
      const answer = await this.client.request(i, method, path, options);
      this.stats.requests[endpoint]++;
      if (this.stats.requests[endpoint] % this.sampleEvery === 0)
        this.stats.latencies[endpoint].push(performance.now() - started);
      if (answer.status === 0) {
        this.stats.networkErrors++;
        const key = `${endpoint} network ${String(answer.body.network)}`;
        this.stats.codes[key] = (this.stats.codes[key] ?? 0) + 1;
      } else if (answer.status >= 300 || answer.status < 200) {
        const missing = (answer.status === 429 || answer.status === 503) && answer.retryAfter === undefined;
        const key = `${endpoint} ${answer.status}${missing ? '-no-retry-after' : ''}`;
        this.stats.codes[key] = (this.stats.codes[key] ?? 0) + 1;
      }
      // As the pages do (shared/http.js retryUntilAnswered): again until answered, never
      // sooner than Retry-After; the run's deadline stops whoever is still trying.
      const retriable = answer.status === 0 || answer.status === 429 || answer.status >= 500;
      if (!retriable) return answer;
      await sleep(backoff(attempt, answer.retryAfter));
    }
  }
}

function code(answer: Answer): string {
  return String(answer.body?.error?.code ?? answer.status);
}
