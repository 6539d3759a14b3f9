import { retriableByDefault, type ErrorCode } from './codes';

const kKhiwError = Symbol.for('khiw.error');

export interface KhiwErrorOptions {
  cause?: unknown;
  /** Whether trying again unchanged may succeed; each code has a default (codes.ts). */
  retriable?: boolean;
  /** How long the other side asked us to wait before trying again (a Retry-After). */
  retryAfterMs?: number;
  /** Facts for logs and callers (never personal data): counts, setting names, ids. */
  details?: Readonly<Record<string, unknown>>;
}

/**
 * The one error base of khiw (platformatic/kafka's GenericError, kafkajs's `retriable`): a
 * stable code from the typed list, whether a retry may help, and the cause. Domain code
 * throws it; transports map the code (the gateway to statuses and Thai and English text,
 * workers to BullMQ's retry or UnrecoverableError). `KhiwError.is` also recognises errors
 * from another copy of this module (a second install in node_modules).
 */
export class KhiwError<C extends ErrorCode = ErrorCode> extends Error {
  override readonly name = 'KhiwError';
  readonly code: C;
  readonly retriable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: C, message: string = code, options: KhiwErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retriable = options.retriable ?? retriableByDefault(code);
    this.retryAfterMs = options.retryAfterMs;
    this.details = options.details;
    Object.defineProperty(this, kKhiwError, { value: true, enumerable: false });
  }

  /** True for a KhiwError, and, when codes are given, one with one of those codes. */
  static is<K extends ErrorCode>(error: unknown, ...codes: readonly K[]): error is KhiwError<K> {
    if (typeof error !== 'object' || error === null || !(kKhiwError in error)) return false;
    return codes.length === 0 || (codes as readonly string[]).includes((error as unknown as KhiwError).code);
  }

  /** True for a KhiwError whose code is in `list` (one of the lists in codes.ts). */
  static inList<K extends ErrorCode>(error: unknown, list: readonly K[]): error is KhiwError<K> {
    return KhiwError.is(error, ...list);
  }

  override toString(): string {
    return `${this.name} ${this.code}: ${this.message}`;
  }
}
