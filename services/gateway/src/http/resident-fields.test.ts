import { describe, expect, it } from '@jest/globals';
import { fieldErrorsOf } from './field-errors';
import { FIELD_MESSAGES } from './problem-messages';
import { birthDateField, citizenIdField, nameField, phoneField } from './resident-fields';

const errorOf = (
  schema: { safeParse: (v: unknown) => { success: boolean; error?: unknown } },
  value: unknown,
) => {
  const parsed = schema.safeParse(value);
  return parsed.success ? undefined : fieldErrorsOf(parsed.error as never)['(body)'];
};

describe('resident fields', () => {
  it('normalises every common Thai mobile format to E.164 and refuses landlines', () => {
    for (const typed of [
      '0812345678',
      '081-234-5678',
      '081 234 5678',
      '+66812345678',
      '+66 81 234 5678',
      '๐๘๑๒๓๔๕๖๗๘',
    ]) {
      expect(phoneField.parse(typed)).toBe('+66812345678');
    }
    expect(errorOf(phoneField, '02-123-4567')).toEqual(FIELD_MESSAGES.phone);
    expect(errorOf(phoneField, undefined)).toEqual(FIELD_MESSAGES.required);
  });

  it('tells a wrong check digit from a wrong length, and accepts the ID as printed', () => {
    expect(citizenIdField.parse('1 1037 02071 81 1')).toBe('1103702071811');
    expect(errorOf(citizenIdField, '1103702071812')).toEqual(FIELD_MESSAGES.citizenIdCheckDigit);
    expect(errorOf(citizenIdField, '110370207181')).toEqual(FIELD_MESSAGES.citizenIdFormat);
    expect(errorOf(citizenIdField, 1103702071811)).toEqual(FIELD_MESSAGES.notText);
  });

  it('reads Buddhist Era years and refuses impossible and future birth dates with their own message', () => {
    expect(birthDateField.parse('2493-03-15')).toBe('1950-03-15');
    expect(birthDateField.parse('15/3/1950')).toBe('1950-03-15');
    expect(errorOf(birthDateField, '1950-02-30')).toEqual(FIELD_MESSAGES.birthDateImpossible);
    expect(errorOf(birthDateField, '2999-01-01')).toEqual(FIELD_MESSAGES.birthDateFuture);
    expect(errorOf(birthDateField, 'yesterday')).toEqual(FIELD_MESSAGES.birthDateFormat);
  });

  it('trims names and refuses markup, digits and overlong ones', () => {
    expect(nameField.parse('  สม   ชาย ')).toBe('สม ชาย');
    expect(nameField.parse("O'Brien-Smith")).toBe("O'Brien-Smith");
    expect(errorOf(nameField, '<b>')).toEqual(FIELD_MESSAGES.nameCharacters);
    expect(errorOf(nameField, 'ก'.repeat(101))).toEqual(FIELD_MESSAGES.nameLength);
    expect(errorOf(nameField, '   ')).toEqual(FIELD_MESSAGES.required);
  });
});
