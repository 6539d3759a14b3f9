import { describe, expect, it } from '@jest/globals';
import { CampaignFile } from '@khiw/contracts';
import { isValidCitizenId } from '@khiw/thai';
import { PROFILES } from './profiles';
import { stageFigures, stageIntervals } from './report';
import type { PersonRecord } from './resident-flow';
import { campaignShape, resident } from './residents';

const opening = new Date('2026-12-03T02:00:00Z');

describe('replay profiles', () => {
  it.each(Object.values(PROFILES))(
    '$name: a campaign the loader accepts, scaled, and open-loop arrivals in order',
    (profile) => {
      const file = CampaignFile.parse(profile.campaign('replay-x', opening, 0.01));
      const full = CampaignFile.parse(profile.campaign('replay-x', opening, 1));
      expect(file.opensAt).toBe(opening.toISOString());
      expect(file.totalDoses).toBeLessThanOrEqual(Math.ceil(full.totalDoses * 0.01));
      // Enough slot places for every dose: the grid never caps a run below its doses.
      const { days, times, capacityPerSlotPerSite } = file.slotGrid;
      expect(file.sites.length * days * times.length * capacityPerSlotPerSite).toBeGreaterThanOrEqual(
        file.totalDoses,
      );
      const arrivals = profile.arrivals(1000, 0.01);
      expect(arrivals).toHaveLength(1000);
      for (let i = 1; i < arrivals.length; i++) expect(arrivals[i]!).toBeGreaterThanOrEqual(arrivals[i - 1]!);
    },
  );

  it('keeps the pressure per second when scaled: a tenth of the people in a tenth of the time', () => {
    const kk = PROFILES['khon-kaen']!;
    const full = kk.arrivals(100_000, 1);
    const tenth = kk.arrivals(10_000, 0.1);
    expect(full[full.length - 1]! / 10).toBeCloseTo(tenth[tenth.length - 1]!, -2);
    // 40 % in the first 10 s (1 s at a tenth).
    expect(full.filter((t) => t < 10_000)).toHaveLength(40_000);
    expect(tenth.filter((t) => t < 1000)).toHaveLength(4000);
  });
});

describe('synthetic residents', () => {
  const profile = PROFILES['samut-sakhon-reopening']!;
  const shape = campaignShape(CampaignFile.parse(profile.campaign('replay-x', opening, 1)));
  const people = Array.from({ length: 20_000 }, (_, i) => resident(shape, profile.behaviour, 7, 42, i));

  it('carry valid, distinct citizen IDs, the same for the same seed and index in any process', () => {
    const ids = people.flatMap((p) => p.forms.map((f) => f.citizenId));
    expect(ids.every(isValidCitizenId)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(resident(shape, profile.behaviour, 7, 42, 1234)).toEqual(people[1234]);
    expect(resident(shape, profile.behaviour, 8, 42, 1234)).not.toEqual(people[1234]);
  });

  it('spread over the groups by quota, book a slot of their site, and behave as the profile says', () => {
    const total = shape.groups.reduce((sum, g) => sum + g.quota, 0);
    const forms = people.flatMap((p) => p.forms);
    for (const g of shape.groups) {
      const share = forms.filter((f) => f.groupCode === g.code).length / forms.length;
      expect(share).toBeCloseTo(g.quota / total, 1);
    }
    expect(forms.every((f) => f.slotId.startsWith(`${f.siteId}-`) && shape.slotIds.includes(f.slotId))).toBe(
      true,
    );
    const share = (f: (p: (typeof people)[number]) => boolean) => people.filter(f).length / people.length;
    expect(share((p) => p.forms.length > 1)).toBeCloseTo(profile.behaviour.family, 1);
    expect(share((p) => p.abandonAfterPolls !== null)).toBeCloseTo(profile.behaviour.abandon, 1);
    expect(share((p) => p.release)).toBeCloseTo(profile.behaviour.release, 1);
  });
});

describe('stage figures', () => {
  const record = (i: number, arrive: number, joined: number): PersonRecord => ({
    i,
    arrive,
    joined,
    left: 0,
    admitted: 0,
    submitted: 0,
    accepted: 0,
    decided: 0,
    outcome: 'confirmed',
    bookings: [],
    accepts: 0,
    slotFull: 0,
  });

  it('measures throughput and latency, and names the first stage whose latency runs away', () => {
    // Joins answered in 100 ms for 20 s, then each second slower: saturated from about 25 s.
    const records = Array.from({ length: 2000 }, (_, k) => {
      const arrive = k * 20;
      const late = Math.max(0, arrive - 20_000);
      return record(k, arrive, arrive + 100 + late);
    });
    const [join] = stageFigures(stageIntervals(records, []));
    expect(join!.stage).toBe('join');
    expect(join!.count).toBe(2000);
    expect(join!.p50).toBeGreaterThanOrEqual(100);
    expect(join!.p99).toBeGreaterThan(15_000);
    expect(join!.saturatedAt).not.toBeNull();
    expect(join!.saturatedAt!).toBeGreaterThanOrEqual(20);
    expect(join!.saturatedAt!).toBeLessThanOrEqual(40);
    // A steady stage never saturates.
    const steady = Array.from({ length: 2000 }, (_, k) => record(k, k * 20, k * 20 + 100));
    expect(stageFigures(stageIntervals(steady, []))[0]!.saturatedAt).toBeNull();
  });
});
