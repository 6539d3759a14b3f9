import { describe, it, expect } from '@jest/globals';
import {
  ageOn,
  bangkokDateKey,
  bangkokDateTime,
  formatBangkokTime,
  formatThaiDate,
  parseBirthDate,
} from './dates';

// 09:00 on Monday 2 August 2021 in Bangkok.
const nineAmBangkok = new Date('2021-08-02T02:00:00Z');

describe('formatThaiDate', () => {
  it('writes the Buddhist Era year and the abbreviated Thai month', () => {
    expect(formatThaiDate(nineAmBangkok, { lang: 'th' })).toBe('2 ส.ค. 2564');
  });

  it('defaults to Thai', () => {
    expect(formatThaiDate(nineAmBangkok)).toBe('2 ส.ค. 2564');
  });

  it('writes day, short month and Common Era year in English', () => {
    expect(formatThaiDate(nineAmBangkok, { lang: 'en' })).toBe('2 Aug 2021');
    expect(formatThaiDate(new Date('2021-09-15T03:00:00Z'), { lang: 'en' })).toBe('15 Sep 2021');
  });

  it('uses the Bangkok calendar day, not the UTC one', () => {
    // 17:30 UTC on 24 July is 00:30 on Sunday 25 July in Bangkok, the re-opening day.
    const justAfterMidnight = new Date('2021-07-24T17:30:00Z');
    expect(formatThaiDate(justAfterMidnight, { lang: 'th' })).toBe('25 ก.ค. 2564');
    expect(formatThaiDate(justAfterMidnight, { lang: 'en' })).toBe('25 Jul 2021');
  });

  it('rolls the Buddhist Era year over on 1 January', () => {
    expect(formatThaiDate(new Date('2021-12-31T17:00:00Z'))).toBe('1 ม.ค. 2565');
  });
});

describe('formatBangkokTime', () => {
  it('gives the 24-hour Bangkok wall-clock time', () => {
    expect(formatBangkokTime(nineAmBangkok)).toBe('09:00');
    expect(formatBangkokTime(new Date('2021-08-02T15:00:00Z'))).toBe('22:00');
    expect(formatBangkokTime(new Date('2021-08-01T17:00:00Z'))).toBe('00:00');
  });

  it('throws on an invalid Date rather than printing garbage in an SMS', () => {
    expect(() => formatBangkokTime(new Date('nonsense'))).toThrow(RangeError);
  });
});

describe('bangkokDateKey', () => {
  it('is the calendar date in Bangkok', () => {
    expect(bangkokDateKey(nineAmBangkok)).toBe('2021-08-02');
    expect(bangkokDateKey(new Date('2021-08-01T16:59:59.999Z'))).toBe('2021-08-01');
    expect(bangkokDateKey(new Date('2021-08-01T17:00:00Z'))).toBe('2021-08-02');
  });
});

describe('bangkokDateTime', () => {
  it('is the UTC instant of a Bangkok wall-clock time, seven hours earlier', () => {
    expect(bangkokDateTime('2021-08-02', '09:00').toISOString()).toBe('2021-08-02T02:00:00.000Z');
    expect(bangkokDateTime('2021-07-25', '03:30').toISOString()).toBe('2021-07-24T20:30:00.000Z');
  });

  it('round-trips with bangkokDateKey and formatBangkokTime', () => {
    const instant = bangkokDateTime('2024-02-29', '21:45');
    expect(bangkokDateKey(instant)).toBe('2024-02-29');
    expect(formatBangkokTime(instant)).toBe('21:45');
  });

  it.each([
    ['2021-02-30', '09:00'],
    ['2021-8-2', '09:00'],
    ['2021-08-02', '9:00'],
    ['2021-08-02', '24:00'],
    ['2021-08-02', '09:60'],
    ['', ''],
  ])('throws on %p %p', (day, time) => {
    expect(() => bangkokDateTime(day, time)).toThrow(RangeError);
  });
});

