import type { RequestHandler } from 'express';
import { sendProblem } from '../http/problem';

/**
 * A per-network ceiling on joins and challenges, per replica, in memory (no Redis cost).
 * Deliberately generous: Thai mobile carriers put thousands of residents behind one
 * carrier-grade NAT address, so the real price of a join is the proof-of-work, and this
 * only stops one machine from hammering. IPv6 clients are grouped by /64.
 */
export function joinRateLimit(perMinute: number): RequestHandler {
  let window = 0;
  let counts = new Map<string, number>();
  return (req, res, next) => {
    if (perMinute <= 0) return next();
    const now = Date.now();
    const current = Math.floor(now / 60_000);
    if (current !== window) {
      window = current;
      counts = new Map();
    }
    const key = networkOf(req.ip ?? 'unknown');
    const count = (counts.get(key) ?? 0) + 1;
    counts.set(key, count);
    if (count <= perMinute) return next();
    const retryAfterSeconds = Math.ceil((60_000 - (now % 60_000)) / 1000);
    sendProblem(res, 'RATE_LIMITED', { variant: 'queue', retryAfterSeconds });
  };
}

export function networkOf(ip: string): string {
  const plain = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
  if (!plain.includes(':')) return plain;
  const [head = ''] = plain.split('::');
  return `${head.split(':').slice(0, 4).join(':')}::/64`;
}
