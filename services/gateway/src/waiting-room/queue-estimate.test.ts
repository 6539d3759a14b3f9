import { describe, expect, it } from '@jest/globals';
import { admissionRate, awayShare, estimateWaitSeconds, pollAfterSeconds } from './queue-estimate';
import type { RoomView } from './room-view';

const minute = 60_000;
const now = 1000 * minute + 30_000; // half way through a minute

function view(overrides: Partial<RoomView> = {}): RoomView {
  return {
    campaignId: 'c',
    now,
    opensAt: 0,
    opened: true,
    openedAt: now - 10 * minute,
    final: null,
    paused: false,
    outflowPerMinute: 600,
    maxActive: 1000,
    powDifficulty: 0,
    familyGraceSeconds: 120,
    serving: 1000,
    lastNumber: 5000,
    prequeue: 0,
    waitingSeen: 4000,
    waitingAway: 0,
    unclaimed: 0,
    inForm: 0,
    idleAt: null,
    rate: [150, 300, 300, 300, 300],
    totals: {
      joins: 0,
      admitted: 0,
      skipped: 0,
      returned: 0,
      expiredUnclaimed: 0,
      expiredAccess: 0,
      finished: 0,
      released: 0,
      graceLapsed: 0,
    },
    ...overrides,
  };
}

describe('ETA model', () => {
  it('uses the observed admission rate, not the setting', () => {
    // 1350 admitted over 4.5 minutes = 300/min, though the setting says 600.
    expect(admissionRate(view())).toEqual({ observed: 300, used: 300 });
    expect(estimateWaitSeconds(view(), 1300)).toBe(60); // 299 ahead + me at 5/s
  });

  it('never estimates faster than the current setting (an ops cut shows at once)', () => {
    expect(admissionRate(view({ outflowPerMinute: 120 })).used).toBe(120);
  });

  it('falls back to the setting without enough history, and ignores idle time', () => {
    expect(admissionRate(view({ openedAt: now - 5_000 })).observed).toBeNull();
    expect(admissionRate(view({ idleAt: now - 10_000 })).used).toBe(600);
  });

  it('discounts people ahead who stopped asking (they are passed over for free)', () => {
    const away = view({ waitingAway: 2000 });
    expect(awayShare(away)).toBe(0.5);
    expect(estimateWaitSeconds(away, 1301)).toBe(31); // 300 ahead * 0.5 + 1 at 5/s
  });

  it('says nothing when nothing moves', () => {
    expect(estimateWaitSeconds(view({ outflowPerMinute: 0 }), 2000)).toBeNull();
    expect(pollAfterSeconds(10, null)).toBe(30);
  });

  it('polls often near the front and rarely far back', () => {
    expect(pollAfterSeconds(3, 5, () => 0.5)).toBe(2);
    expect(pollAfterSeconds(5000, 10_000, () => 0.5)).toBe(60);
    expect(pollAfterSeconds(200, 150, () => 0.5)).toBe(15);
    const spread = new Set(Array.from({ length: 50 }, (_, i) => pollAfterSeconds(200, 150, () => i / 50)));
    expect(spread.size).toBeGreaterThan(3);
  });
});
