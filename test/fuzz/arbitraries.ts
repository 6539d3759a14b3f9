import { gzipSync } from 'node:zlib';
import fc from 'fast-check';

/**
 * Generators for the fuzz suite (issue 13, item 2): hostile text, mutated and random JSON
 * bodies, garbled tokens, content types and encodings, path segments and query strings.
 * Each generator takes a valid example where one exists, so a share of the requests is
 * almost right and walks deep into the handler, not only into its first check.
 */

export const THAI_DIGITS = '๐๑๒๓๔๕๖๗๘๙';
export const MYANMAR_DIGITS = '၀၁၂၃၄၅၆၇၈၉';
const ZERO_WIDTH = ['\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad', '\u202e', '\u061c'];
const COMBINING = ['\u0301', '\u0308', '\u0e31', '\u0e47', '\u0e48', '\u20dd', '\u0334'];
const SURROGATES = ['\ud800', '\udbff', '\udc00', '\udfff', '\ud83d'];
const ODD = ['\u0000', '\u0001', '\u007f', '\n', '\r\n', '\t', '"', "'", '\\', '/', '<', '%', '&', '?', '#'];

/** Same digits, other script: a Thai or Myanmar citizen ID or date looks valid to a person. */
export function toForeignDigits(text: string, digits: string): string {
  return text.replace(/[0-9]/g, (d) => digits[Number(d)]!);
}

const sprinkle = (pool: string[]) =>
  fc.tuple(fc.constantFrom(...pool), fc.nat()).map(([ch, at]) => ({ ch, at }));

/** A valid string bent: foreign digits, invisible or combining characters, surrogates, NUL. */
export function bent(valid: string): fc.Arbitrary<string> {
  const insert = (pool: string[]) =>
    sprinkle(pool).map(({ ch, at }) => {
      const i = valid.length ? at % (valid.length + 1) : 0;
      return valid.slice(0, i) + ch + valid.slice(i);
    });
  return fc.oneof(
    fc.constant(toForeignDigits(valid, THAI_DIGITS)),
    fc.constant(toForeignDigits(valid, MYANMAR_DIGITS)),
    insert(ZERO_WIDTH),
    insert(COMBINING),
    insert(SURROGATES),
    insert(ODD),
    fc.constant(` ${valid} `),
    fc.constant(valid.toUpperCase()),
    fc.constant(valid.slice(0, -1)),
    fc.constant(`${valid}${valid}`),
    fc.constant(valid.normalize('NFD')),
    fc.constant(valid.replace(/-/g, '\u2011')),
  );
}

/** Any hostile text, short or long. */
export const weirdText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc
    .array(
      fc.constantFrom(...THAI_DIGITS, ...MYANMAR_DIGITS, ...ZERO_WIDTH, ...COMBINING, ...SURROGATES, ...ODD),
      {
        maxLength: 20,
      },
    )
    .map((chars) => chars.join('')),
  fc.constantFrom(
    '',
    ' ',
    'null',
    'undefined',
    'NaN',
    '-1',
    '0',
    '1e309',
    '__proto__',
    'constructor',
    '../..',
  ),
  fc.constantFrom(63, 64, 65, 100, 2049, 10_000).map((n) => 'x'.repeat(n)),
);

/** Any JSON value a client might send in place of a field. */
export const weirdValue: fc.Arbitrary<unknown> = fc.oneof(
  weirdText,
  fc.constantFrom(null, true, false, 0, -1, 1.5, 1e308, -0, Number.MAX_SAFE_INTEGER + 2),
  fc.integer(),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
  fc.constant({ __proto__: { admin: true } }),
);

type JsonObject = Record<string, unknown>;

/** A valid object, mutated: a field dropped, added, retyped or its text bent; maybe nested. */
export function mutatedObject(valid: JsonObject): fc.Arbitrary<JsonObject> {
  const keys = Object.keys(valid);
  const one: fc.Arbitrary<JsonObject> = fc.oneof(
    fc.constant({ ...valid }),
    keys.length ? fc.constantFrom(...keys).map((k) => withoutKey(valid, k)) : fc.constant(valid),
    fc
      .tuple(fc.oneof(weirdText, fc.constantFrom('__proto__', 'constructor', 'prototype')), weirdValue)
      .map(([k, v]) => ({ ...valid, [k]: v })),
    keys.length
      ? fc.tuple(fc.constantFrom(...keys), weirdValue).map(([k, v]) => ({ ...valid, [k]: v }))
      : fc.constant(valid),
    keys.length
      ? fc
          .constantFrom(...keys)
          .chain((k) =>
            typeof valid[k] === 'string'
              ? bent(valid[k] as string).map((v) => ({ ...valid, [k]: v }))
              : fc.constant(valid),
          )
      : fc.constant(valid),
  );
  return fc.tuple(one, one).map(([a, b]) => ({ ...a, ...b }));
}

