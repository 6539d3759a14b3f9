import { describe, expect, it } from '@jest/globals';
import { campaignStateAt } from './campaign-state';

describe('campaignStateAt', () => {
  const opensAt = '2021-07-01T09:00:00+07:00';
  const opening = Date.parse(opensAt);

  it('reads scheduled before the opening and open from it on', () => {
    expect(campaignStateAt({ state: 'scheduled', opensAt }, opening - 1)).toBe('scheduled');
    expect(campaignStateAt({ state: 'scheduled', opensAt }, opening)).toBe('open');
    expect(campaignStateAt({ state: 'scheduled', opensAt }, opening + 3_600_000)).toBe('open');
  });

  it('keeps every other state as the worker published it', () => {
    for (const state of ['open', 'sold_out', 'closed'] as const) {
      expect(campaignStateAt({ state, opensAt }, opening - 1)).toBe(state);
      expect(campaignStateAt({ state, opensAt }, opening + 1)).toBe(state);
    }
  });
});
