import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import type { z } from 'zod';
import { KhiwError, WAITING_ROOM_CODES, type PersonFacingCode } from '@khiw/errors';
import { clientErrorListener } from '@khiw/internal-api';
import type { Counter, Logger } from '@khiw/observability';
import { fieldErrorsOf, type FieldErrors } from './field-errors';
import {
  FIELD_MESSAGES,
  isPersonFacingCode,
  problemMessage,
  type Localized,
  type MessageVariant,
} from './problem-messages';

/** Residents read these: every error carries a stable code and a message in Thai and English. */
export interface Problem {
  code: string;
  message: Localized;
  fields?: FieldErrors;
}

/** The HTTP status of each code the gateway answers with (a relayed answer keeps the service's). */
const STATUS: { readonly [C in PersonFacingCode]: number } = {
  NOT_ELIGIBLE_PROVINCE: 409,
  NOT_ELIGIBLE_AGE: 409,
  ALREADY_VACCINATED: 409,
  ALREADY_BOOKED: 409,
  SLOT_FULL: 409,
  SOLD_OUT: 409,
  CAMPAIGN_CLOSED: 409,
  UNKNOWN_CAMPAIGN: 409,
  UNKNOWN_GROUP: 404,
  UNKNOWN_SITE: 409,
  UNKNOWN_SLOT: 400,
  SITE_MISMATCH: 409,
  DOCUMENT_NOT_ACCEPTED: 409,
  CHANNEL_NOT_OFFERED: 409,
  CHANNEL_CLOSED: 409,
  PROCESSING_FAILED: 409,
  INVALID_INPUT: 400,
  MALFORMED_JSON: 400,
  BODY_TOO_LARGE: 413,
  MALFORMED_REQUEST: 400,
  HEADERS_TOO_LARGE: 431,
  REQUEST_TIMEOUT: 408,
  UNAUTHORIZED: 401,
  NOT_FOUND: 404,
  ORGANISATION_LIST_MALFORMED: 422,
  ORGANISATION_NOT_REGISTERED: 403,
  ORGANISATION_CAP_REACHED: 409,
  DUPLICATE_IN_LIST: 409,
  ALREADY_CANCELLED: 409,
  QUOTA_BELOW_BOOKED: 409,
  QUOTAS_OVER_TOTAL: 409,
  SITE_SCOPE_REQUIRED: 403,
  SITE_FORBIDDEN: 403,
  CAMPAIGN_FORBIDDEN: 403,
  PARTNER_CREDENTIALS_INVALID: 401,
  PARTNER_CHANNEL_FORBIDDEN: 403,
  PARTNER_TICKET_FORBIDDEN: 403,
  IMPORT_ABORTED: 400,
  RATE_LIMITED: 429,
  TOKEN_MISSING: 401,
  TOKEN_INVALID: 401,
  TOKEN_EXPIRED: 401,
  TOKEN_WRONG_AUDIENCE: 403,
  TOKEN_WRONG_TYPE: 403,
  TICKET_UNKNOWN: 403,
  TICKET_TAMPERED: 403,
  ROLE_FORBIDDEN: 403,
  CHALLENGE_INVALID: 400,
  PROOF_OF_WORK_INVALID: 400,
  CAMPAIGN_NOT_FOUND: 404,
  QUEUE_FINAL: 409,
  QUEUE_ALREADY_STARTED: 409,
  ACCESS_EXPIRED: 403,
  ACCESS_EXHAUSTED: 403,
  TEMPORARILY_UNAVAILABLE: 503,
  BOOKING_SERVICE_UNAVAILABLE: 503,
  SUBMIT_BUSY: 503,
  INTERNAL: 500,
};

/** Retry-After of a 503 when the error names no wait of its own (a 429 always names one). */
const RETRY_AFTER_SECONDS: Partial<Record<PersonFacingCode, number>> = {
  TEMPORARILY_UNAVAILABLE: 5,
  BOOKING_SERVICE_UNAVAILABLE: 5,
  SUBMIT_BUSY: 2,
};

/** What is wrong with the body as a whole, for the codes that are about it. */
const BODY_FIELDS: Partial<Record<PersonFacingCode, FieldErrors>> = {
  MALFORMED_JSON: { '(body)': FIELD_MESSAGES.bodyNotJson },
  BODY_TOO_LARGE: { '(body)': FIELD_MESSAGES.bodyTooLarge },
};

const WAITING_ROOM: ReadonlySet<string> = new Set(WAITING_ROOM_CODES);

/** Sends a problem as it is: `{ error: problem }`, never cached. */
export function answerProblem(
  res: Response,
  status: number,
  problem: Problem,
  retryAfterSeconds?: number,
): void {
  if (retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(retryAfterSeconds));
  if (status === 401) res.setHeader('WWW-Authenticate', 'Bearer error="invalid_token"');
  res.setHeader('Cache-Control', 'no-store');
  res.status(status).json({ error: problem });
}

export interface ProblemOptions {
  fields?: FieldErrors;
  /** The route's wording, where a code reads differently there (MESSAGE_VARIANTS). */
  variant?: MessageVariant;
  retryAfterSeconds?: number;
}

