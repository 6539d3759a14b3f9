/** A lone UTF-16 surrogate: JSON carries it, PostgreSQL's text and jsonb refuse it. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Whether every string in `value` (keys too) can be stored in a PostgreSQL text or jsonb
 * column: no NUL, no lone surrogate. Either makes the query fail, a 500 instead of a 400.
 * Nor an own `__proto__` key (JSON.parse makes one): Prisma throws serialising it as Json.
 */
export function storableInPostgres(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return !value.includes('\u0000') && !LONE_SURROGATE.test(value);
  if (value === null || typeof value !== 'object' || depth > 100) return true;
  if (Array.isArray(value)) return value.every((item) => storableInPostgres(item, depth + 1));
  return Object.entries(value).every(
    ([key, item]) =>
      key !== '__proto__' && storableInPostgres(key, depth + 1) && storableInPostgres(item, depth + 1),
  );
}
