import type { Request, RequestHandler } from 'express';
import { sendProblem } from '../http/problem';
import { NetworkBudget, type BudgetVerdict } from './network-budget';

/** Per network (IPv4 address, IPv6 /64), per replica, a minute each (docs/waiting-room.md §7). */
export interface JoinLimits {
  /** Every join request (new place or the same place again). 0 turns all three limits off. */
  joinsPerMinute: number;
  /** Challenges issued and not yet redeemed by a join with a new place. 0: unlimited. */
  unredeemedChallengesPerMinute: number;
  /** Joins refused for a wrong proof-of-work or a spent, expired or foreign challenge. 0: unlimited. */
  failedJoinsPerMinute: number;
}

export type JoinBudget = 'joins' | 'challenges' | 'failures';

export interface JoinRateLimitOptions {
  now?: () => number;
  /** Called with the budget that refused (a metric). */
  onRefused?: (budget: JoinBudget) => void;
}

/**
 * The per-network limits on the join path, in memory (no Redis cost on the hot path).
 * Sized for carrier-grade NAT: thousands of residents share one address, and the price of a
 * place is the proof-of-work, not the address. What stops one machine hammering is what no
 * NAT of people does: more joins than an address's port space could carry people
 * (`joins`), challenges fetched and never redeemed (`challenges`: a solved join gives its
 * unit back) and joins that fail the work or replay a challenge (`failures`). A network over
 * its failure budget is refused challenges and joins until it drains. Status polls are not
 * limited here: they are bound to a ticket and paced by `pollAfterSeconds`.
 */
export class JoinRateLimit {
  readonly joins: NetworkBudget;
  readonly challenges: NetworkBudget;
  readonly failures: NetworkBudget;
  private readonly off: boolean;

  constructor(
    limits: JoinLimits,
    private readonly options: JoinRateLimitOptions = {},
  ) {
    const now = options.now;
    this.off = limits.joinsPerMinute <= 0;
    this.joins = new NetworkBudget(limits.joinsPerMinute, { now });
    this.challenges = new NetworkBudget(limits.unredeemedChallengesPerMinute, { now });
    this.failures = new NetworkBudget(limits.failedJoinsPerMinute, { now });
  }

  /** Middleware for `GET .../queue/challenge`. */
  readonly challenge: RequestHandler = (req, res, next) => {
    const refused = this.admit(networkOf(req.ip ?? 'unknown'), 'challenges');
    if (!refused) return next();
    sendProblem(res, 'RATE_LIMITED', { variant: 'queue', retryAfterSeconds: refused.retryAfterSeconds });
  };

  /** Middleware for `POST .../queue`. */
  readonly join: RequestHandler = (req, res, next) => {
    const refused = this.admit(networkOf(req.ip ?? 'unknown'), 'joins');
    if (!refused) return next();
    sendProblem(res, 'RATE_LIMITED', { variant: 'queue', retryAfterSeconds: refused.retryAfterSeconds });
  };

  /** A join took a new place with a challenge: the challenge's unit comes back. */
  redeemed(req: Request): void {
    if (!this.off) this.challenges.refund(networkOf(req.ip ?? 'unknown'));
  }

  /** A join failed the proof-of-work or brought a spent, expired or foreign challenge. */
  failed(req: Request): void {
    if (!this.off) this.failures.charge(networkOf(req.ip ?? 'unknown'));
  }

  /** undefined when let in (and the unit spent), else the refusal. */
  private admit(network: string, budget: 'joins' | 'challenges'): BudgetVerdict | undefined {
    if (this.off) return undefined;
    const blocked = this.failures.check(network);
    if (!blocked.allowed) return this.refuse('failures', blocked);
    const verdict = this[budget].spend(network);
    return verdict.allowed ? undefined : this.refuse(budget, verdict);
  }

  private refuse(budget: JoinBudget, verdict: BudgetVerdict): BudgetVerdict {
    this.options.onRefused?.(budget);
    return verdict;
  }
}

/**
 * The network a client address counts for: an IPv4 address as it is (carrier NAT pools are
 * whole blocks of addresses, so a /24 would put a carrier's whole pool under one limit), an
 * IPv6 address by its /64 (what one subscriber is given; the host half is theirs to vary).
 */
export function networkOf(ip: string): string {
  const lower = ip.toLowerCase().replace(/%.*$/, '');
  const plain = lower.startsWith('::ffff:') && lower.includes('.') ? lower.slice(7) : lower;
  if (!plain.includes(':')) return plain;
  const groups = ipv6Groups(plain);
  return groups ? `${groups.slice(0, 4).join(':')}::/64` : plain;
}

/** The eight groups of an IPv6 address, canonical hex; undefined when it is not one. */
function ipv6Groups(ip: string): string[] | undefined {
  const halves = ip.split('::');
  if (halves.length > 2) return undefined;
  const groupsOf = (text: string) =>
    text === '' ? [] : text.split(':').flatMap((g) => (g.includes('.') ? ['0', '0'] : [g]));
  const head = groupsOf(halves[0]!);
  const tail = halves.length === 2 ? groupsOf(halves[1]!) : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const all = [...head, ...new Array<string>(missing).fill('0'), ...tail];
  if (!all.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return undefined;
  return all.map((g) => parseInt(g, 16).toString(16));
}
