/**
 * Every error code khiw uses, grouped by where it arises. Codes are stable strings: logs,
 * metrics, API answers and tests carry them. Only the gateway turns a code into words a
 * resident reads (services/gateway/src/http/problem-messages.ts); the services answer codes.
 */

/** Why a booking request did not become a booking or a standby place (the booking worker). */
export const REJECTION_CODES = [
  'NOT_ELIGIBLE_PROVINCE',
  'NOT_ELIGIBLE_AGE',
  'ALREADY_VACCINATED',
  'ALREADY_BOOKED',
  'SLOT_FULL',
  'SOLD_OUT',
  'CAMPAIGN_CLOSED',
  'UNKNOWN_CAMPAIGN',
  'UNKNOWN_GROUP',
  'UNKNOWN_SITE',
  'UNKNOWN_SLOT',
  'SITE_MISMATCH',
  'DOCUMENT_NOT_ACCEPTED',
  'CHANNEL_NOT_OFFERED',
  'CHANNEL_CLOSED',
  'PROCESSING_FAILED',
] as const;

/** Answers of the services' HTTP APIs (internal and public) that are not rejections. */
export const REQUEST_CODES = [
  'INVALID_INPUT',
  'MALFORMED_JSON',
  'BODY_TOO_LARGE',
  'MALFORMED_REQUEST',
  'HEADERS_TOO_LARGE',
  'REQUEST_TIMEOUT',
  'UNAUTHORIZED',
  'NOT_FOUND',
  'ALREADY_CANCELLED',
  'QUOTA_BELOW_BOOKED',
  'QUOTAS_OVER_TOTAL',
  'SITE_SCOPE_REQUIRED',
  'SITE_FORBIDDEN',
  'CAMPAIGN_FORBIDDEN',
  'PARTNER_CREDENTIALS_INVALID',
  'PARTNER_CHANNEL_FORBIDDEN',
  'PARTNER_TICKET_FORBIDDEN',
  'IMPORT_ABORTED',
  'RATE_LIMITED',
  // Organisation lists (issue 11): the file, the organisation, one row.
  'ORGANISATION_LIST_MALFORMED',
  'ORGANISATION_NOT_REGISTERED',
  'ORGANISATION_CAP_REACHED',
  'DUPLICATE_IN_LIST',
] as const;

/** The waiting room's refusals: tokens, tickets, challenges, the queue's state. */
export const WAITING_ROOM_CODES = [
  'TOKEN_MISSING',
  'TOKEN_INVALID',
  'TOKEN_EXPIRED',
  'TOKEN_WRONG_AUDIENCE',
  'TOKEN_WRONG_TYPE',
  'TICKET_UNKNOWN',
  'TICKET_TAMPERED',
  'ROLE_FORBIDDEN',
  'CHALLENGE_INVALID',
  'PROOF_OF_WORK_INVALID',
  'CAMPAIGN_NOT_FOUND',
  'QUEUE_FINAL',
  'QUEUE_ALREADY_STARTED',
  'ACCESS_EXPIRED',
  'ACCESS_EXHAUSTED',
] as const;

/** A part khiw depends on is away or overloaded: the caller may try again. */
export const AVAILABILITY_CODES = [
  'TEMPORARILY_UNAVAILABLE',
  'BOOKING_SERVICE_UNAVAILABLE',
  'SUBMIT_BUSY',
  'INTERNAL',
] as const;

/**
 * Why an SMS did not go through, which decides what the sender does next:
 * - SMS_THROTTLED: the gateway asks us to slow down; the whole queue pauses.
 * - SMS_UNAVAILABLE: the gateway is down and certainly did not take the message; the queue
 *   pauses and tries again, without using up the message's attempts.
 * - SMS_TRANSIENT: this message failed but may pass later; retried with backoff.
 * - SMS_IN_DOUBT: the request may have reached the gateway (a timeout after sending); the
 *   retry first looks for a delivery report before sending again.
 * - SMS_REJECTED: retrying cannot help (an invalid number); the message fails once.
 */
export const SMS_SEND_CODES = [
  'SMS_THROTTLED',
  'SMS_UNAVAILABLE',
  'SMS_TRANSIENT',
  'SMS_IN_DOUBT',
  'SMS_REJECTED',
] as const;

/** Start-up and tooling: configuration and database migrations. */
export const PLATFORM_CODES = [
  'CONFIG_INVALID',
  'MIGRATION_CHECKSUM_MISMATCH',
  'MIGRATION_PREVIOUSLY_FAILED',
  'MIGRATION_FAILED',
  'MIGRATION_LOCK_TIMEOUT',
] as const;

export const ERROR_CODES = [
  ...REJECTION_CODES,
  ...REQUEST_CODES,
  ...WAITING_ROOM_CODES,
  ...AVAILABILITY_CODES,
  ...SMS_SEND_CODES,
  ...PLATFORM_CODES,
] as const;

export type RejectionCode = (typeof REJECTION_CODES)[number];
export type RequestCode = (typeof REQUEST_CODES)[number];
export type WaitingRoomCode = (typeof WAITING_ROOM_CODES)[number];
export type AvailabilityCode = (typeof AVAILABILITY_CODES)[number];
export type SmsSendCode = (typeof SMS_SEND_CODES)[number];
export type PlatformCode = (typeof PLATFORM_CODES)[number];
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Codes a person (a resident, staff, ops) may be shown: the gateway has words for each. */
export type PersonFacingCode = RejectionCode | RequestCode | WaitingRoomCode | AvailabilityCode;

/** Codes whose errors are worth trying again unchanged, unless the thrower says otherwise. */
const RETRIABLE_BY_DEFAULT: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'PROCESSING_FAILED',
  'TEMPORARILY_UNAVAILABLE',
  'BOOKING_SERVICE_UNAVAILABLE',
  'SUBMIT_BUSY',
  'RATE_LIMITED',
  'SMS_THROTTLED',
  'SMS_UNAVAILABLE',
  'SMS_TRANSIENT',
  'SMS_IN_DOUBT',
  'MIGRATION_LOCK_TIMEOUT',
]);

const KNOWN: ReadonlySet<string> = new Set<string>(ERROR_CODES);

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && KNOWN.has(value);
}

export function retriableByDefault(code: ErrorCode): boolean {
  return RETRIABLE_BY_DEFAULT.has(code);
}
