import { Readable } from 'node:stream';
import type { Request, Response } from 'express';
import { INTERNAL_TOKEN_HEADER } from '@khiw/contracts';
import type { Logger } from '@khiw/observability';
import {
  BookingWorkerClient,
  relayAnswer,
  unavailable,
  type BookingWorkerClientOptions,
} from '../http/booking-worker-client';

/**
 * The roster service's internal API. JSON calls and error relaying are the booking worker
 * client's (same code-only problems, same short timeouts); this adds passing a CSV download
 * through as it streams.
 */
export class RosterClient extends BookingWorkerClient {
  constructor(private readonly rosterOptions: BookingWorkerClientOptions) {
    super(rosterOptions);
  }

  /** Streams a roster GET (a CSV export) to the caller; errors are relayed like `call`. */
  async download(path: string, res: Response, timeoutMs = 120_000): Promise<void> {
    const url = new URL(path, this.rosterOptions.baseUrl);
    let upstream: globalThis.Response;
    try {
      upstream = await fetch(url, {
        headers: {
          ...(this.rosterOptions.internalToken && {
            [INTERNAL_TOKEN_HEADER]: this.rosterOptions.internalToken,
          }),
        },
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw unavailable(`roster GET ${url.pathname} failed`, error);
    }
    if (!upstream.ok || !upstream.body) {
      const answer = { status: upstream.status, body: await jsonOf(upstream) };
      return this.relay(res, answer, 'roster download', 'operator');
    }
    res.status(200).set('Cache-Control', 'no-store');
    for (const header of ['content-type', 'content-disposition']) {
      const value = upstream.headers.get(header);
      if (value) res.set(header, value);
    }
    await pipeBody(upstream.body, res);
  }
}

/**
 * Pipes a request body to `url` as it arrives (never buffered whole) and the answer back.
 * When the caller breaks off, the upstream request is aborted too, so the service on the
 * other side sees an incomplete body (the registry import then commits nothing). The
 * import's report (200 committed, 422 refused) passes as is; its problems (400, 401...) are
 * relayed like any internal answer.
 */
export async function streamUpload(
  req: Request,
  res: Response,
  target: { url: URL; internalToken?: string; timeoutMs: number; logger: Logger },
): Promise<void> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), target.timeoutMs);
  const abortIfIncomplete = () => {
    if (!req.complete) controller.abort();
  };
  req.once('close', abortIfIncomplete);
  try {
    let upstream: globalThis.Response;
    try {
      upstream = await fetch(target.url, {
        method: 'POST',
        headers: {
          'content-type': req.get('content-type') ?? 'text/csv',
          ...(target.internalToken && { [INTERNAL_TOKEN_HEADER]: target.internalToken }),
        },
        body: Readable.toWeb(req) as unknown as ReadableStream<Uint8Array>,
        duplex: 'half',
        signal: controller.signal,
      } as RequestInit);
    } catch (error) {
      if (!req.complete) return;
      throw unavailable(`upload to ${target.url.pathname} failed`, error);
    }
    // The service may answer before it read the whole upload (a bad header line): what is left
    // of the body is never read, so this connection cannot carry another request. Close it.
    if (!req.readableEnded) res.set('Connection', 'close');
    if (!upstream.ok && upstream.status !== 422) {
      const answer = { status: upstream.status, body: await jsonOf(upstream) };
      return relayAnswer(res, answer, { logger: target.logger, context: 'upload', variant: 'operator' });
    }
    res.status(upstream.status).set('Cache-Control', 'no-store');
    const type = upstream.headers.get('content-type');
    if (type) res.set('content-type', type);
    if (upstream.body) await pipeBody(upstream.body, res);
    else res.end();
  } finally {
    clearTimeout(timer);
    req.off('close', abortIfIncomplete);
  }
}

/** An error answer's JSON body, or undefined when it has none (or it is not JSON). */
async function jsonOf(upstream: globalThis.Response): Promise<unknown> {
  const text = await upstream.text().catch(() => '');
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

async function pipeBody(body: ReadableStream<Uint8Array>, res: Response): Promise<void> {
  for await (const chunk of Readable.fromWeb(body as import('node:stream/web').ReadableStream<Uint8Array>)) {
    if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve));
  }
  res.end();
}
