import type { Response } from 'express';
import { Pool } from 'undici';
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
  /** Most connections kept to the service (32). */
  connections?: number;
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
   * `timeoutMs`, else BookingWorkerUnavailable, like a refused connection or a broken answer.
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
      throw new BookingWorkerUnavailable(`booking worker ${method} ${url.pathname} failed`, { cause: error });
    }
    let text: string;
    try {
      text = await answer.body.text();
    } catch (error) {
      throw new BookingWorkerUnavailable(`booking worker ${method} ${url.pathname} broke off`, {
        cause: error,
      });
    }
    return { status: answer.statusCode, body: parseJson(text) };
  }

  /** Closes the pool's connections (shutdown). */
  close(): Promise<void> {
    return this.pool.close();
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

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
