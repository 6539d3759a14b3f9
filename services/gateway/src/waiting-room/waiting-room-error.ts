/** Stable codes of the waiting room's refusals; only the routes map them to HTTP statuses. */
export const WAITING_ROOM_ERROR_CODES = [
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
  'RATE_LIMITED',
] as const;
export type WaitingRoomErrorCode = (typeof WAITING_ROOM_ERROR_CODES)[number];

export class WaitingRoomError extends Error {
  readonly retriable: boolean;
  constructor(
    readonly code: WaitingRoomErrorCode,
    message: string,
    options: { cause?: unknown; retriable?: boolean } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'WaitingRoomError';
    this.retriable = options.retriable ?? false;
  }
}
