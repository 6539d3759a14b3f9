import fc from 'fast-check';
import { bent, contentEncoding, contentType, jsonBody, weirdText, type FuzzBody } from './arbitraries';

/** The parts of a request around its body: tokens, path segments, query strings, headers. */
/** Authorization values: the valid tokens given, and the same garbled every way we know. */
export function authorization(valid: string[]): fc.Arbitrary<string | undefined> {
  const b64 = (v: string) => Buffer.from(v).toString('base64url');
  const token = valid.length ? fc.constantFrom(...valid) : fc.constant('a.b.c');
  const garbled = token.chain((t) => {
    const [h = '', p = '', s = ''] = t.split('.');
    return fc.oneof(
      fc.nat({ max: Math.max(0, t.length - 1) }).map((i) => t.slice(0, i)),
      fc
        .tuple(fc.nat({ max: Math.max(0, t.length - 1) }), fc.constantFrom('A', '-', '_', '.', '=', '+'))
        .map(([i, ch]) => t.slice(0, i) + ch + t.slice(i + 1)),
      fc.constant(`${h}.${p}`),
      fc.constant(`${h}.${p}.${s}.${s}`),
      fc.constant(`${b64('{"alg":"none","typ":"JWT"}')}.${p}.`),
      fc.constant(`${b64('{"alg":"HS256","kid":"test-key"}')}.${p}.${s}`),
      fc.constant(`${b64('[]')}.${b64('[]')}.${s}`),
      fc.constant(`${h}.${b64('{"aud":["a","b"],"typ":"ops","role":"ops"}')}.${s}`),
      fc.constant(`${h}.${b64('"x"')}.${s}`),
      fc.constant(`${h}.${b64('{oops')}.${s}`),
      fc.constant(`${b64('{oops')}.${p}.${s}`),
      fc.constant(`${h}.${p}.${s}`.replace(/[A-Za-z]/, '๑')),
      fc.constantFrom(1000, 8000, 12_000).map((n) => `${h}.${'A'.repeat(n)}.${s}`),
      fc.string({ maxLength: 30 }),
      fc.constant(`${t}\u200b`),
    );
  });
  return fc.oneof(
    { weight: 6, arbitrary: token.map((t) => `Bearer ${t}`) },
    { weight: 6, arbitrary: garbled.map((t) => `Bearer ${t}`) },
    {
      weight: 2,
      arbitrary: fc.oneof(
        token.map((t) => `bearer   ${t}`),
        token.map((t) => `Basic ${t}`),
        token.map((t) => `Bearer ${t} ${t}`),
        token.map((t) => t),
        fc.constantFrom('Bearer', 'Bearer ', 'Bearer  ', '', 'Bearer null', 'Bearer undefined', 'Bearer ๑๒๓'),
      ),
    },
    { weight: 3, arbitrary: fc.constant(undefined) },
  );
}

/**
 * A path segment: the valid value (so the handler goes on), random text percent-encoded,
 * or a raw encoding edge case (`%`, `%ff`, overlong UTF-8, an encoded surrogate, `%00`...).
 */
export function pathSegment(valid: string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...valid).map(encodeURIComponent) },
    { weight: 3, arbitrary: weirdText.map(percentEncode) },
    {
      weight: 2,
      arbitrary: fc
        .constantFrom(...valid)
        .chain((v) => bent(v))
        .map(percentEncode),
    },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        '%',
        '%2',
        '%zz',
        '%ff',
        '%FF%FE',
        '%00',
        '%2F',
        '%2f..%2f',
        '%C0%AF',
        '%C0%80',
        '%E0%80%80',
        '%ED%A0%80',
        '%ED%BF%BF',
        '%F4%90%80%80',
        '%EF%BB%BF',
        '%E2%80%8B',
        '%25',
        '%2525',
        '..',
        '.',
        '%2e%2e',
        '%u0041',
        '%%',
        '+',
        '%20',
        ';',
        ';a=b',
        ':',
        '@',
        '!',
        '$',
        '~',
        '*',
      ),
    },
    { weight: 1, arbitrary: fc.constantFrom(200, 2000, 7000).map((n) => 'a'.repeat(n)) },
  );
}

/** encodeURIComponent that cannot throw: a lone surrogate becomes its WTF-8 bytes, encoded. */
export function percentEncode(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (code >= 0xd800 && code <= 0xdfff) {
      out += `%${(0xe0 | (code >> 12)).toString(16)}%${(0x80 | ((code >> 6) & 0x3f)).toString(16)}%${(0x80 | (code & 0x3f)).toString(16)}`;
    } else out += encodeURIComponent(ch);
  }
  return out.toUpperCase().replace(/%([0-9A-F]{2})/g, (_m, h: string) => `%${h}`);
}

