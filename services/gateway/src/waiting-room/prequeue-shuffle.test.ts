import { describe, expect, it } from '@jest/globals';
import { randomInt } from 'node:crypto';
import { cryptoPermutation } from './prequeue-shuffle';

type Shuffle = (n: number) => number[];

/**
 * Chi-square tests of the opening shuffle, run on the real function (its randomness is the
 * CSPRNG, not seedable). Each test draws two independent samples at significance 0.001 and
 * calls the shuffle biased only when both reject: a correct shuffle fails a test about once in
 * 1,000,000 runs (0.001²), while the classic biased shuffle is rejected by every sample (its
 * statistic is 14-19 times the critical value at these sizes), so power is not lost.
 */
const SAMPLES = 2;

/**
 * Position-by-person table: `openings` shuffles of n people, counting how often person v
 * lands at position p (n² cells, each expected openings/n, 2,000 here: far above 5).
 *
 * Each opening fills one cell in every row and every column, so the cells are not the
 * independent draws of a textbook contingency table: the covariance of the counts is
 * (1/(n-1)) times the projection onto tables with zero row and column sums, whose rank is
 * (n-1)². Pearson's sum Σ(O-E)²/E is therefore n/(n-1) · χ²((n-1)²), not χ²((n-1)²) (its
 * mean is n(n-1): n rows of χ²(n-1), which are dependent). We scale it by (n-1)/n and compare
 * with χ²(81) for n = 10. Checked by simulation: 2,000 runs of a Math.random Fisher-Yates gave
 * a scaled mean of 81.3 and variance 156 (χ²(81): 81 and 162); unscaled, a correct shuffle
 * would be rejected about 1 % of the time instead of 0.1 %.
 */
function positionStatistic(shuffle: Shuffle, n: number, openings: number): number {
  const counts = new Array<number>(n * n).fill(0);
  for (let r = 0; r < openings; r++) shuffle(n).forEach((person, place) => counts[place * n + person - 1]!++);
  const expected = openings / n;
  const pearson = counts.reduce((sum, observed) => sum + (observed - expected) ** 2 / expected, 0);
  return (pearson * (n - 1)) / n;
}

/**
 * Every one of the n! orders as its own category: a plain multinomial, so Pearson's sum is
 * χ²(n! - 1) as it stands. n = 4: 24 orders, 24,000 openings, 1,000 expected in each.
 */
function orderStatistic(shuffle: Shuffle, n: number, openings: number): number {
  const counts = new Map<string, number>();
  for (let r = 0; r < openings; r++) {
    const key = shuffle(n).join(',');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  let orders = 1;
  for (let k = 2; k <= n; k++) orders *= k;
  const expected = openings / orders;
  let pearson = (orders - counts.size) * expected; // orders never drawn: (0 - E)² / E each
  for (const observed of counts.values()) pearson += (observed - expected) ** 2 / expected;
  return pearson;
}

/** χ² quantiles at 1 - 0.001 (scipy.stats.chi2.ppf(0.999, df)). */
const CRITICAL_0_001 = { 81: 126.08, 23: 49.73 } as const;

/** True when every one of SAMPLES independent samples rejects uniformity at p = 0.001. */
function rejectsUniformity(statistic: () => number, critical: number): { rejected: boolean; seen: number[] } {
  const seen = Array.from({ length: SAMPLES }, statistic);
  return { rejected: seen.every((value) => value > critical), seen };
}

const byPosition = (shuffle: Shuffle) => () => positionStatistic(shuffle, 10, 20_000);
const byOrder = (shuffle: Shuffle) => () => orderStatistic(shuffle, 4, 24_000);

/** The classic mistake: swap each place with any place (n^n equally likely paths onto n! orders). */
function naiveSwapShuffle(n: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i + 1);
  for (let i = 0; i < n; i++) {
    const j = randomInt(0, n);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

describe('cryptoPermutation', () => {
  it('is a permutation of 1..n', () => {
    for (const n of [0, 1, 2, 10, 1000]) {
      const order = cryptoPermutation(n);
      expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    }
  });

  it('puts every person at every position equally often (chi-square, 20,000 openings of 10)', () => {
    const test = rejectsUniformity(byPosition(cryptoPermutation), CRITICAL_0_001[81]);
    expect(test).toEqual({ rejected: false, seen: expect.any(Array) });
  });

  it('draws every order of 4 people equally often (chi-square over the 24 orders)', () => {
    const test = rejectsUniformity(byOrder(cryptoPermutation), CRITICAL_0_001[23]);
    expect(test).toEqual({ rejected: false, seen: expect.any(Array) });
  });

  it('the same tests reject the naive swap-with-any-place shuffle', () => {
    const position = rejectsUniformity(byPosition(naiveSwapShuffle), CRITICAL_0_001[81]);
    const order = rejectsUniformity(byOrder(naiveSwapShuffle), CRITICAL_0_001[23]);
    expect({ position: position.rejected, order: order.rejected }).toEqual({ position: true, order: true });
  });
});
