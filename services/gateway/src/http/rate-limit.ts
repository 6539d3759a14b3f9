import type { Response } from 'express';
import type { Redis } from '@khiw/redis';
import { sendProblem } from './problem';

export interface RateLimitResult {
  allowed: boolean;
  /** Seconds until the current window ends (Retry-After when refused). */
  retryAfterSeconds: number;
}

/**
 * Fixed-window counters in Redis, shared by every gateway replica (self-service routes: the
 * limit must hold across replicas, unlike the in-memory join limit). One INCR per check;
 * the key expires with its window. Identifiers are already hashed or network addresses:
 * citizen IDs never become Redis keys in clear.
 */
export class RateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly namespace: string,
    private readonly windowSeconds = 60,
  ) {}

  async hit(scope: string, id: string, limit: number): Promise<RateLimitResult> {
    const now = Date.now();
    const windowMs = this.windowSeconds * 1000;
    const window = Math.floor(now / windowMs);
    const retryAfterSeconds = Math.max(1, Math.ceil((windowMs - (now % windowMs)) / 1000));
    if (limit <= 0) return { allowed: true, retryAfterSeconds };
    const key = `${this.namespace ? `${this.namespace}:` : ''}khiw:rate:${scope}:${id}:${window}`;
    const [[incrError, count] = [null, 0]] = (await this.redis
      .multi()
      .incr(key)
      .expire(key, this.windowSeconds * 2)
      .exec()) ?? [[null, 0]];
    if (incrError) throw incrError;
    return { allowed: Number(count) <= limit, retryAfterSeconds };
  }
}

export function sendRateLimited(res: Response, retryAfterSeconds: number): void {
  sendProblem(res, 'RATE_LIMITED', { retryAfterSeconds });
}
