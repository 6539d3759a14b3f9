import { describe, expect, it } from '@jest/globals';
import type { ChannelRow } from './reservation-store';
import { campaign, decide, group, input, KTB, request, slot, SKH, statuses } from './decide-batch.fixtures';

// 2021-07-20T03:00Z is 10:00 on a Tuesday in Bangkok (the fixtures' submittedAt).
const channel = (overrides: Partial<ChannelRow> & Pick<ChannelRow, 'channel'>): ChannelRow => ({
  offered: true,
  hours: null,
  reserved: 0,
  booked: 0,
  ...overrides,
});

describe('decideBatch: channels', () => {
  it('refuses a channel the campaign does not offer, and one outside its hours, at the time of the submit', () => {
    const channels = [
      channel({ channel: 'web' }),
      channel({ channel: 'store', hours: { days: 'mon-sun', from: '09:00', to: '18:00' } }),
      channel({ channel: 'walk_in', hours: { days: 'mon-sat', from: '08:00', to: '16:00' } }),
      channel({ channel: 'call_center', offered: false }),
    ];
    const decision = decide(
      input(
        [
          request({ channel: 'store' }),
          request({ channel: 'store', submittedAt: '2021-07-20T11:00:00.000Z' }), // 18:00: closed
          request({ channel: 'walk_in', submittedAt: '2021-07-25T03:00:00.000Z' }), // a Sunday
          request({ channel: 'call_center' }),
          request({ channel: 'walk_in', siteId: KTB, slotId: 'KTB-0900' }),
        ],
        { channels },
      ),
    );
    expect(statuses(decision.outcomes)).toEqual([
      'confirmed',
      'CHANNEL_CLOSED',
      'CHANNEL_CLOSED',
      'CHANNEL_NOT_OFFERED',
      'confirmed',
    ]);
    expect(decision.events.filter((e) => e.type === 'BookingRejected')).toHaveLength(3);
  });

  it('keeps a channel its reserve: a web surge stops at the unreserved doses and goes to standby', () => {
    // 4 doses, 2 reserved for walk-in: web gets 2, then standby (2 places), then sold out.
    const channels = [channel({ channel: 'web' }), channel({ channel: 'walk_in', reserved: 2 })];
    const slots = [slot('SKH-0900', SKH, 10), slot('KTB-0900', KTB, 10)];
    const groups = [group('g1', 10), group('g2', 10)];
    const web = Array.from({ length: 5 }, () => request());
    const walkIns = [request({ channel: 'walk_in' }), request({ channel: 'walk_in' })];
    const decision = decide(input([...web, ...walkIns], { channels, slots, groups }));
    expect(statuses(decision.outcomes)).toEqual([
      'confirmed',
      'confirmed',
      'standby',
      'standby',
      'SOLD_OUT',
      'confirmed',
      'confirmed',
    ]);
    expect(decision.soldOut).toBe(true);
  });

  it('lets a channel past its reserve into the unreserved doses, and counts what is already booked', () => {
    // 4 doses; walk-in has its 1 reserved dose booked already and web has 1: 2 unreserved left.
    const channels = [
      channel({ channel: 'web', booked: 1 }),
      channel({ channel: 'walk_in', reserved: 1, booked: 1 }),
    ];
    const slots = [slot('SKH-0900', SKH, 10, 2)];
    const decision = decide(
      input([request({ channel: 'walk_in' }), request(), request()], {
        campaign: campaign({ booked_doses: 2, standby_size: 0 }),
        channels,
        slots,
        groups: [group('g1', 10, 2)],
      }),
    );
    expect(statuses(decision.outcomes)).toEqual(['confirmed', 'confirmed', 'SOLD_OUT']);
  });

  it('books as before when the campaign has no channel rows', () => {
    const decision = decide(input([request({ channel: 'organisation', enteredBy: 'organisation:acme' })]));
    expect(statuses(decision.outcomes)).toEqual(['confirmed']);
    const [event] = decision.events;
    expect(event?.payload).toMatchObject({
      data: { channel: 'organisation', enteredBy: 'organisation:acme', language: 'th' },
    });
  });
});
