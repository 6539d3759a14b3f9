import { describe, expect, it } from '@jest/globals';
import { Writable } from 'node:stream';
import { isValidCitizenId } from '@khiw/thai';
import { createLogger } from './logger';
import { findPii, maskDeep, maskString } from './mask';

// Valid check digits (packages/thai): the first is the one the other tests use.
const CITIZEN = '1103702071811';
const CITIZEN_2 = '3100600123450';

/** A 13-digit number like CITIZEN_ID whose check digit is wrong (the last digit moved by one). */
function withWrongCheckDigit(id: string): string {
  return `${id.slice(0, 12)}${(Number(id[12]) + 1) % 10}`;
}

/** Millisecond timestamps from a fixed start: about one in ten has a valid check digit. */
function timestampsWithValidCheckDigit(count: number): string[] {
  const out: string[] = [];
  for (let t = 1_733_150_000_000; out.length < count; t++) {
    if (isValidCitizenId(String(t))) out.push(String(t));
  }
  return out;
}

describe('maskString: what is masked', () => {
  it.each([
    ['a bare ID', `citizen ${CITIZEN} not found`, 'citizen xxxxxxxxxx811 not found'],
    ['an ID as printed on the card', 'id 1 1037 02071 81 1.', 'id xxxxxxxxxx811.'],
    ['an ID with dashes', '(1-1037-02071-81-1)', '(xxxxxxxxxx811)'],
    ['an ID in Thai digits', 'เลข ๑๑๐๓๗๐๒๐๗๑๘๑๑', 'เลข xxxxxxxxxx811'],
    [
      'an ID in a SQL error',
      `Key (citizen_id)=(${CITIZEN}) already exists`,
      'Key (citizen_id)=(xxxxxxxxxx811) already exists',
    ],
    ['an ID in a URL path', `/internal/residents/${CITIZEN}?x=1`, '/internal/residents/xxxxxxxxxx811?x=1'],
    ['an ID in JSON', `{"citizenId":"${CITIZEN_2}"}`, '{"citizenId":"xxxxxxxxxx450"}'],
    ['a national mobile', 'call 0812345678 now', 'call xxxxxxx678 now'],
    ['a mobile with dashes', 'call 081-234-5678', 'call xxxxxxx678'],
    ['an E.164 mobile', 'sms to +66812345678', 'sms to +xxxxxxxx678'],
    ['66 without plus', 'msisdn=66912345678', 'msisdn=xxxxxxxx678'],
    ['a mobile in Thai digits', 'โทร ๐๘๑๒๓๔๕๖๗๘', 'โทร xxxxxxx678'],
    ['a Thai passport', 'passport AA1234567 expired', 'passport AAxxxx567 expired'],
    ['a Myanmar passport', 'doc MB1234567, MA123456', 'doc MBxxxx567, MAxxx456'],
    ['a Lao passport', '"P1234567"', '"Pxxxx567"'],
    ['a passport document id', 'booked P-MMR-MA1234567 at SKH', 'booked Pxxxx567 at SKH'],
  ])('%s', (_what, input, expected) => {
    expect(maskString(input)).toBe(expected);
  });

  it('masks every ID and phone of a line, not just the first', () => {
    const masked = maskString(`${CITIZEN} and ${CITIZEN_2}, 0812345678 / +66912345678`);
    expect(masked).toBe('xxxxxxxxxx811 and xxxxxxxxxx450, xxxxxxx678 / +xxxxxxxx678');
    expect(findPii(masked)).toEqual([]);
  });
});

describe('maskString: what is left alone', () => {
  const stamps = timestampsWithValidCheckDigit(5);

  it('leaves ordinary numbers alone', () => {
    expect(maskString('slot SKH-20210802-0900 has 19 places, 30000 doses')).toBe(
      'slot SKH-20210802-0900 has 19 places, 30000 doses',
    );
  });

  it('leaves 13 digits with a wrong check digit alone', () => {
    const notAnId = withWrongCheckDigit(CITIZEN);
    expect(isValidCitizenId(notAnId)).toBe(false);
    expect(maskString(`value ${notAnId}`)).toBe(`value ${notAnId}`);
  });

  it.each(stamps.map((s) => [s]))('leaves ids built on the millisecond timestamp %s alone', (stamp) => {
    // Each of these timestamps passes the check digit: only being part of an id saves it.
    for (const id of [
      `demo-${stamp}`,
      `demo-${stamp}.AbCdEf0123456789xyz`,
      `khiw-test:{demo-${stamp}}:room`,
      `run-${stamp}-x`,
      `file.${stamp}.log`,
      `req_${stamp}`,
      `${stamp}-worker`,
      `abc${stamp}`,
      `${stamp}ms`,
    ]) {
      expect(maskString(`campaign ${id} opened`)).toBe(`campaign ${id} opened`);
    }
  });

  it('leaves hashes, uuids, request ids and booking references alone', () => {
    for (const id of [
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      '08123456-7890-4123-8123-081234567890',
      'samut-sakhon-2021.Zx-0812345678_abcDEF1234567',
      'KHW-AB234567-Z',
      'sha-AB1234567',
      'AB1234567x',
      'AAA1234567',
      'ab1234567',
      'A12345',
      '+66-API-0812345678',
    ]) {
      expect(maskString(`id ${id}.`)).toBe(`id ${id}.`);
    }
  });

  it('leaves landlines and numbers too short or too long to be a mobile alone', () => {
    for (const n of ['021234567', '081234567890', '0712345678', '6681234']) {
      expect(maskString(`n ${n}`)).toBe(`n ${n}`);
    }
  });
});

describe('maskDeep', () => {
  it('masks sensitive fields whatever they hold, and keeps a number recognisable', () => {
    expect(
      maskDeep({
        citizenId: CITIZEN,
        phone: '+66812345678',
        passportNumber: 'AA1234567',
        firstName: 'สมชาย',
        lastName: 'Jaidee',
        birthDate: '1980-01-02',
        campaignId: 'demo-1733150000002',
        nested: { to: '0812345678', note: `id ${CITIZEN_2}` },
      }),
    ).toEqual({
      citizenId: 'xxxxxxxxxx811',
      phone: '+xxxxxxxx678',
      passportNumber: 'xxxx567',
      firstName: '[masked]',
      lastName: '[masked]',
      birthDate: 'xxxxx102',
      campaignId: 'demo-1733150000002',
      nested: { to: 'xxxxxxx678', note: 'id xxxxxxxxxx450' },
    });
  });
});

describe('logger', () => {
  it("masks a child logger's bound fields too", () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = createLogger({ service: 'test', destination });
    logger.child({ phone: '0812345678', request: `r/${CITIZEN}` }).info('x');
    const out = lines.join('');
    expect(out).not.toContain('0812345678');
    expect(out).not.toContain(CITIZEN);
    expect(findPii(out)).toEqual([]);
  });
});
