import { timingSafeEqual } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { z } from 'zod';
import { INTERNAL_TOKEN_HEADER } from '@khiw/contracts';
import { answerForError, fieldsOf, NOT_JSON_FIELDS, sendAnswer, sendProblem } from './internal-answer';

/** True when no token is configured or `given` is it (compared in constant time). */
export function tokenAccepted(token: string | undefined, given: string | string[] | undefined): boolean {
  if (!token) return true;
  const presented = Buffer.from(String(given ?? ''));
  const expected = Buffer.from(token);
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}

/**
 * When a token is configured, every call must carry it in INTERNAL_TOKEN_HEADER (the gateway
 * does); otherwise 401 UNAUTHORIZED. Unset means not checked (local runs).
 */
export function requireInternalToken(token: string | undefined): RequestHandler {
  return (req, res, next) => {
    if (tokenAccepted(token, req.get(INTERNAL_TOKEN_HEADER))) return next();
    sendProblem(res, 'UNAUTHORIZED');
  };
}

/** What the error handler needs of a logger (pino's Logger has it). */
export interface ErrorLogger {
  error(fields: Record<string, unknown>, message: string): void;
}

/**
 * Last handler of an internal router: a KhiwError answers its code, a zod error and an
 * unreadable or oversized body answer INVALID_INPUT / BODY_TOO_LARGE; anything else is
 * logged with its stack and answers 500 INTERNAL (the JSON envelope, never express's page).
 */
export function internalErrorHandler(logger: ErrorLogger): ErrorRequestHandler {
  return (err, req, res, next) => {
    const answer = answerForError(err);
    if (answer) return sendAnswer(res, answer);
    if (err instanceof z.ZodError) return sendProblem(res, 'INVALID_INPUT', fieldsOf(err));
    const type = (err as { type?: string } | null)?.type;
    if (type === 'entity.parse.failed') return sendProblem(res, 'INVALID_INPUT', { ...NOT_JSON_FIELDS });
    if (type === 'entity.too.large') return sendProblem(res, 'BODY_TOO_LARGE');
    // Any other refusal of the body parser (a charset or content encoding it does not read, a
    // gzip body that does not inflate) or a path parameter express cannot decode (`%ff`).
    const status = (err as { status?: unknown } | null)?.status;
    const forClient = (err as { expose?: unknown } | null)?.expose === true || err instanceof URIError;
    if (forClient && (status === 400 || status === 415)) return sendProblem(res, 'INVALID_INPUT');
    logger.error({ err, method: req.method, path: req.path }, 'internal route failed');
    // Mid-answer (a stream already started): only express can end it, by cutting the socket.
    if (res.headersSent) return next(err);
    sendProblem(res, 'INTERNAL');
  };
}

/** After an internal API's routes: an address no route took answers NOT_FOUND, not express's HTML. */
export const internalNotFound: RequestHandler = (_req, res) => sendProblem(res, 'NOT_FOUND');

/** What Node's HTTP parser refuses before any route runs, as an answer code and its status. */
export type ParserRefusal = 'HEADERS_TOO_LARGE' | 'REQUEST_TIMEOUT' | 'MALFORMED_REQUEST';
const REFUSAL_STATUS: Record<ParserRefusal, number> = {
  HEADERS_TOO_LARGE: 431,
  REQUEST_TIMEOUT: 408,
  MALFORMED_REQUEST: 400,
};

/**
 * A server's `clientError` listener: what Node's HTTP parser refuses before any route runs
 * (headers over 16 KiB, a request line that is not HTTP, headers too slow) gets a JSON answer
 * (`bodyOf` the code: the service's envelope) rather than Node's empty 431/400, and the
 * connection is closed.
 */
export function clientErrorListener(
  bodyOf: (code: ParserRefusal) => unknown,
): (err: Error & { code?: string }, socket: Duplex) => void {
  return (err, socket) => {
    const inProgress = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (err.code === 'ECONNRESET' || !socket.writable || inProgress?.headersSent) {
      socket.destroy();
      return;
    }
    const code: ParserRefusal =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? 'HEADERS_TOO_LARGE'
        : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? 'REQUEST_TIMEOUT'
          : 'MALFORMED_REQUEST';
    const status = REFUSAL_STATUS[code];
    const body = JSON.stringify(bodyOf(code));
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
        'Content-Type: application/json; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        'Cache-Control: no-store\r\nConnection: close\r\n\r\n' +
        body,
    );
  };
}

/** The internal services' listener: `{ code }`, like every other internal answer. */
export const answerInternalClientError = clientErrorListener((code) => ({ code }));
