import { describe, expect, it } from '@jest/globals';
import { BookingEvent, BookingOutcome, type BookingRequestJob } from '@khiw/contracts';
import type { BatchInput } from './decide-batch';
import {
  DAY,
  KTB,
  LISTED,
  TAKEN,
  SAME,
  SKH,
  campaign,
  citizenId,
  decide,
  group,
  input,
  request,
  slot,
  statuses,
  uuid,
} from './decide-batch.fixtures';

describe('decideBatch', () => {
  it('books into the chosen slot and plans the bookings, the counters and the events', () => {
    const a = request();
    const b = request({ groupCode: 'g2', siteId: KTB, slotId: 'KTB-0900' });
    const decision = decide(input([a, b]));

    expect(decision.outcomes).toEqual([
      {
        status: 'confirmed',
        booking: {
          bookingId: uuid(1),
          reference: 'REF1',
          status: 'confirmed',
          groupCode: 'g1',
          siteId: SKH,
          siteName: { th: 'ไซต์ SKH', en: 'Site SKH' },
          slotId: 'SKH-0900',
          startsAt: DAY.toISOString(),
        },
      },
      expect.objectContaining({
        status: 'confirmed',
        booking: expect.objectContaining({ bookingId: uuid(2) }),
      }),
    ]);
    for (const outcome of decision.outcomes) expect(BookingOutcome.parse(outcome)).toEqual(outcome);
    expect(decision.newBookings).toEqual([
      { id: uuid(1), reference: 'REF1', request: a },
      { id: uuid(2), reference: 'REF2', request: b },
    ]);
    expect(decision.newStandby).toEqual([]);
    expect(Object.fromEntries(decision.slotCounts)).toEqual({ 'SKH-0900': 1, 'KTB-0900': 1 });
    expect(Object.fromEntries(decision.groupCounts)).toEqual({ g1: 1, g2: 1 });
    expect(decision.standbyLastPosition).toBe(0);
    expect(decision.events.map((e) => [e.type, e.key])).toEqual([
      ['BookingConfirmed', uuid(1)],
      ['BookingConfirmed', uuid(2)],
    ]);
    for (const event of decision.events) expect(() => BookingEvent.parse(event.payload)).not.toThrow();
    expect(decision).toMatchObject({ soldOut: false, changed: true });
  });

  it('checks in order: campaign open, group, slot, site, eligibility, one place per citizen, then doses', () => {
    const cases: Array<[string, BookingRequestJob, Partial<BatchInput>]> = [
      // Each request also fails every later check: the first check decides.
      [
        'CAMPAIGN_CLOSED',
        request({ groupCode: 'nope', slotId: 'nope' }),
        { campaign: campaign({ state: 'closed' }) },
      ],
      ['UNKNOWN_GROUP', request({ groupCode: 'nope', slotId: 'nope' }), {}],
      ['UNKNOWN_SLOT', request({ slotId: 'nope', provinceCode: '10' }), {}],
      ['SITE_MISMATCH', request({ siteId: KTB, provinceCode: '10' }), {}],
      ['NOT_ELIGIBLE_PROVINCE', request({ provinceCode: '10', birthDate: '2010-01-01' }), {}],
      ['NOT_ELIGIBLE_PROVINCE', request({ provinceCode: undefined }), {}],
      [
        'NOT_ELIGIBLE_AGE',
        request({ birthDate: '2010-01-01', citizenId: LISTED }),
        { vaccinatedCitizens: [LISTED] },
      ],
      [
        'ALREADY_VACCINATED',
        request({ citizenId: LISTED }),
        { vaccinatedCitizens: [LISTED], bookedCitizens: [LISTED] },
      ],
      [
        'ALREADY_BOOKED',
        request({ citizenId: TAKEN }),
        { bookedCitizens: [TAKEN], campaign: campaign({ booked_doses: 4, standby_count: 2 }) },
      ],
    ];
    for (const [reason, req, overrides] of cases) {
      const decision = decide(input([req], overrides));
      expect([req.requestId, statuses(decision.outcomes)]).toEqual([req.requestId, [reason]]);
      expect(decision.events.map((e) => [e.type, (e.payload.data as { reason?: string }).reason])).toEqual([
        ['BookingRejected', reason],
      ]);
      expect(decision).toMatchObject({ newBookings: [], newStandby: [], changed: false, soldOut: false });
    }
  });

  it("takes the group's age window with the campaign's, on the appointment day", () => {
    const groups = [group('g1', 2, 0, { min_age_years: 60 }), group('g2', 2, 0, { max_age_years: 20 })];
    const decision = decide(
      input(
        [
          request({ birthDate: '1961-08-02' }), // 60 on the day
          request({ birthDate: '1961-08-03' }), // 59
          request({ groupCode: 'g2', birthDate: '2003-08-02' }), // 18 on the day
          request({ groupCode: 'g2', birthDate: '2003-08-03' }), // 17
        ],
        { groups },
      ),
    );
    expect(statuses(decision.outcomes)).toEqual([
      'confirmed',
      'NOT_ELIGIBLE_AGE',
      'confirmed',
      'NOT_ELIGIBLE_AGE',
    ]);
  });

  it('answers a retried request with its earlier booking or standby place, as is, and writes nothing', () => {
    const booked = request();
    const waiting = request();
    const decision = decide(
      input([booked, waiting], {
        // Even a closed campaign: the answer was given before.
        campaign: campaign({ state: 'closed', booked_doses: 4 }),
        bookedCitizens: [booked.citizenId, waiting.citizenId],
        earlierBookings: [
          {
            ...slot('KTB-0900', KTB, 2, 2),
            request_id: booked.requestId,
            booking_id: uuid(77),
            reference: 'EARLIER1',
            group_code: 'g2',
          },
        ],
        earlierStandby: [{ request_id: waiting.requestId, id: uuid(88), position: 5, site_id: KTB }],
      }),
    );
    expect(decision.outcomes).toEqual([
      {
        status: 'confirmed',
        booking: {
          bookingId: uuid(77),
          reference: 'EARLIER1',
          status: 'confirmed',
          groupCode: 'g2',
          siteId: KTB,
          siteName: { th: 'ไซต์ KTB', en: 'Site KTB' },
          slotId: 'KTB-0900',
          startsAt: DAY.toISOString(),
        },
      },
      { status: 'standby', standby: { standbyId: uuid(88), position: 5, siteId: KTB } },
    ]);
    expect(decision).toMatchObject({
      newBookings: [],
      newStandby: [],
      events: [],
      slotCounts: new Map(),
      groupCounts: new Map(),
      standbyLastPosition: 0,
      changed: false,
      soldOut: false,
    });
  });

  it('refuses a full slot while doses and quota remain: SLOT_FULL, not standby', () => {
    const decision = decide(input([request(), request(), request()], { groups: [group('g1', 4)] }));
    expect(statuses(decision.outcomes)).toEqual(['confirmed', 'confirmed', 'SLOT_FULL']);
    expect(decision.newStandby).toEqual([]);
  });

  it("puts a request on standby when its group's quota is used up, even with doses and room left", () => {
    const decision = decide(
      input([request(), request({ siteId: KTB, slotId: 'KTB-0900' })], {
        groups: [group('g1', 1), group('g2', 3)],
      }),
    );
    expect(statuses(decision.outcomes)).toEqual(['confirmed', 'standby']);
    expect(decision.outcomes[1]).toEqual({
      status: 'standby',
      standby: { standbyId: uuid(2), position: 1, siteId: KTB },
    });
    expect(decision.soldOut).toBe(false);
  });

  it('gives standby places after the last dose, numbered on from the last position, then SOLD_OUT', () => {
    const decision = decide(
      input([request(), request(), request(), request()], {
        campaign: campaign({ booked_doses: 3, standby_size: 5, standby_count: 3, standby_last_position: 7 }),
      }),
    );
    expect(statuses(decision.outcomes)).toEqual(['confirmed', 'standby', 'standby', 'SOLD_OUT']);
    expect(decision.newStandby.map((s) => [s.id, s.position])).toEqual([
      [uuid(2), 8],
      [uuid(3), 9],
    ]);
    expect(decision.standbyLastPosition).toBe(9);
    expect(decision.events.map((e) => e.type)).toEqual([
      'BookingConfirmed',
      'BookingStandby',
      'BookingStandby',
      'BookingRejected',
    ]);
    expect(decision).toMatchObject({ soldOut: true, changed: true });
  });

  it('sets soldOut only when this batch took the last dose', () => {
    const last = decide(input([request()], { campaign: campaign({ booked_doses: 3 }) }));
    expect(last.soldOut).toBe(true);
    const notLast = decide(input([request()], { campaign: campaign({ booked_doses: 2 }) }));
    expect(notLast.soldOut).toBe(false);
    // Already sold out: only standby places, nothing that sells out.
    const after = decide(input([request()], { campaign: campaign({ booked_doses: 4 }) }));
    expect(statuses(after.outcomes)).toEqual(['standby']);
    expect(after).toMatchObject({ soldOut: false, changed: true });
  });

  it('gives one citizen one place per batch: the second request is ALREADY_BOOKED', () => {
    const first = request({ citizenId: SAME });
    const second = request({ citizenId: SAME, groupCode: 'g2', siteId: KTB, slotId: 'KTB-0900' });
    expect(statuses(decide(input([first, second])).outcomes)).toEqual(['confirmed', 'ALREADY_BOOKED']);
    // A standby place counts as well.
    const soldOut = { campaign: campaign({ booked_doses: 4 }) };
    expect(statuses(decide(input([first, second], soldOut)).outcomes)).toEqual(['standby', 'ALREADY_BOOKED']);
  });

  it('rejects everything in a closed campaign', () => {
    const decision = decide(input([request(), request()], { campaign: campaign({ state: 'closed' }) }));
    expect(statuses(decision.outcomes)).toEqual(['CAMPAIGN_CLOSED', 'CAMPAIGN_CLOSED']);
    expect(decision.events.map((e) => e.type)).toEqual(['BookingRejected', 'BookingRejected']);
  });

  it('gives a rejection the same event id when the same request is rejected again', () => {
    const req = request({ provinceCode: '10' });
    const [once] = decide(input([req])).events;
    const [again] = decide(input([req])).events;
    expect(again!.id).toBe(once!.id);
    const [corrected] = decide(input([{ ...req, slotId: 'KTB-0900', siteId: KTB }])).events;
    expect(corrected!.id).not.toBe(once!.id);
  });

  it('never hands out more than slot capacity, group quota, campaign doses or standby room', () => {
    const random = seeded(20210802);
    const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)]!;
    for (let round = 0; round < 200; round++) {
      const slots = [
        slot('SKH-0900', SKH, 1 + Math.floor(random() * 4), 0),
        slot('SKH-1000', SKH, 1 + Math.floor(random() * 4), 0),
        slot('KTB-0900', KTB, 1 + Math.floor(random() * 4), 0),
      ].map((s) => ({ ...s, booked: Math.floor(random() * (s.capacity + 1)) }));
      const groups = [group('g1', Math.floor(random() * 6)), group('g2', Math.floor(random() * 6))].map(
        (g) => ({
          ...g,
          booked: Math.floor(random() * (g.quota + 1)),
        }),
      );
      const booked = groups.reduce((sum, g) => sum + g.booked, 0);
      const row = campaign({
        total_doses: booked + Math.floor(random() * 6),
        booked_doses: booked,
        standby_size: 3,
        standby_count: Math.floor(random() * 4),
        standby_last_position: 10,
      });
      const citizens = Array.from({ length: 12 }, (_, i) => citizenId(9000 + i));
      const requests = Array.from({ length: 1 + Math.floor(random() * 30) }, () => {
        const chosen = pick(slots);
        return request({
          citizenId: pick(citizens),
          groupCode: pick(['g1', 'g2']),
          siteId: chosen.site_id,
          slotId: chosen.id,
        });
      });
      const decision = decide(input(requests, { campaign: row, slots, groups }));

      for (const s of slots)
        expect(s.booked + (decision.slotCounts.get(s.id) ?? 0)).toBeLessThanOrEqual(s.capacity);
      for (const g of groups)
        expect(g.booked + (decision.groupCounts.get(g.code) ?? 0)).toBeLessThanOrEqual(g.quota);
      expect(row.booked_doses + decision.newBookings.length).toBeLessThanOrEqual(row.total_doses);
      expect(row.standby_count + decision.newStandby.length).toBeLessThanOrEqual(row.standby_size);
      // The counters add up to the bookings, and one citizen has at most one place.
      const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
      expect(sum(decision.slotCounts)).toBe(decision.newBookings.length);
      expect(sum(decision.groupCounts)).toBe(decision.newBookings.length);
      const placed = [...decision.newBookings, ...decision.newStandby].map((p) => p.request.citizenId);
      expect(new Set(placed).size).toBe(placed.length);
      expect(statuses(decision.outcomes).filter((s) => s === 'confirmed')).toHaveLength(
        decision.newBookings.length,
      );
      expect(decision.standbyLastPosition).toBe(10 + decision.newStandby.length);
      expect(decision.soldOut).toBe(
        decision.newBookings.length > 0 && row.booked_doses + decision.newBookings.length === row.total_doses,
      );
    }
  });
});

/** mulberry32: a small seeded generator, so the random rounds are the same every run. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
