import { describe, it, expect } from '@jest/globals';
import { maskPhone, normalizeThaiMobile } from './phone';

describe('normalizeThaiMobile', () => {
  it.each([
    '081-234-5678',
    '0812345678',
    '081 234 5678',
    '081.234.5678',
    '(081) 234-5678',
    '+66812345678',
    '66812345678',
    '+66 81 234 5678',
    '+66 (0)81 234 5678',
    '+660812345678',
    ' 0812345678 ',
    '๐๘๑๒๓๔๕๖๗๘',
  ])('reads %p as +66812345678', (input) => {
    expect(normalizeThaiMobile(input)).toBe('+66812345678');
  });

  it.each([
    ['0612345678', '+66612345678'],
    ['0912345678', '+66912345678'],
    ['+66 98 765 4321', '+66987654321'],
  ])('accepts the 06, 08 and 09 mobile ranges: %p', (input, expected) => {
    expect(normalizeThaiMobile(input)).toBe(expected);
  });

  it.each([
    ['Bangkok landline', '02-123-4567'],
    ['provincial landline', '034-123456'],
    ['07 number', '0712345678'],
    ['05 number', '0512345678'],
    ['too short', '081234567'],
    ['too long', '08123456789'],
    ['no trunk zero', '812345678'],
    ['other country code', '+6581234567'],
    ['letters', '08l2345678'],
    ['empty', ''],
    ['underscores', '081_234_5678'],
    ['landline in international form', '+6621234567'],
  ])('rejects a %s (%p)', (_label, input) => {
    expect(normalizeThaiMobile(input)).toBeNull();
  });

  it('returns null for non-string input', () => {
    expect(normalizeThaiMobile(812345678 as unknown as string)).toBeNull();
  });
});

describe('maskPhone', () => {
  it('keeps the operator prefix and the last three digits', () => {
    expect(maskPhone('+66812345678')).toBe('+6681xxxx678');
    expect(maskPhone('091-234-5678')).toBe('+6691xxxx678');
  });

  it('masks everything when the input is not a Thai mobile', () => {
    expect(maskPhone('02-123-4567')).toBe('+66xxxxxxxxx');
    expect(maskPhone('')).toBe('+66xxxxxxxxx');
  });
});