function withoutKey(obj: JsonObject, key: string): JsonObject {
  const copy = { ...obj };
  delete copy[key];
  return copy;
}

/** A body as bytes, or a size to fill lazily (huge bodies are built only when sent). */
export type FuzzBody = { kind: 'bytes'; data: Buffer } | { kind: 'fill'; size: number; json: boolean };

const utf8 = (text: string): FuzzBody => ({ kind: 'bytes', data: Buffer.from(text, 'utf8') });

/** Sizes at and past a byte limit, and a few far past it. */
export function sizesAround(limit: number): fc.Arbitrary<number> {
  // Far past a large limit costs seconds of loopback per request: at it and just past it only.
  if (limit > 100_000) return fc.constantFrom(limit - 1, limit, limit + 1, limit + 100);
  return fc.constantFrom(limit - 64, limit - 1, limit, limit + 1, limit + 100, limit * 2, limit * 8);
}

/**
 * A body for a JSON route: mostly the valid example mutated; then random JSON, text that is
 * not JSON, JSON at and past the route's limit, and nothing at all.
 */
export function jsonBody(valid: JsonObject, limitBytes: number): fc.Arbitrary<FuzzBody | undefined> {
  return fc.oneof(
    { weight: 10, arbitrary: mutatedObject(valid).map((o) => utf8(JSON.stringify(o))) },
    { weight: 2, arbitrary: fc.constant(utf8(JSON.stringify(valid))) },
    { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => utf8(JSON.stringify(v) ?? 'null')) },
    { weight: 1, arbitrary: fc.constant(utf8(`${'['.repeat(5000)}${']'.repeat(5000)}`)) },
    {
      weight: 3,
      arbitrary: fc
        .oneof(
          fc.constantFrom(
            '',
            '{',
            '{"a":',
            "{'a':1}",
            '{"a":1,}',
            'null',
            '"x"',
            '[]',
            '1',
            'NaN',
            '{"a":1}{"b":2}',
          ),
          fc.string({ maxLength: 60 }),
          fc.constant(`{"citizenId":"1\u0000"}`),
        )
        .map(utf8),
    },
    {
      weight: 1,
      arbitrary: fc
        .uint8Array({ maxLength: 64 })
        .map((b) => ({ kind: 'bytes', data: Buffer.from(b) }) as FuzzBody),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(sizesAround(limitBytes), fc.boolean())
        .map(([size, json]) => ({ kind: 'fill', size, json }) as FuzzBody),
    },
    { weight: 2, arbitrary: fc.constant(undefined) },
  );
}

/** Content types a client sends with a body, right, wrong and garbled. */
export const contentType: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 10, arbitrary: fc.constant('application/json') },
  {
    weight: 6,
    arbitrary: fc.constantFrom(
      'application/json; charset=utf-8',
      'application/json; charset=UTF-8',
      'application/json;charset="utf-8"',
      'application/json; charset=latin1',
      'application/json; charset=iso-8859-1',
      'application/json; charset=utf-16',
      'application/json; charset=koi8-r',
      'application/json; charset=tis-620',
      'application/json; charset=nonsense',
      'application/json; charset=',
      'application/json; boundary=x',
      'application/vnd.api+json',
      'APPLICATION/JSON',
      'application/json, text/plain',
      'text/plain',
      'text/csv',
      'text/csv; charset=utf-8',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=----x',
      'application/octet-stream',
      '*/*',
      ';;;',
      'application/',
      'json',
    ),
  },
  { weight: 2, arbitrary: fc.constant(undefined) },
);

/** Content-Encoding: mostly none; gzip with a real gzip body, or a claim the body does not keep. */
export const contentEncoding: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 12, arbitrary: fc.constant(undefined) },
  {
    weight: 3,
    arbitrary: fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'x-unknown', 'gzip, gzip', 'GZIP'),
  },
);

/** Gzips the body when the request says gzip and a coin says the claim is honest. */
export function encodeBody(body: Buffer, encoding: string | undefined, honest: boolean): Buffer {
  return encoding === 'gzip' && honest ? gzipSync(body) : body;
}
