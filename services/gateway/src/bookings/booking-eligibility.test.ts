import type { CampaignSnapshot } from '@khiw/contracts';
import { FIELD_MESSAGES } from '../http/problem-messages';
import { eligibilityFieldErrors } from './booking-eligibility';
import { parseBookingInput } from './booking-input';

const AT_NINE = '2021-08-02T09:00:00+07:00';

function snapshot(eligibility: CampaignSnapshot['eligibility']): CampaignSnapshot {
  const name = { th: 'x', en: 'x' };
  return {
    id: 'c1',
    name,
    vaccine: 'v',
    timezone: 'Asia/Bangkok',
    opensAt: '2021-07-30T01:00:00Z',
    state: 'open',
    totalDoses: 10,
    remainingDoses: 10,
    standbySize: 0,
    standbyCount: 0,
    eligibility,
    sms: {},
    groups: [
      { code: 'elderly70', name, quota: 5, remaining: 5, minAgeYears: 70 },
      { code: 'young', name, quota: 5, remaining: 5, maxAgeYears: 30 },
      { code: 'anyone', name, quota: 5, remaining: 5 },
    ],
    sites: [{ id: 'SKH', name, kind: 'hospital', remaining: 10 }],
    channels: [],
    publishedAt: '2021-07-30T01:00:00Z',
  };
}

const province74 = snapshot({ provinceCode: '74', minAgeYears: 18 });

describe('eligibilityFieldErrors', () => {
  it('passes a person the worker would take', () => {
    const facts = { groupCode: 'anyone', birthDate: '1980-05-01', provinceCode: '74', startsAt: AT_NINE };
    expect(eligibilityFieldErrors(province74, facts)).toEqual({});
  });

  it('makes provinceCode required for this campaign when the campaign names a province', () => {
    expect(eligibilityFieldErrors(province74, {})).toEqual({ provinceCode: FIELD_MESSAGES.provinceRequired });
    expect(eligibilityFieldErrors(province74, { provinceCode: '10' })).toEqual({
      provinceCode: FIELD_MESSAGES.provinceOutside,
    });
    expect(eligibilityFieldErrors(snapshot({}), {})).toEqual({});
  });

  it("refuses an age outside the group's window on the appointment day, in Bangkok", () => {
    const person = { provinceCode: '74', startsAt: AT_NINE };
    const tooYoung = { ...person, groupCode: 'elderly70', birthDate: '1951-08-03' }; // 69 on the day
    expect(eligibilityFieldErrors(province74, tooYoung)).toEqual({ birthDate: FIELD_MESSAGES.ageOutside });
    expect(eligibilityFieldErrors(province74, { ...tooYoung, birthDate: '1951-08-02' })).toEqual({});
    const tooOld = { ...person, groupCode: 'young', birthDate: '1990-08-02' }; // 31 on the day
    expect(eligibilityFieldErrors(province74, tooOld)).toEqual({ birthDate: FIELD_MESSAGES.ageOutside });
  });

  it("applies the campaign's window whatever the group, and only once the slot is known", () => {
    const seventeen = { provinceCode: '74', groupCode: 'anyone', birthDate: '2003-08-03' };
    expect(eligibilityFieldErrors(province74, { ...seventeen, startsAt: AT_NINE })).toEqual({
      birthDate: FIELD_MESSAGES.ageOutside,
    });
    expect(
      eligibilityFieldErrors(province74, { ...seventeen, groupCode: 'nope', startsAt: AT_NINE }),
    ).toEqual({
      birthDate: FIELD_MESSAGES.ageOutside,
    });
    expect(eligibilityFieldErrors(province74, seventeen)).toEqual({});
  });
});

describe('parseBookingInput', () => {
  it('keeps, parsed, the fields the campaign checks read when other fields are wrong', () => {
    const parsed = parseBookingInput({
      citizenId: '123',
      birthDate: '2494-08-03',
      provinceCode: '๗๔',
      groupCode: ' elderly70 ',
      siteId: 'SKH',
      slotId: 'bad slot!',
    });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.partial).toEqual({
      birthDate: '1951-08-03',
      provinceCode: '74',
      groupCode: 'elderly70',
      siteId: 'SKH',
    });
  });

  it('leaves out an absent province and a wrong birth date', () => {
    const parsed = parseBookingInput({ birthDate: '1951-02-30', groupCode: 'g' });
    expect(parsed.ok ? null : parsed.partial).toEqual({ groupCode: 'g' });
  });
});
