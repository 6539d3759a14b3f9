import type { Response } from 'express';
import { Pool } from 'undici';
import { z } from 'zod';
import { INTERNAL_TOKEN_HEADER } from '@khiw/contracts';
import { KhiwError } from '@khiw/errors';
import type { Logger } from '@khiw/observability';
import { fieldErrorsOfAnswer } from './field-errors';
import { answerProblem, sendProblem } from './problem';
import { isPersonFacingCode, problemMessage, type MessageVariant } from './problem-messages';

export interface WorkerAnswer {
  status: number;
  body: unknown;
}

export interface BookingWorkerClientOptions {
  baseUrl: string;
  timeoutMs: number;
  internalToken?: string;
  logger: Logger;
  /** Most connections kept to the service (32). */
  connections?: number;
}

/**
 * Calls the booking worker's internal API (`/internal/...`), and the roster's (same shape).
 * Short timeouts: a resident waiting on a stuck worker is worse than a clear "try again"
 * while it recovers. undici's `request` over a keep-alive pool rather than global fetch:
 * every resident look-up makes one of these calls, and fetch (WHATWG streams on top of the
 * same undici) cost several times the CPU of the look-up itself (docs/roster.md).
 */
export class BookingWorkerClient {
  private readonly pool: Pool;

  constructor(private readonly options: BookingWorkerClientOptions) {
    // A bounded pool: a burst queues here instead of opening hundreds of sockets at once.
    this.pool = new Pool(new URL(options.baseUrl).origin, {
      connections: options.connections ?? 32,
      connect: { timeout: options.timeoutMs },
    });
  }

  /**
   * One JSON call; the whole exchange (connect, send, the complete answer) must finish within
   * `timeoutMs`, else BOOKING_SERVICE_UNAVAILABLE (a 503 to the caller), like a refused
   * connection or a broken answer.
   */
  async call(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH',
    path: string,
    body?: unknown,
    timeoutMs = this.options.timeoutMs,
  ): Promise<WorkerAnswer> {
    const url = new URL(path, this.options.baseUrl);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.options.internalToken) headers[INTERNAL_TOKEN_HEADER] = this.options.internalToken;
    const signal = AbortSignal.timeout(timeoutMs);
    let answer: Awaited<ReturnType<Pool['request']>>;
    try {
      answer = await this.pool.request({
        method,
        path: url.pathname + url.search,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
    } catch (error) {
      throw unavailable(`${method} ${url.pathname} failed`, error);
    }
    let text: string;
    try {
      text = await answer.body.text();
    } catch (error) {
      throw unavailable(`${method} ${url.pathname} broke off`, error);
    }
    return { status: answer.statusCode, body: parseJson(text) };
  }

  /** Closes the pool's connections (shutdown). */
  close(): Promise<void> {
    return this.pool.close();
  }

  /**
   * Passes an answer on: 2xx as is; a 4xx problem (its code and field entries) worded in
   * the gateway's envelope, in the route's `variant`; anything else is the service's fault
   * or ours (401/403: the two sides disagree on INTERNAL_API_TOKEN), which the caller sees as
   * a 503 to retry.
   */
  relay(res: Response, answer: WorkerAnswer, context: string, variant?: MessageVariant): void {
    relayAnswer(res, answer, { logger: this.options.logger, context, variant });
  }
}

/** The whole exchange failed: the caller gets BOOKING_SERVICE_UNAVAILABLE (503, Retry-After). */
export function unavailable(what: string, cause: unknown): KhiwError<'BOOKING_SERVICE_UNAVAILABLE'> {
  return new KhiwError('BOOKING_SERVICE_UNAVAILABLE', `upstream ${what}`, { cause });
}

/** BookingWorkerClient.relay, for answers read some other way (a streamed upload or download). */
export function relayAnswer(
  res: Response,
  answer: WorkerAnswer,
  how: { logger: Logger; context: string; variant?: MessageVariant },
): void {
  res.set('Cache-Control', 'no-store');
  if (answer.status >= 200 && answer.status < 300) {
    if (answer.body === undefined) res.status(answer.status).end();
    else res.status(answer.status).json(answer.body);
    return;
  }
  const problem = problemOf(answer.body);
  if (
    answer.status >= 400 &&
    answer.status < 500 &&
    answer.status !== 401 &&
    answer.status !== 403 &&
    problem
  ) {
    if (!isPersonFacingCode(problem.code)) {
      how.logger.warn({ code: problem.code, context: how.context }, 'a problem code without words');
    }
    answerProblem(res, answer.status, {
      code: problem.code,
      message: problemMessage(problem.code, how.variant),
      ...(problem.fields && { fields: fieldErrorsOfAnswer(problem.fields) }),
    });
    return;
  }
  if (answer.status === 404) return sendProblem(res, 'NOT_FOUND');
  how.logger.warn({ status: answer.status, context: how.context }, 'upstream answered with an error');
  sendProblem(res, 'BOOKING_SERVICE_UNAVAILABLE');
}

/**
 * contracts' InternalProblem, read leniently: any code (a newer service may answer codes this
 * gateway has no words for yet) and any field values (each is worded on its own).
 */
const ServiceProblem = z.object({
  code: z.string().min(1).max(64),
  fields: z.record(z.string(), z.unknown()).optional(),
});

/** The problem of an internal answer (bare, or in the `{ error }` envelope), or undefined. */
function problemOf(body: unknown): z.infer<typeof ServiceProblem> | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const candidate = 'error' in body ? (body as { error: unknown }).error : body;
  const parsed = ServiceProblem.safeParse(candidate);
  return parsed.success ? parsed.data : undefined;
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