describe('ageOn', () => {
  it('counts full years, turning older on the birthday itself', () => {
    expect(ageOn('1950-01-31', bangkokDateTime('2020-01-30', '23:59'))).toBe(69);
    expect(ageOn('1950-01-31', bangkokDateTime('2020-01-31', '00:00'))).toBe(70);
  });

  it('decides the birthday by the Bangkok calendar', () => {
    // 18:00 UTC on 30 January is already 01:00 on the 31st in Bangkok.
    expect(ageOn('1950-01-31', new Date('2020-01-30T18:00:00Z'))).toBe(70);
    expect(ageOn('1950-01-31', new Date('2020-01-30T16:00:00Z'))).toBe(69);
  });

  it('ages someone born on 29 February on 1 March in common years', () => {
    expect(ageOn('2000-02-29', bangkokDateTime('2021-02-28', '12:00'))).toBe(20);
    expect(ageOn('2000-02-29', bangkokDateTime('2021-03-01', '12:00'))).toBe(21);
    expect(ageOn('2000-02-29', bangkokDateTime('2024-02-29', '12:00'))).toBe(24);
  });

  it('accepts a Date as the birth date, read as a Bangkok day', () => {
    expect(ageOn(bangkokDateTime('1951-07-25', '00:00'), bangkokDateTime('2021-07-25', '09:00'))).toBe(70);
  });

  it('is zero on the day of birth', () => {
    expect(ageOn('2021-07-25', bangkokDateTime('2021-07-25', '09:00'))).toBe(0);
  });

  it('throws on an impossible birth date', () => {
    expect(() => ageOn('2021-02-30', nineAmBangkok)).toThrow(RangeError);
    expect(() => ageOn('', nineAmBangkok)).toThrow(RangeError);
  });
});

describe('parseBirthDate', () => {
  const now = nineAmBangkok;

  it.each([
    ['1950-01-31', '1950-01-31'],
    ['1950-1-3', '1950-01-03'],
    ['2493-01-31', '1950-01-31'],
    ['31/01/2493', '1950-01-31'],
    ['3/1/1950', '1950-01-03'],
    ['31-01-2493', '1950-01-31'],
    [' ๓๑/๐๑/๒๔๙๓ ', '1950-01-31'],
  ])('reads %p as %p', (input, expected) => {
    expect(parseBirthDate(input, now)).toBe(expected);
  });

  it('checks leap years after converting the era: 2563 BE is the leap year 2020', () => {
    expect(parseBirthDate('2563-02-29', now)).toBe('2020-02-29');
    expect(parseBirthDate('2564-02-29', now)).toBeNull();
    expect(parseBirthDate('2000-02-29', now)).toBe('2000-02-29');
    expect(parseBirthDate('1900-02-29', now)).toBeNull();
  });

  it.each(['2021-02-30', '2021-04-31', '2021-13-01', '2021-00-10', '1950-01-00', '30/02/2500'])(
    'rejects the impossible date %p',
    (input) => {
      expect(parseBirthDate(input, now)).toBeNull();
    },
  );

  it('accepts today in Bangkok but rejects tomorrow', () => {
    expect(parseBirthDate('2021-08-02', now)).toBe('2021-08-02');
    expect(parseBirthDate('2021-08-03', now)).toBeNull();
    expect(parseBirthDate('2564-08-03', now)).toBeNull();
    // 23:00 UTC on 1 August is already 2 August in Bangkok.
    expect(parseBirthDate('2021-08-02', new Date('2021-08-01T23:00:00Z'))).toBe('2021-08-02');
  });

  it('rejects years too early for anyone alive and a year 2400 that is neither era', () => {
    expect(parseBirthDate('1899-12-31', now)).toBeNull();
    expect(parseBirthDate('2400-01-01', now)).toBeNull();
  });

  it.each(['', '   ', '31 Jan 1950', '1950/01/31', '19500131', '01/31/1950', '50-01-31'])(
    'rejects %p',
    (input) => {
      expect(parseBirthDate(input, now)).toBeNull();
    },
  );

  it('returns null for non-string input', () => {
    expect(parseBirthDate(new Date() as unknown as string, now)).toBeNull();
  });
});
