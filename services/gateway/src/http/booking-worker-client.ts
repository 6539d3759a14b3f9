import type { Response } from 'express';
import { z } from 'zod';
import { INTERNAL_TOKEN_HEADER } from '@khiw/contracts';
import type { Logger } from '@khiw/observability';
import { PROBLEMS, sendProblem } from './problem';

export interface WorkerAnswer {
  status: number;
  body: unknown;
}

export interface BookingWorkerClientOptions {
  baseUrl: string;
  timeoutMs: number;
  internalToken?: string;
  logger: Logger;
}

/** The worker could not be reached or did not answer in time: residents get a 503. */
export class BookingWorkerUnavailable extends Error {
  readonly code = 'BOOKING_SERVICE_UNAVAILABLE';
  readonly retriable = true;
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = 'BookingWorkerUnavailable';
  }
}

/**
 * Calls the booking worker's internal API (`/internal/...`). Short timeouts: a resident
 * waiting on a stuck worker is worse than a clear "try again" while it recovers.
 */
export class BookingWorkerClient {
  constructor(private readonly options: BookingWorkerClientOptions) {}

  async call(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH',
    path: string,
    body?: unknown,
    timeoutMs = this.options.timeoutMs,
  ): Promise<WorkerAnswer> {
    const url = new URL(path, this.options.baseUrl);
    let response: globalThis.Response;
    try {
      response = await fetch(url, {
        method,
        headers: {
          accept: 'application/json',
          ...(body !== undefined && { 'content-type': 'application/json' }),
          ...(this.options.internalToken && { [INTERNAL_TOKEN_HEADER]: this.options.internalToken }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new BookingWorkerUnavailable(`booking worker ${method} ${url.pathname} failed`, { cause: error });
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      throw new BookingWorkerUnavailable(`booking worker ${method} ${url.pathname} broke off`, {
        cause: error,
      });
    }
    let parsed: unknown = undefined;
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
    }
    return { status: response.status, body: parsed };
  }

  /**
   * Passes a worker answer on: 2xx as is; 4xx with its problem (code, Thai and English
   * message, field errors) in the gateway's envelope; anything else is the worker's fault,
   * which residents see as a 503 to retry.
   */
  relay(res: Response, answer: WorkerAnswer, context: string): void {
    res.set('Cache-Control', 'no-store');
    if (answer.status >= 200 && answer.status < 300) {
      if (answer.body === undefined) res.status(answer.status).end();
      else res.status(answer.status).json(answer.body);
      return;
    }
    const problem = problemOf(answer.body);
    // 401/403 from the worker means the two sides disagree on INTERNAL_API_TOKEN: ours to fix.
    if (
      answer.status >= 400 &&
      answer.status < 500 &&
      answer.status !== 401 &&
      answer.status !== 403 &&
      problem
    ) {
      sendProblem(res, answer.status, problem);
      return;
    }
    if (answer.status === 404) {
      sendProblem(res, 404, PROBLEMS.notFound);
      return;
    }
    this.options.logger.warn({ status: answer.status, context }, 'booking worker answered with an error');
    res.setHeader('Retry-After', '5');
    sendProblem(res, 503, PROBLEMS.bookingServiceUnavailable);
  }
}

/** contracts' InternalProblem, with any code: the worker may add codes before the gateway knows them. */
const WorkerProblem = z.object({
  code: z.string().min(1).max(64),
  message: z.object({ th: z.string(), en: z.string() }),
  fields: z.record(z.string(), z.object({ th: z.string(), en: z.string() })).optional(),
});
type WorkerProblem = z.infer<typeof WorkerProblem>;

/** The worker's InternalProblem, bare or in the `{ error }` envelope the gateway uses. */
export function problemOf(body: unknown): WorkerProblem | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const candidate = 'error' in body ? (body as { error: unknown }).error : body;
  const parsed = WorkerProblem.safeParse(candidate);
  return parsed.success ? parsed.data : undefined;
}
