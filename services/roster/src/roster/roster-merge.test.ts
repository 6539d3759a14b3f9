import { describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { bookingLives, seeded } from '../../test/event-stream';
import { smsEvent } from '../../test/event-stream';
import { isRosterBookingEvent, mergeBookingEvent, mergeSmsEvent, type EntryRow } from './roster-merge';

const NOW = '2021-07-25T03:00:00.000Z';

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}

describe('mergeBookingEvent', () => {
  it('gives the same row for every arrival order of a booking’s events', () => {
    const { byBooking } = bookingLives('c-merge', 400, seeded(1));
    for (const events of byBooking.values()) {
      const relevant = events.filter(isRosterBookingEvent);
      const results = permutations(relevant).map((order) =>
        order.reduce<EntryRow | null>((row, event) => mergeBookingEvent(row, event, NOW), null),
      );
      for (const result of results) expect(result).toEqual(results[0]);
    }
  });

  it('keeps a cancellation final and a check-in through later events', () => {
    const { byBooking } = bookingLives('c-merge', 200, seeded(2));
    const life = [...byBooking.values()].find((e) => e.some((x) => x.type === 'BookingCancelled'))!;
    const row = life
      .filter(isRosterBookingEvent)
      .reduce<EntryRow | null>((r, e) => mergeBookingEvent(r, e, NOW), null)!;
    expect(row.status).toBe('cancelled');
    const checkedIn = { ...row, cancelled_at: null, checked_in_at: NOW, checked_in_by: 'staff-1' };
    const again = mergeBookingEvent(checkedIn, life.filter(isRosterBookingEvent)[0]!, NOW);
    expect(again.checked_in_at).toBe(NOW);
    expect(again.status).toBe('checked_in');
  });
});

describe('mergeSmsEvent', () => {
  it('never replaces delivered with sent for the same SMS, in either order', () => {
    const bookingId = randomUUID();
    const smsId = randomUUID();
    const sent = smsEvent('c', bookingId, smsId, 'SmsSent', new Date('2021-07-25T03:00:00Z'));
    const delivered = smsEvent('c', bookingId, smsId, 'SmsDelivered', new Date('2021-07-25T03:00:00Z'));
    const a = mergeSmsEvent(mergeSmsEvent(null, sent, NOW), delivered, NOW);
    const b = mergeSmsEvent(mergeSmsEvent(null, delivered, NOW), sent, NOW);
    expect(a.status).toBe('delivered');
    expect(b).toEqual(a);
  });
});
