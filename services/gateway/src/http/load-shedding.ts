import type { IncomingMessage } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { Counter, type Registry } from '@khiw/observability';
import { sendProblem } from './problem';

/**
 * How late the event loop runs: a timer every `intervalMs` and how much later than due it
 * fired, smoothed (as toobusy measures it). When the gateway cannot keep up (too many
 * requests, or the CPU taken by its neighbours) every timer and every request is late by
 * about this much.
 */
export class EventLoopLag {
  private smoothed = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(intervalMs = 50, weight = 1 / 3) {
    let last = performance.now();
    this.timer = setInterval(() => {
      const now = performance.now();
      this.smoothed += (Math.max(0, now - last - intervalMs) - this.smoothed) * weight;
      last = now;
    }, intervalMs);
    this.timer.unref();
  }

  get ms(): number {
    return this.smoothed;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

/** Which requests may be turned away first: new arrivals, then waiting residents' polls. */
export type Priority = 'arrival' | 'poll' | 'keep';

/**
 * The waiting room's own front door must not queue: a request that waits 30 s inside the
 * gateway helps nobody (Khon Kaen's replay: challenges answered after 20 s, then retried).
 * When the loop runs late, a new arrival (challenge, join) is answered at once with 503 and
 * a jittered Retry-After (5-15 s) that the queue page honours; status polls only when twice as late.
 * A booking, a request poll or anything else is always served: those people are through.
 * Between the limit and twice it, arrivals are turned away with a probability rising from 0
 * to 1, so the load settles instead of flapping.
 */
export function priorityOf(req: IncomingMessage): Priority {
  const url = req.url ?? '';
  if (req.method === 'GET' && url.startsWith('/api/queue/status')) return 'poll';
  if (!url.startsWith('/api/campaigns/')) return 'keep';
  const path = url.split('?')[0]!;
  if (req.method === 'GET' && path.endsWith('/queue/challenge')) return 'arrival';
  if (req.method === 'POST' && path.endsWith('/queue')) return 'arrival';
  return 'keep';
}

export function shouldShed(
  priority: Priority,
  lagMs: number,
  maxLagMs: number,
  random = Math.random(),
): boolean {
  if (maxLagMs <= 0 || priority === 'keep') return false;
  const limit = priority === 'arrival' ? maxLagMs : 2 * maxLagMs;
  if (lagMs <= limit) return false;
  return random < (lagMs - limit) / limit;
}

export function loadShedding(options: {
  lag: { ms: number };
  maxLagMs: number;
  registry: Registry;
  random?: () => number;
}) {
  const shed = new Counter({
    name: 'khiw_gateway_shed_total',
    help: 'Requests answered 503 at once because the event loop ran late, by priority (arrival, poll)',
    labelNames: ['priority'],
    registers: [options.registry],
  });
  const random = options.random ?? Math.random;
  return (req: Request, res: Response, next: NextFunction): void => {
    const priority = priorityOf(req);
    if (!shouldShed(priority, options.lag.ms, options.maxLagMs, random())) return next();
    shed.inc({ priority });
    // 5-15 s: spread the come-back of a crowd turned away in the same second, and keep the
    // retries' own cost low (with 3-8 s, a 10,000-person burst sent 9 retries per person).
    sendProblem(res, 'TEMPORARILY_UNAVAILABLE', { retryAfterSeconds: 5 + Math.floor(random() * 11) });
  };
}
