import { describe, expect, it } from '@jest/globals';
import { topicLag } from './consumer-lag';

const ends = (...parts: [low: number, high: number][]) =>
  parts.map(([low, high], partition) => ({ partition, low: String(low), high: String(high) }));
const committed = (...offsets: number[]) =>
  offsets.map((offset, partition) => ({ partition, offset: String(offset) }));

describe('topicLag', () => {
  it('adds what each partition has past its committed offset', () => {
    expect(topicLag(ends([0, 10], [0, 7], [0, 0]), committed(4, 7, -1))).toBe(6);
  });

  it('counts a partition without a commit from its first kept message (fromBeginning)', () => {
    expect(topicLag(ends([0, 5], [3, 8]), committed(-1, -1))).toBe(10);
    expect(topicLag(ends([0, 5], [3, 8]), [])).toBe(10);
  });

  it('counts from the first kept message when retention passed the committed offset', () => {
    expect(topicLag(ends([100, 120]), committed(40))).toBe(20);
  });

  it('is 0 when the group is caught up, never negative', () => {
    expect(topicLag(ends([0, 9], [0, 3]), committed(9, 3))).toBe(0);
    // The two figures come from two requests; whatever their order, the lag stays >= 0.
    expect(topicLag(ends([0, 9]), committed(11))).toBe(0);
  });
});
