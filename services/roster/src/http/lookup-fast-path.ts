import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Request, RequestHandler, Response } from 'express';
import { INTERNAL_TOKEN_HEADER } from '@khiw/contracts';
import { NOT_JSON_FIELDS, problemAnswer, tokenAccepted, type InternalAnswer } from '@khiw/internal-api';
import type { Logger } from '@khiw/observability';
import type { LookupAppointment } from '../lookup/lookup-appointment.usecase';
import { answerLookup } from './roster.routes';

export interface LookupFastPathDeps {
  lookup: LookupAppointment;
  token?: string;
  /** The app's request metrics middleware: fast-path requests are counted like the others. */
  metrics: RequestHandler;
  logger: Logger;
}

const PATH = '/internal/lookup';
const JSON_TYPES = new Set([
  'application/json',
  'application/json; charset=utf-8',
  'application/json;charset=utf-8',
]);
/** express.json({ limit: '8kb' }) on the route. */
const LIMIT_BYTES = 8 * 1024;
/** internalErrorHandler's answer to a body express.json cannot parse. */
const NOT_JSON = problemAnswer('INVALID_INPUT', { ...NOT_JSON_FIELDS });

/**
 * POST /internal/lookup without express, in front of the express app. Residents' look-ups
 * are the one hot call (1,000/s at 09:00), and express's request handling cost more CPU than
 * the rest of the look-up together (~200 µs of ~450 µs here, docs/roster.md). Only the plain
 * case is taken: the exact path, a JSON body of known length within the limit, no encoding, the
 * right token. Anything else (a wrong token, a chunked or oversized body, another path) goes to
 * express untouched, which answers as before. Answers come from `answerLookup`, the express
 * route's own code, so they are the same bytes; an invalid JSON body gets the answer
 * internalErrorHandler gives express.json's parse failure.
 */
export function withLookupFastPath(app: RequestListener, deps: LookupFastPathDeps): RequestListener {
  return (req, res) => {
    if (!isPlainLookup(req, deps.token)) return app(req, res);
    // What the metrics middleware reads of an express request to label the route.
    Object.assign(req, { route: { path: PATH }, baseUrl: '' });
    deps.metrics(req as Request, res as Response, () => undefined);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('end', () => {
      const body = parseJsonBody(Buffer.concat(chunks));
      const answer = body.ok ? answerLookup(deps.lookup, body.value) : Promise.resolve(NOT_JSON);
      answer.then(
        (result) => sendJson(res, result),
        (error: unknown) => {
          deps.logger.error({ err: error }, 'look-up failed');
          if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
          res.end('Internal Server Error');
        },
      );
    });
  };
}

function isPlainLookup(req: IncomingMessage, token: string | undefined): boolean {
  if (req.method !== 'POST' || req.url !== PATH) return false;
  const type = req.headers['content-type']?.toLowerCase();
  if (!type || !JSON_TYPES.has(type)) return false;
  if (req.headers['content-encoding'] !== undefined || req.headers['transfer-encoding'] !== undefined)
    return false;
  const length = Number(req.headers['content-length']);
  if (!(Number.isInteger(length) && length > 0 && length <= LIMIT_BYTES)) return false;
  return tokenAccepted(token, req.headers[INTERNAL_TOKEN_HEADER]);
}

/** As express.json: UTF-8 without its BOM, strict (object or array), else a parse failure. */
function parseJsonBody(raw: Buffer): { ok: true; value: unknown } | { ok: false } {
  let text = raw.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  // body-parser's strict mode: an object or an array, after JSON whitespace.
  const first = text.trimStart().charAt(0);
  if (first !== '{' && first !== '[') return { ok: false };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** As express's res.status().set('Cache-Control', 'no-store').json() with etag off. */
function sendJson(res: ServerResponse, answer: InternalAnswer): void {
  const text = JSON.stringify(answer.body);
  res.writeHead(answer.status, {
    'cache-control': 'no-store',
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
