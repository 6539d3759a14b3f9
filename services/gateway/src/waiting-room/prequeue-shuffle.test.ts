import { describe, expect, it } from '@jest/globals';
import { cryptoPermutation } from './prequeue-shuffle';

describe('cryptoPermutation', () => {
  it('is a permutation of 1..n', () => {
    for (const n of [0, 1, 2, 10, 1000]) {
      const order = cryptoPermutation(n);
      expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    }
  });

  it('puts every number in every place about equally often', () => {
    const n = 4;
    const runs = 8000;
    const counts = Array.from({ length: n }, () => new Array<number>(n).fill(0));
    for (let r = 0; r < runs; r++)
      cryptoPermutation(n).forEach((value, place) => counts[place]![value - 1]!++);
    for (const row of counts) for (const c of row) expect(Math.abs(c - runs / n)).toBeLessThan(runs / n / 5);
  });
});
