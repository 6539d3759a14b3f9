/** What a budget answers: allowed, or refused with the seconds until one unit is free again. */
export interface BudgetVerdict {
  allowed: boolean;
  retryAfterSeconds: number;
}

export interface NetworkBudgetOptions {
  /** Units a network may hold at once; default one minute's worth (`perMinute`). */
  burst?: number;
  /** Networks remembered at most; past it the oldest entry is forgotten (memory bound). */
  maxNetworks?: number;
  now?: () => number;
}

interface Level {
  units: number;
  at: number;
}

const ALLOWED: BudgetVerdict = { allowed: true, retryAfterSeconds: 0 };
const SWEEP_EVERY_MS = 10_000;

/**
 * A leaky bucket per network, in memory: each unit spent fills it, it drains at `perMinute`
 * units a minute, and a network whose bucket is full is refused until one unit has drained.
 * Unlike a fixed window, a network cannot spend two windows' worth across a window boundary,
 * and Retry-After is the real wait. `perMinute` 0 turns the budget off. Drained networks are
 * swept every 10 s, so memory follows the networks seen in about the last minute.
 */
export class NetworkBudget {
  private readonly levels = new Map<string, Level>();
  private readonly perMs: number;
  private readonly burst: number;
  private readonly maxNetworks: number;
  private readonly now: () => number;
  private sweptAt = 0;

  constructor(
    readonly perMinute: number,
    options: NetworkBudgetOptions = {},
  ) {
    this.perMs = perMinute / 60_000;
    this.burst = Math.max(1, options.burst ?? perMinute);
    this.maxNetworks = options.maxNetworks ?? 200_000;
    this.now = options.now ?? Date.now;
  }

  get off(): boolean {
    return this.perMinute <= 0;
  }

  /** Spends one unit when the network has room for it; nothing is spent when refused. */
  spend(network: string): BudgetVerdict {
    if (this.off) return ALLOWED;
    const verdict = this.check(network);
    if (verdict.allowed) this.add(network, 1);
    return verdict;
  }

  /** Whether one more unit would fit, spending nothing. */
  check(network: string): BudgetVerdict {
    if (this.off) return ALLOWED;
    const units = this.units(network);
    if (units + 1 <= this.burst) return ALLOWED;
    return {
      allowed: false,
      retryAfterSeconds: Math.max(1, Math.ceil((units + 1 - this.burst) / this.perMs / 1000)),
    };
  }

  /** One unit whatever the level (an outcome known only after the request was let in). */
  charge(network: string): void {
    if (!this.off) this.add(network, 1);
  }

  /** One unit back (a challenge redeemed by a join); never below empty. */
  refund(network: string): void {
    if (!this.off && this.levels.has(network)) this.add(network, -1);
  }

  /** The units a network holds now, drained to this instant. */
  units(network: string): number {
    const level = this.levels.get(network);
    return level ? this.drained(level, this.now()) : 0;
  }

  get size(): number {
    return this.levels.size;
  }

  private drained(level: Level, now: number): number {
    return Math.max(0, level.units - (now - level.at) * this.perMs);
  }

  private add(network: string, units: number): void {
    const now = this.now();
    if (now - this.sweptAt >= SWEEP_EVERY_MS) this.sweep(now);
    const level = this.levels.get(network);
    const current = level ? this.drained(level, now) : 0;
    if (level)
      this.levels.delete(network); // re-inserted last: the Map's order is least recent first
    else if (this.levels.size >= this.maxNetworks) {
      const oldest = this.levels.keys().next();
      if (!oldest.done) this.levels.delete(oldest.value);
    }
    this.levels.set(network, { units: Math.max(0, current + units), at: now });
  }

  private sweep(now: number): void {
    this.sweptAt = now;
    for (const [network, level] of this.levels) {
      if (this.drained(level, now) === 0) this.levels.delete(network);
    }
  }
}
