import { describe, expect, it } from '@jest/globals';
import { storableInPostgres } from './storable';

describe('storableInPostgres', () => {
  it('accepts Thai, emoji (a surrogate pair) and nested values', () => {
    expect(storableInPostgres({ name: { th: 'สมชาย', en: 'x 😀' }, list: [1, null, 'a'] })).toBe(true);
  });

  it.each([
    ['a NUL in a value', { operator: 'a\u0000' }],
    ['a NUL in a key', { ['k\u0000']: 1 }],
    ['a lone high surrogate', ['x\ud800']],
    ['a lone low surrogate', { deep: { deeper: '\udc00y' } }],
    ['an own __proto__ key', JSON.parse('{"__proto__": null, "id": "x"}') as unknown],
  ])('refuses %s', (_what, value) => {
    expect(storableInPostgres(value)).toBe(false);
  });
});
