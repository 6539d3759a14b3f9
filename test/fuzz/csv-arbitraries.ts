import fc from 'fast-check';
import { citizenIdFrom } from '../support/env';
import { bent, sizesAround, weirdText, type FuzzBody } from './arbitraries';

/**
 * A valid citizen ID in a range other tests do not draw from (they start with 1 or 3), so
 * rows the fuzzed imports commit cannot make another test's resident "already vaccinated".
 */
export const fuzzCitizenId: fc.Arbitrary<string> = fc
  .stringMatching(/^8\d{11}$/)
  .map((body) => citizenIdFrom(body));

const cell = fc.oneof(
  { weight: 6, arbitrary: fuzzCitizenId },
  { weight: 2, arbitrary: fuzzCitizenId.chain((id) => bent(id)) },
  {
    weight: 1,
    arbitrary: fuzzCitizenId.map(
      (id) => `${id.slice(0, 1)}-${id.slice(1, 5)}-${id.slice(5, 10)}-${id.slice(10, 12)}-${id.slice(12)}`,
    ),
  },
  { weight: 2, arbitrary: weirdText },
  { weight: 1, arbitrary: fc.constantFrom('"', '"unclosed', '""', '"a""b"', '=cmd()', ',', '\r', '\n') },
);

const row = fc.array(cell, { minLength: 0, maxLength: 3 }).map((cells) => cells.join(','));

/**
 * A registry CSV: a header or none, rows of IDs right and bent, odd quoting, BOM, CRLF or
 * LF, blank lines; sometimes binary, sometimes several megabytes (the import has no size
 * limit of its own: it streams, so the sizes tried are the gateway's upload timeout's).
 */
export const csvBody: fc.Arbitrary<FuzzBody | undefined> = fc.oneof(
  {
    weight: 60,
    arbitrary: fc
      .record({
        bom: fc.boolean(),
        header: fc.constantFrom(
          '',
          'citizen_id',
          'cid,name',
          'name,CID',
          'เลขประจำตัวประชาชน',
          '"citizen_id"',
        ),
        rows: fc.array(row, { maxLength: 30 }),
        eol: fc.constantFrom('\n', '\r\n', '\r'),
      })
      .map(({ bom, header, rows, eol }) => {
        const text = (bom ? '\ufeff' : '') + [header, ...rows].filter((l, i) => i > 0 || l).join(eol);
        return { kind: 'bytes', data: Buffer.from(text, 'utf8') } as FuzzBody;
      }),
  },
  {
    weight: 5,
    arbitrary: fc
      .uint8Array({ maxLength: 200 })
      .map((b) => ({ kind: 'bytes', data: Buffer.from(b) }) as FuzzBody),
  },
  {
    weight: 1,
    arbitrary: sizesAround(1024 * 1024).map((size) => ({ kind: 'fill', size, json: false }) as FuzzBody),
  },
  { weight: 4, arbitrary: fc.constant(undefined) },
);
