import { createHmac } from 'node:crypto';
import { describe, it, expect } from '@jest/globals';
import {
  hashCitizenId,
  isValidCitizenId,
  maskCitizenId,
  normalizeCitizenId,
  normalizeDocumentId,
} from './citizen-id';

// The check-digit rule written out independently of the implementation, to generate test IDs.
function weightedResidue(first12: string): number {
  return [...first12].reduce((acc, d, i) => acc + Number(d) * (13 - i), 0) % 11;
}

function withCheckDigit(first12: string): string {
  return first12 + String((11 - weightedResidue(first12)) % 10);
}

function withDigit(id: string, position: number, digit: number): string {
  return id.slice(0, position) + String(digit) + id.slice(position + 1);
}

function everySingleDigitChange(id: string, positions: number[]): string[] {
  return positions.flatMap((p) =>
    [...Array(10).keys()].filter((d) => String(d) !== id[p]).map((d) => withDigit(id, p, d)),
  );
}

const bodies = [
  '110370207181',
  '310060012345',
  '899999999999',
  '850110012345',
  '110150023456',
  '000000000000',
];
const generated = bodies.map(withCheckDigit);
// Residues 0 and 10 both fold to check digit 1, so a change that moves the sum between them
// slips through; IDs with any other residue catch every change the weights can see.
const wellGuarded = bodies.filter((b) => ![0, 10].includes(weightedResidue(b))).map(withCheckDigit);
const ALL_BUT_THIRD = [0, 1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];

describe('isValidCitizenId', () => {
  it('accepts the worked example, whose check digit the rule yields as 1', () => {
    expect(withCheckDigit('110370207181')).toBe('1103702071811');
    expect(isValidCitizenId('1103702071811')).toBe(true);
  });

  it.each(generated)('accepts generated ID %s', (id) => {
    expect(isValidCitizenId(id)).toBe(true);
  });

  it.each(generated)('rejects %s with its check digit changed', (id) => {
    for (const wrong of everySingleDigitChange(id, [12])) expect(isValidCitizenId(wrong)).toBe(false);
  });

  it('has IDs with a residue other than 0 or 10 to test', () => {
    expect(wellGuarded.length).toBeGreaterThanOrEqual(3);
  });

  it.each(wellGuarded)('rejects %s with any one digit but the third changed', (id) => {
    for (const wrong of everySingleDigitChange(id, ALL_BUT_THIRD))
      expect(isValidCitizenId(wrong)).toBe(false);
  });

  // Known limits of the official scheme, pinned so nobody mistakes the check digit for proof of
  // identity: the gateway must not treat a passing ID as one confirmed to belong to the resident.
  it('cannot see the third digit, whose weight 11 vanishes mod 11', () => {
    expect(isValidCitizenId('1193702071811')).toBe(true);
  });

  it('cannot tell weighted sums of 0 and 10 mod 11 apart', () => {
    expect(weightedResidue('110370207181')).toBe(10);
    expect(weightedResidue('710370207181')).toBe(0);
    expect(isValidCitizenId('7103702071811')).toBe(true);
  });

  it('rejects wrong lengths, separators, letters and empty input', () => {
    expect(isValidCitizenId('')).toBe(false);
    expect(isValidCitizenId('110370207181')).toBe(false);
    expect(isValidCitizenId('11037020718110')).toBe(false);
    expect(isValidCitizenId('1-1037-02071-81-1')).toBe(false);
    expect(isValidCitizenId('110370207181a')).toBe(false);
    expect(isValidCitizenId(' 1103702071811')).toBe(false);
  });

  it('returns false for non-string input from untyped callers', () => {
    expect(isValidCitizenId(1103702071811 as unknown as string)).toBe(false);
    expect(isValidCitizenId(undefined as unknown as string)).toBe(false);
  });
});

describe('normalizeCitizenId', () => {
  it.each([
    '1103702071811',
    '1-1037-02071-81-1',
    '1 1037 02071 81 1',
    '  1103702071811 ',
    '1.1037.02071.81.1',
    '๑๑๐๓๗๐๒๐๗๑๘๑๑',
  ])('reads %p as the canonical 13 digits', (input) => {
    expect(normalizeCitizenId(input)).toBe('1103702071811');
  });

  it('returns null for a wrong check digit, so a normalised ID is always a valid one', () => {
    expect(normalizeCitizenId('1-1037-02071-81-2')).toBeNull();
  });

  it.each(['', '   ', '1-1037-02071-81', 'abc', '1103702071811x', '1_1037_02071_81_1'])(
    'returns null for %p',
    (input) => {
      expect(normalizeCitizenId(input)).toBeNull();
    },
  );

  it('returns null for non-string input', () => {
    expect(normalizeCitizenId(null as unknown as string)).toBeNull();
  });
});

describe('maskCitizenId', () => {
  it('keeps only the first and last digits, in the card grouping', () => {
    expect(maskCitizenId('1103702071811')).toBe('1-xxxx-xxxxx-xx-1');
    expect(maskCitizenId('3-1006-00123-45-6')).toBe('3-xxxx-xxxxx-xx-6');
  });

  it('masks a mistyped ID too: a typo is still nearly someone’s ID', () => {
    expect(maskCitizenId('1103702071812')).toBe('1-xxxx-xxxxx-xx-2');
  });

  it('masks everything when the input is not 13 digits', () => {
    expect(maskCitizenId('110370207181')).toBe('x-xxxx-xxxxx-xx-x');
    expect(maskCitizenId('')).toBe('x-xxxx-xxxxx-xx-x');
  });

  it('never leaks the middle digits', () => {
    for (const id of generated) expect(maskCitizenId(id)).not.toContain(id.slice(1, 12));
  });
});

describe('hashCitizenId', () => {
  const pepper = 'test-pepper';

  it('is the HMAC-SHA256 hex of the canonical digits', () => {
    const expected = createHmac('sha256', pepper).update('1103702071811').digest('hex');
    expect(hashCitizenId('1103702071811', pepper)).toBe(expected);
    expect(hashCitizenId('1103702071811', pepper)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('gives the same value however the ID was typed, so logs correlate across services', () => {
    expect(hashCitizenId('1-1037-02071-81-1', pepper)).toBe(hashCitizenId('1103702071811', pepper));
  });

  it('depends on the pepper and the ID', () => {
    expect(hashCitizenId('1103702071811', 'other')).not.toBe(hashCitizenId('1103702071811', pepper));
    expect(hashCitizenId(withCheckDigit('310060012345'), pepper)).not.toBe(
      hashCitizenId('1103702071811', pepper),
    );
  });

  it('refuses an empty pepper, which would make the hash reversible by brute force', () => {
    expect(() => hashCitizenId('1103702071811', '')).toThrow(/pepper/);
  });
});

describe('passports (issue 11)', () => {
  it('reads a passport document id, masks it to nationality and two characters, and keeps Thai IDs as before', () => {
    expect(normalizeDocumentId(' p-mmr-ma1234567 ')).toBe('P-MMR-MA1234567');
    expect(normalizeDocumentId('1 1037 02071 81 1')).toBe('1103702071811');
    expect(normalizeDocumentId('P-MM-MA1234567')).toBeNull();
    expect(normalizeDocumentId('MA1234567')).toBeNull();
    expect(maskCitizenId('P-MMR-MA1234567')).toBe('P-MMR-M…7');
  });
});
