import { ReplayClient, type Answer } from '../../loadtests/replay/client';

/**
 * A crowd of residents driven as the queue and booking pages drive one (services/gateway/
 * public/queue, public/book): get a challenge and join the waiting room, poll the status as
 * told (capped at STATUS_POLL_CAP_MS so a test ends), submit the form with the access token
 * (or, after sell-out, the standby token), poll the request, and send the same body again
 * when the gateway no longer knows the request. A network failure, 429 or 5xx is retried
 * after the page's backoff, never sooner than Retry-After. Everything seen is recorded for
 * the test to judge.
 */
export interface Resident {
  /** The booking form (without campaignId), as the page would send it. */
  form: Record<string, string>;
}

export type Outcome =
  | { kind: 'confirmed'; requestId: string; bookingId: string }
  | { kind: 'standby'; requestId: string }
  | { kind: 'refused'; reason: string; requestId?: string };

/** One queue status (or join) answer: the order check reads these. */
export interface StatusRecord {
  person: number;
  /** A join answer shows the serving number of a view up to a second old; a poll, its own. */
  source: 'join' | 'status';
  queueNumber: number | null;
  state: string;
  serving: number;
  sentAt: number;
  receivedAt: number;
}

export type Endpoint = 'challenge' | 'join' | 'queue-status' | 'submit' | 'request-status';

const STATUS_POLL_CAP_MS = 5000;
const MAX_RESUBMITS = 3;
const TIMEOUT_MS = 15_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** The page's backoff (public/shared/http.js): full jitter, capped, never before Retry-After. */
const backoff = (attempt: number, retryAfter?: number) =>
  Math.max(
    (retryAfter ?? 0) * 1000,
    Math.random() * Math.min(30_000, 1000 * 2 ** Math.min(attempt, 5)) + 500,
  );
const jitter = (seconds: number) => Math.max(1000, seconds * 1000 * (0.9 + Math.random() * 0.2));

export class ResidentCrowd {
  readonly outcomes: Array<Outcome | undefined>;
  readonly queueNumbers: Array<number | null>;
  readonly joinedAt: number[];
  /** People who had a 202 for their request. */
  readonly accepted = new Set<number>();
  readonly statusRecords: StatusRecord[] = [];
  /** 503 answers by endpoint, and those of them without Retry-After. */
  readonly unavailable = new Map<Endpoint, { count: number; withoutRetryAfter: number }>();
  /** Answers no page expects (a 5xx other than 503, an unknown ticket, a refused re-submit). */
  readonly unexpected: string[] = [];
  resubmits = 0;
  /** Joins sent again with a fresh challenge after a 400. */
  freshChallenges = 0;
  networkErrors = 0;
  requests = 0;
  /** Where each person is: arriving, queue, submit, request, done. */
  readonly stage: string[];
  private stopped = false;
  private readonly client: ReplayClient;

  constructor(
    private readonly options: {
      base: string;
      campaignId: string;
      people: Resident[];
      arrivalsPerSecond: number;
      maxSockets: number;
      /** Source addresses (127.x.y.z) spread over, so per-network limits see many networks. */
      addresses?: string[];
    },
  ) {
    this.outcomes = new Array(options.people.length).fill(undefined);
    this.queueNumbers = new Array(options.people.length).fill(null);
    this.joinedAt = new Array(options.people.length).fill(0);
    this.stage = new Array(options.people.length).fill('arriving');
    this.client = new ReplayClient(
      options.base,
      options.addresses ?? ['127.0.0.1'],
      options.maxSockets,
      TIMEOUT_MS,
    );
  }

  get decided(): number {
    return this.outcomes.filter(Boolean).length;
  }

  async run(): Promise<void> {
    const started = Date.now();
    try {
      await Promise.all(
        this.options.people.map(async (resident, i) => {
          await sleep(started + (i * 1000) / this.options.arrivalsPerSecond - Date.now());
          if (this.stopped) return;
          this.outcomes[i] = await this.person(i, resident);
          this.stage[i] = 'done';
        }),
      );
    } finally {
      this.client.close();
    }
  }

  /** Ends the run early (a failed test): every person stops at the next request. */
  stop(): void {
    this.stopped = true;
    this.client.close();
  }

  /** One line: how many people are at each stage, and what was seen. */
  progress(): string {
    const stages = new Map<string, number>();
    for (const stage of this.stage) stages.set(stage, (stages.get(stage) ?? 0) + 1);
    const outcomes = new Map<string, number>();
    for (const outcome of this.outcomes) {
      if (!outcome) continue;
      const name = outcome.kind === 'refused' ? `refused ${outcome.reason}` : outcome.kind;
      outcomes.set(name, (outcomes.get(name) ?? 0) + 1);
    }
    return (
      `${JSON.stringify(Object.fromEntries(stages))} ${JSON.stringify(Object.fromEntries(outcomes))} accepted ${this.accepted.size} requests ${this.requests}` +
      ` 503 ${JSON.stringify(Object.fromEntries(this.unavailable))} network ${this.networkErrors}` +
      ` unexpected ${this.unexpected.length} ${this.unexpected.slice(0, 3).join('; ')}`
    );
  }