/** Answers `code` with its status, its words and, for 401, 429 and 503, their headers. */
export function sendProblem(res: Response, code: PersonFacingCode, options: ProblemOptions = {}): void {
  const fields = options.fields ?? BODY_FIELDS[code];
  answerProblem(
    res,
    STATUS[code],
    { code, message: problemMessage(code, options.variant), ...(fields && { fields }) },
    options.retryAfterSeconds ?? RETRY_AFTER_SECONDS[code],
  );
}

/** The parsed value, or undefined after answering 400 INVALID_INPUT with the field errors. */
export function parseInput<S extends z.ZodType>(
  res: Response,
  schema: S,
  source: unknown,
  variant?: MessageVariant,
): z.infer<S> | undefined {
  const parsed = schema.safeParse(source);
  if (parsed.success) return parsed.data;
  sendProblem(res, 'INVALID_INPUT', { fields: fieldErrorsOf(parsed.error), variant });
  return undefined;
}

// ioredis' words for a connection that is down: the request may succeed once it is back.
const REDIS_DOWN = /Connection is closed|ECONNREFUSED|max retries|Stream isn't writeable/i;

/** An http-errors 400 or 415 that body-parser raised (`expose`: meant for the client). */
function isUnreadableBody(err: unknown): boolean {
  const { status, expose } = (err ?? {}) as { status?: unknown; expose?: unknown };
  return expose === true && (status === 400 || status === 415);
}

/** The error as a KhiwError the gateway can answer, or undefined for a bug (a 500). */
function khiwErrorOf(err: unknown): KhiwError | undefined {
  if (KhiwError.is(err)) return err;
  const type = (err as { type?: unknown } | null)?.type;
  if (type === 'entity.parse.failed')
    return new KhiwError('MALFORMED_JSON', 'body is not JSON', { cause: err });
  if (type === 'entity.too.large') return new KhiwError('BODY_TOO_LARGE', 'body too large', { cause: err });
  // express could not decode a path parameter (`%ff`): the address is malformed, not a bug.
  if (err instanceof URIError && (err as { status?: unknown }).status === 400)
    return new KhiwError('INVALID_INPUT', err.message, { cause: err });
  // Any other refusal of the body parser (a charset or content encoding it does not read, a
  // gzip body that does not inflate): the body is unreadable, the client's fault, not a bug.
  if (isUnreadableBody(err)) return new KhiwError('MALFORMED_JSON', 'body unreadable', { cause: err });
  const message = err instanceof Error ? err.message : String(err);
  if (REDIS_DOWN.test(message)) return new KhiwError('TEMPORARILY_UNAVAILABLE', message, { cause: err });
  return undefined;
}

export interface ProblemHandlerDeps {
  logger: Logger;
  /** Tickets, access and ops tokens refused (401/403 of the waiting room's codes), by code. */
  tokensRefused: Counter<'code'>;
}

/**
 * The app's last handler, the one place errors become answers: a KhiwError with a code a
 * person may see answers its status and words (WWW-Authenticate on 401, Retry-After on
 * 503); body-parser errors are MALFORMED_JSON / BODY_TOO_LARGE, Redis away is a 503; any
 * other error is a bug, logged and answered 500.
 */
export function problemHandler(deps: ProblemHandlerDeps): ErrorRequestHandler {
  return (err, req, res, next) => {
    // A stream that broke after its first bytes: nothing to answer, express ends the socket.
    if (res.headersSent) return next(err);
    // Refused before its body was read (an upload without a token): the rest of the body is
    // still on the wire, so this connection is closed after the answer rather than reused.
    if (hasUnreadBody(req)) res.set('Connection', 'close');
    const error = khiwErrorOf(err);
    if (!error || !isPersonFacingCode(error.code)) {
      deps.logger.error({ err }, 'unhandled request error');
      return sendProblem(res, 'INTERNAL');
    }
    const status = STATUS[error.code];
    if ((status === 401 || status === 403) && WAITING_ROOM.has(error.code)) {
      deps.tokensRefused.inc({ code: error.code });
    }
    const retryAfterSeconds =
      error.retryAfterMs === undefined ? undefined : Math.max(1, Math.ceil(error.retryAfterMs / 1000));
    sendProblem(res, error.code, { retryAfterSeconds });
  };
}

/**
 * The server's `clientError` listener: what Node's HTTP parser refuses before any route runs
 * (headers over 16 KiB, a request line that is not HTTP, headers too slow) gets the JSON
 * envelope, worded, rather than Node's empty answer, and the connection is closed.
 */
export const answerClientError = clientErrorListener((code) => ({
  error: { code, message: problemMessage(code) },
}));

function hasUnreadBody(req: Request): boolean {
  const declared =
    Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
  return declared && !req.readableEnded;
}

/** Anything under /api that no route took: the JSON envelope, not express's HTML page. */
export const apiNotFound: RequestHandler = (_req, res) => sendProblem(res, 'NOT_FOUND');