/** A query string: the valid pairs mutated, repeated keys (arrays), brackets, raw edge cases. */
export function queryString(valid: Record<string, string[]>): fc.Arbitrary<string> {
  const keys = Object.keys(valid);
  const pair = fc.oneof(
    keys.length
      ? fc.constantFrom(...keys).chain((k) =>
          fc.oneof(
            fc.constantFrom(...valid[k]!).map((v) => `${k}=${encodeURIComponent(v)}`),
            fc
              .constantFrom(...valid[k]!)
              .chain((v) => bent(v))
              .map((v) => `${k}=${percentEncode(v)}`),
            weirdText.map((v) => `${k}=${percentEncode(v)}`),
            fc.constantFrom(`${k}`, `${k}=`, `${k}[]=1`, `${k}[a]=1`, `${k}=%ff`, `${k}=%`, `${k}=a&${k}=b`),
          ),
        )
      : weirdText.map((v) => `q=${percentEncode(v)}`),
    fc.tuple(weirdText, weirdText).map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`),
    fc.constantFrom('__proto__[x]=1', 'constructor[prototype][x]=1', '=', '&&', '%', 'a=%E0%A4'),
  );
  return fc.array(pair, { maxLength: 4 }).map((pairs) => (pairs.length ? `?${pairs.join('&')}` : ''));
}

/** Extra headers a client or proxy might add: odd forwarding chains, accept headers, charset. */
export const extraHeaders: fc.Arbitrary<Record<string, string>> = fc.oneof(
  { weight: 4, arbitrary: fc.constant({}) },
  {
    weight: 1,
    arbitrary: fc.record(
      {
        'x-forwarded-for': fc.constantFrom(
          '1.2.3.4',
          'garbage',
          '::1',
          '10.0.0.1, 300.1.1.1',
          ', ,',
          'unknown',
          'ff::ff::ff',
        ),
        accept: fc.constantFrom('*/*', 'text/html', 'application/json', '', 'x/y;q=abc'),
        'accept-charset': fc.constantFrom('utf-8', 'tis-620', '*'),
        'accept-language': fc.constantFrom('th', 'en', 'th-TH,th;q=0.9', '๑', 'x'.repeat(300)),
        'x-request-id': weirdText,
      },
      { requiredKeys: [] },
    ),
  },
);

export interface RequestShape {
  method: string | string[];
  /** Path pieces: fixed text, or the valid values of a parameter (fuzzed by pathSegment). */
  path: (string | string[])[];
  query?: Record<string, string[]>;
  /** Valid tokens (without `Bearer `); garbled forms are drawn from them. */
  tokens?: string[];
  /**
   * A valid JSON body (or a generator of them: other citizen IDs keep the per-citizen limit
   * from refusing most requests) and the route's byte limit; none: the route reads no body.
   */
  body?: { valid: Record<string, unknown> | fc.Arbitrary<Record<string, unknown>>; limitBytes: number };
  /** A body of another kind (the CSV import): its own generator. */
  rawBody?: fc.Arbitrary<FuzzBody | undefined>;
  /** Extra headers that are always sent (the internal token). */
  headers?: Record<string, fc.Arbitrary<string | undefined>>;
}

const validBodies = (valid: Record<string, unknown> | fc.Arbitrary<Record<string, unknown>>) =>
  valid instanceof fc.Arbitrary ? valid : fc.constant(valid);

/** Every request to one route: path, query, headers, body and encodings drawn together. */
export function requestOf(shape: RequestShape) {
  const segments = shape.path.map((piece) =>
    typeof piece === 'string' ? fc.constant(piece) : pathSegment(piece),
  );
  const body =
    shape.rawBody ??
    (shape.body
      ? validBodies(shape.body.valid).chain((v) => jsonBody(v, shape.body!.limitBytes))
      : fc.constant(undefined));
  const fixed = fc.record(
    Object.fromEntries(Object.entries(shape.headers ?? {})) as Record<
      string,
      fc.Arbitrary<string | undefined>
    >,
  );
  return fc
    .record({
      method: fc.constantFrom(...[shape.method].flat()),
      path: fc.tuple(...segments).map((parts) => parts.join('')),
      query: queryString(shape.query ?? {}),
      authorization: authorization(shape.tokens ?? []),
      contentType: shape.body || shape.rawBody ? contentType : fc.oneof(fc.constant(undefined), contentType),
      encoding: contentEncoding,
      gzipHonest: fc.boolean(),
      body: fc.oneof({ weight: 9, arbitrary: body }, { weight: 1, arbitrary: fc.constant(undefined) }),
      extra: extraHeaders,
      fixed,
    })
    .map((r) => ({
      method: r.method,
      path: r.path + r.query,
      headers: {
        ...r.extra,
        ...r.fixed,
        authorization: r.authorization,
        'content-type': r.body ? r.contentType : undefined,
        'content-encoding': r.body ? r.encoding : undefined,
      },
      body: r.body,
      gzipHonest: r.gzipHonest,
    }));
}
