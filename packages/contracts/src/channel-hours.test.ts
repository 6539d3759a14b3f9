import { describe, expect, it } from '@jest/globals';
import { CampaignFile } from './campaign-file';
import { channelRules, ChannelHours, withinHours } from './channel-hours';

const at = (bangkok: string) => new Date(`${bangkok}+07:00`);

describe('channel hours', () => {
  const stores = { days: 'mon-sun', from: '09:00', to: '18:00' };
  const counters = { days: 'mon-sat', from: '08:00', to: '18:00' };

  it('opens at `from` and closes at `to`, in Bangkok time', () => {
    expect(withinHours(stores, at('2021-05-27T08:59:59'))).toBe(false);
    expect(withinHours(stores, at('2021-05-27T09:00:00'))).toBe(true);
    expect(withinHours(stores, at('2021-05-27T17:59:59'))).toBe(true);
    expect(withinHours(stores, at('2021-05-27T18:00:00'))).toBe(false);
    // 01:30 UTC is 08:30 in Bangkok: UTC's clock would say closed at 09:00-18:00 for the wrong reason.
    expect(withinHours(counters, new Date('2021-05-27T01:30:00Z'))).toBe(true);
  });

  it('keeps to the weekdays, ranges wrapping past Saturday and lists', () => {
    expect(withinHours(counters, at('2021-05-29T10:00:00'))).toBe(true); // Saturday
    expect(withinHours(counters, at('2021-05-30T10:00:00'))).toBe(false); // Sunday
    const weekend = { days: 'sat-mon', from: '00:00', to: '24:00' };
    expect(withinHours(weekend, at('2021-05-30T23:59:00'))).toBe(true); // Sunday
    expect(withinHours(weekend, at('2021-05-31T12:00:00'))).toBe(true); // Monday
    expect(withinHours(weekend, at('2021-06-01T12:00:00'))).toBe(false); // Tuesday
    expect(withinHours({ days: 'mon,wed-thu', from: '09:00', to: '10:00' }, at('2021-06-02T09:30:00'))).toBe(
      true,
    );
    expect(withinHours(null, at('2021-06-02T03:00:00'))).toBe(true);
  });

  it('refuses hours it cannot read', () => {
    for (const bad of [
      { days: 'monday', from: '09:00', to: '18:00' },
      { days: 'mon-sun', from: '9:00', to: '18:00' },
      { days: 'mon-sun', from: '18:00', to: '09:00' },
      { days: 'mon-sun', from: '09:00', to: '25:00' },
    ]) {
      expect(ChannelHours.safeParse(bad).success).toBe(false);
    }
  });
});

describe('channelRules', () => {
  it('offers every channel, at every hour, with nothing reserved, to a file without channels', () => {
    const rules = channelRules(undefined, 1000);
    expect(rules.map((r) => [r.channel, r.offered, r.waitingRoom, r.reserved, r.hours])).toEqual([
      ['web', true, true, 0, null],
      ['app', true, true, 0, null],
      ['store', true, false, 0, null],
      ['call_center', true, false, 0, null],
      ['walk_in', true, false, 0, null],
      ['organisation', true, false, 0, null],
    ]);
  });

  it('offers only the channels a file names, with their hours and reserves (whole doses, rounded down)', () => {
    const hours = { days: 'mon-sun', from: '09:00', to: '18:00' };
    const rules = channelRules(
      { web: {}, store: { hours, waitingRoom: false, reservedShare: 0.1 } },
      1_008_001,
    );
    const byChannel = Object.fromEntries(rules.map((r) => [r.channel, r]));
    expect(byChannel.web).toMatchObject({ offered: true, waitingRoom: true, reserved: 0 });
    expect(byChannel.store).toMatchObject({ offered: true, waitingRoom: false, reserved: 100_800, hours });
    expect(byChannel.call_center).toMatchObject({ offered: false });
  });
});

describe('campaign file channels', () => {
  const file = (channels: unknown) => ({
    id: 'c',
    name: { th: 'ท', en: 'e' },
    vaccine: 'v',
    timezone: 'Asia/Bangkok',
    opensAt: '2021-05-27T09:00:00+07:00',
    totalDoses: 10,
    standbySize: 0,
    eligibility: { provinceOfResidence: 'Bangkok', provinceCode: '10' },
    groups: [{ code: 'g', name: { th: 'ก', en: 'g' }, quota: 10 }],
    sites: [{ id: 'S1', name: { th: 'ส', en: 's' }, kind: 'k' }],
    slotGrid: { firstDay: '2021-06-07', days: 1, times: ['09:00'], capacityPerSlotPerSite: 10 },
    channels,
  });

  it('refuses an unknown channel and reserves above the whole', () => {
    expect(CampaignFile.safeParse(file({ fax: {} })).success).toBe(false);
    const over = CampaignFile.safeParse(
      file({ store: { reservedShare: 0.6 }, walk_in: { reservedShare: 0.5 } }),
    );
    expect(over.success).toBe(false);
    expect(JSON.stringify(over.error?.issues)).toContain('reserved shares add up to 1.1');
    expect(
      CampaignFile.safeParse(file({ store: { reservedShare: 0.5 }, walk_in: { reservedShare: 0.5 } }))
        .success,
    ).toBe(true);
  });
});