  private async person(i: number, resident: Resident): Promise<Outcome> {
    const { campaignId } = this.options;
    this.stage[i] = 'join';
    let joined: Answer;
    let sentAt: number;
    for (let attempt = 0; ; attempt++) {
      const challenge = await this.until(
        i,
        'challenge',
        'GET',
        `/api/campaigns/${campaignId}/queue/challenge`,
      );
      sentAt = Date.now();
      joined = await this.until(i, 'join', 'POST', `/api/campaigns/${campaignId}/queue`, {
        body: { challenge: challenge.body.challenge, nonce: '0' },
      });
      // A used or expired challenge (a join Redis ran but whose answer the crash took): a
      // fresh one, a few times, as the queue page does.
      if (joined.status !== 400 || attempt >= 3) break;
      this.freshChallenges++;
    }
    this.joinedAt[i] = sentAt;
    if (joined.status >= 400) return { kind: 'refused', reason: `join ${problemCode(joined)}` };
    this.queueNumbers[i] = joined.body.queueNumber ?? null;
    this.record(i, 'join', joined, sentAt);
    let ticket: string | null = joined.body.ticket ?? null;
    let answer = joined.body;
    this.stage[i] = 'queue';
    while (answer.state === 'waiting' || answer.state === 'prequeue') {
      if (!ticket) return { kind: 'refused', reason: 'no ticket' };
      await sleep(Math.min(STATUS_POLL_CAP_MS, jitter(answer.pollAfterSeconds ?? 2)));
      const polledAt = Date.now();
      const status = await this.until(i, 'queue-status', 'GET', '/api/queue/status', { token: ticket });
      if (status.status >= 400) {
        this.unexpected.push(`queue status ${status.status} ${problemCode(status)}`);
        return { kind: 'refused', reason: `queue ${problemCode(status)}` };
      }
      this.record(i, 'status', status, polledAt);
      ticket = status.body.ticket ?? ticket;
      answer = status.body;
    }
    const token: string | undefined = answer.accessToken ?? answer.standbyAccessToken;
    if (!token) return { kind: 'refused', reason: `queue ${answer.state}` };
    return this.book(i, token, { campaignId, ...resident.form });
  }

  private async book(i: number, token: string, form: Record<string, string>): Promise<Outcome> {
    this.stage[i] = 'submit';
    const submitted = await this.until(i, 'submit', 'POST', '/api/bookings', { token, body: form });
    if (submitted.status !== 202) return { kind: 'refused', reason: `submit ${problemCode(submitted)}` };
    this.accepted.add(i);
    this.stage[i] = 'request';
    const requestId = submitted.body.requestId as string;
    let wait = jitter(submitted.body.pollAfterSeconds ?? 2);
    for (let resubmits = 0; ;) {
      await sleep(wait);
      const polled = await this.until(i, 'request-status', 'GET', `/api/bookings/requests/${requestId}`);
      if (polled.status === 404 && resubmits < MAX_RESUBMITS) {
        // Redis lost the request: the page sends the same body again (same id, idempotent).
        resubmits++;
        this.resubmits++;
        const again = await this.until(i, 'submit', 'POST', '/api/bookings', { token, body: form });
        if (again.status !== 202 || again.body.requestId !== requestId) {
          this.unexpected.push(`re-submit ${again.status} ${problemCode(again)}`);
          return { kind: 'refused', reason: `re-submit ${problemCode(again)}`, requestId };
        }
        wait = jitter(2);
        continue;
      }
      if (polled.status !== 200) return { kind: 'refused', reason: `poll ${problemCode(polled)}`, requestId };
      const { status, booking, reason } = polled.body;
      if (status === 'confirmed') return { kind: 'confirmed', requestId, bookingId: booking.bookingId };
      if (status === 'standby') return { kind: 'standby', requestId };
      if (status === 'rejected') return { kind: 'refused', reason, requestId };
      wait = jitter(polled.body.pollAfterSeconds ?? 2);
    }
  }

  private record(person: number, source: StatusRecord['source'], answer: Answer, sentAt: number): void {
    const { state, queueNumber, servingNumber } = answer.body;
    this.statusRecords.push({
      person,
      source,
      queueNumber: queueNumber ?? null,
      state,
      serving: Number(servingNumber),
      sentAt,
      receivedAt: Date.now(),
    });
  }

  /** Asks until the answer is one (2xx or 4xx), as the pages do. */
  private async until(
    /** The person: their requests leave from their own source address (their network). */
    person: number,
    endpoint: Endpoint,
    method: string,
    path: string,
    options: { token?: string; body?: unknown } = {},
  ): Promise<Answer> {
    for (let attempt = 0; ; attempt++) {
      if (this.stopped) throw new Error('crowd stopped');
      const answer = await this.call(person, method, path, options);
      if (answer.status === 503) {
        const seen = this.unavailable.get(endpoint) ?? { count: 0, withoutRetryAfter: 0 };
        seen.count++;
        if (answer.retryAfter === undefined) seen.withoutRetryAfter++;
        this.unavailable.set(endpoint, seen);
      } else if (answer.status >= 500) {
        this.unexpected.push(`${endpoint} ${answer.status} ${problemCode(answer)}`);
      }
      const retriable = answer.status === 0 || answer.status === 429 || answer.status >= 500;
      if (!retriable) return answer;
      await sleep(backoff(attempt, answer.retryAfter));
    }
  }

  private async call(
    person: number,
    method: string,
    path: string,
    options: { token?: string; body?: unknown },
  ): Promise<Answer> {
    this.requests++;
    const answer = await this.client.request(person, method, path, options);
    if (answer.status === 0) this.networkErrors++;
    return answer;
  }
}

function problemCode(answer: Answer): string {
  return String(answer.body?.error?.code ?? answer.status);
}
