import { describe, expect, it } from '@jest/globals';
import { NetworkBudget } from './network-budget';

function clock(start = 1_000_000) {
  const time = { now: start };
  return { time, now: () => time.now };
}

function spendMany(budget: NetworkBudget, network: string, times: number): number {
  let allowed = 0;
  for (let i = 0; i < times; i++) if (budget.spend(network).allowed) allowed++;
  return allowed;
}

describe('NetworkBudget', () => {
  it('lets a network spend a minute’s worth at once, then refuses with the real wait', () => {
    const { now } = clock();
    const budget = new NetworkBudget(60, { now });
    expect(spendMany(budget, 'a', 60)).toBe(60);
    expect(budget.spend('a')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    // Another network has its own budget.
    expect(budget.spend('b').allowed).toBe(true);
  });

  it('drains at perMinute: half a minute later, half the budget is back', () => {
    const { time, now } = clock();
    const budget = new NetworkBudget(600, { now });
    expect(spendMany(budget, 'a', 700)).toBe(600);
    time.now += 30_000;
    expect(spendMany(budget, 'a', 700)).toBe(300);
    expect(budget.check('a').allowed).toBe(false);
  });

  it('allows no second minute’s worth across a minute boundary (the fixed window did)', () => {
    const { time, now } = clock(59_900);
    const budget = new NetworkBudget(600, { now });
    expect(spendMany(budget, 'a', 600)).toBe(600);
    time.now = 60_100; // a new fixed window would have started here
    expect(spendMany(budget, 'a', 600)).toBe(2);
  });

  it('gives a unit back on refund, never below empty', () => {
    const { now } = clock();
    const budget = new NetworkBudget(10, { now });
    expect(spendMany(budget, 'a', 10)).toBe(10);
    budget.refund('a');
    expect(budget.spend('a').allowed).toBe(true);
    expect(budget.spend('a').allowed).toBe(false);
    budget.refund('fresh');
    for (let i = 0; i < 5; i++) budget.refund('b');
    expect(budget.units('b')).toBe(0);
    expect(spendMany(budget, 'b', 20)).toBe(10);
  });

  it('charges past the burst, and Retry-After covers the whole excess', () => {
    const { time, now } = clock();
    const budget = new NetworkBudget(60, { now });
    for (let i = 0; i < 90; i++) budget.charge('a');
    expect(budget.units('a')).toBe(90);
    expect(budget.check('a')).toEqual({ allowed: false, retryAfterSeconds: 31 });
    time.now += 31_000;
    expect(budget.check('a').allowed).toBe(true);
  });

  it('is off at 0', () => {
    const budget = new NetworkBudget(0);
    expect(spendMany(budget, 'a', 10_000)).toBe(10_000);
    budget.charge('a');
    expect(budget.size).toBe(0);
  });

  it('forgets drained networks, and the least recent one past maxNetworks', () => {
    const { time, now } = clock();
    const budget = new NetworkBudget(60, { now, maxNetworks: 3 });
    for (const network of ['a', 'b', 'c']) budget.spend(network);
    budget.spend('a'); // now the most recent
    budget.spend('d'); // evicts b, the least recent
    expect([budget.units('a'), budget.units('b'), budget.units('c'), budget.units('d')]).toEqual([
      2, 0, 1, 1,
    ]);
    time.now += 120_000; // all drained; the next spend sweeps them
    budget.spend('e');
    expect(budget.size).toBe(1);
  });
});
