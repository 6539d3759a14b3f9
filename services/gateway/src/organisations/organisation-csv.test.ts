import { parseBookingInput } from '../bookings/booking-input';
import { MAX_LIST_ROWS, parseOrganisationList } from './organisation-csv';
import { bookingBodyOf, fieldErrorsText } from './organisation-row';
import { resultsCsv } from './results-csv';

const HEADER = 'citizen_id,first_name,last_name,birth_date,phone,group,site,slot';
const ROW = '1101700203450,สมชาย,ใจดี,1980-01-31,0812345678,g1,SKH,SKH-20210802-0900';
const csv = (...lines: string[]) => Buffer.from(lines.join('\r\n') + '\r\n', 'utf8');

describe('parseOrganisationList', () => {
  it('reads a spreadsheet export: BOM, any column order and case, blank lines skipped, line numbers kept', () => {
    const file = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      csv(
        'Site,Group,CITIZEN_ID,first_name,last_name,birth_date,phone,date,time,language',
        'SKH,g1,1101700203450,สมชาย,ใจดี,31/01/2523,+66812345678,2021-08-02,9:00,EN',
        '',
        'KTB,g2,"1-1017-00203-45-0","Ann, Jr",Lee,1980-01-31,081-234-5678,2021-08-02,10:00,',
      ),
    ]);
    const parsed = parseOrganisationList(file);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.rows.map((r) => r.line)).toEqual([2, 4]);
    expect(parsed.rows[1]!.values).toMatchObject({ first_name: 'Ann, Jr', site: 'KTB' });
    expect(parsed.rows[1]!.values.language).toBeUndefined();
    expect(bookingBodyOf('c1', parsed.rows[0]!)).toEqual({
      campaignId: 'c1',
      citizenId: '1101700203450',
      firstName: 'สมชาย',
      lastName: 'ใจดี',
      birthDate: '31/01/2523',
      phone: '+66812345678',
      groupCode: 'g1',
      siteId: 'SKH',
      slotId: 'SKH-20210802-0900',
      language: 'en',
    });
  });

  it('feeds the same parsers as POST /api/bookings: Buddhist-era dates, dashed IDs, local phones', () => {
    const parsed = parseOrganisationList(csv(HEADER, ROW.replace('1101700203450', '1-1017-00203-45-0')));
    if (!parsed.ok) throw new Error('not parsed');
    const input = parseBookingInput(bookingBodyOf('c1', parsed.rows[0]!));
    expect(input).toMatchObject({
      ok: true,
      input: { citizenId: '1101700203450', phone: '+66812345678', birthDate: '1980-01-31' },
    });
  });

  it('names a wrong row by its list column, in Thai and English', () => {
    const parsed = parseOrganisationList(csv(HEADER, ROW.replace('1101700203450', '1101700203451')));
    if (!parsed.ok) throw new Error('not parsed');
    const input = parseBookingInput(bookingBodyOf('c1', parsed.rows[0]!));
    if (input.ok) throw new Error('a bad check digit passed');
    const text = fieldErrorsText(input.fields);
    expect(text.en).toMatch(/^citizen_id: .*check digit/);
    expect(text.th).toMatch(/^citizen_id: [\u0E00-\u0E7F]/);
  });

  it.each([
    ['a binary file', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00]), [0]],
    ['not UTF-8 (a TIS-620 export)', Buffer.from([0x61, 0x2c, 0xca, 0xc1, 0x0a]), [0]],
    ['an empty file', Buffer.alloc(0), [0]],
    ['a header only', csv(HEADER), [1]],
    ['a missing column', csv('citizen_id,first_name,last_name,birth_date,phone,group,site', ROW), [1]],
    ['an unknown column', csv(`${HEADER},salary`, `${ROW},100`), [1]],
    [
      'rows with a wrong number of fields',
      csv(HEADER, ROW, `${ROW},extra`, ROW, 'only,three,fields'),
      [3, 5],
    ],
    // csv-parse names the line where the file ended still inside the quote.
    ['an unclosed quote', csv(HEADER, ROW, `"${ROW}`), [4]],
  ])('refuses %s whole, with the line numbers', (_name, file, lines) => {
    const parsed = parseOrganisationList(file);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.errors.map((e) => e.line)).toEqual(lines);
    for (const error of parsed.errors) expect(error.message.th).toMatch(/[\u0E00-\u0E7F]/);
  });

  it('names a header of thousands of unknown columns by its first ten and a count, each once', () => {
    const names = Array.from({ length: 20_000 }, (_, i) => `${'x'.repeat(60)}${i % 5000}`);
    const parsed = parseOrganisationList(csv([HEADER, 'site', ...names].join(','), ROW));
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    const [unknown] = parsed.errors;
    expect(unknown!.line).toBe(1);
    // 5,000 distinct names and site twice: the first ten named (cut at 40 characters) and +4,991.
    expect(unknown!.message.en).toMatch(/^The header has unknown or repeated column\(s\): x{40}…, /);
    expect(unknown!.message.en).toMatch(/\(\+4991\)$/);
    expect(unknown!.message.en.length).toBeLessThan(600);
    expect(unknown!.message.th.length).toBeLessThan(600);
  });

  it(`refuses more than ${MAX_LIST_ROWS} people`, () => {
    const parsed = parseOrganisationList(csv(HEADER, ...Array<string>(MAX_LIST_ROWS + 1).fill(ROW)));
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.errors[0]).toMatchObject({ line: MAX_LIST_ROWS + 2 });
    expect(parseOrganisationList(csv(HEADER, ...Array<string>(MAX_LIST_ROWS).fill(ROW))).ok).toBe(true);
  });
});

describe('resultsCsv', () => {
  it('writes UTF-8 with BOM for Excel, Bangkok date and time, reasons in both languages, formulas defused', () => {
    const who = { citizenId: '1101700203450', firstName: 'สมชาย', lastName: '=HYPERLINK("x")' };
    const text = resultsCsv([
      {
        ...who,
        line: 2,
        result: 'booked',
        reference: 'KHW-1',
        siteId: 'SKH',
        siteName: 'รพ. สมุทรสาคร',
        startsAt: '2021-08-02T02:00:00.000Z',
      },
      { ...who, line: 3, result: 'refused', code: 'SLOT_FULL', reason: { th: 'เต็ม, แล้ว', en: 'Full' } },
    ]);
    expect(text.startsWith('\uFEFFline,citizen_id')).toBe(true);
    const [, booked, refused] = text.split('\r\n');
    expect(booked).toBe(
      `2,1101700203450,สมชาย,"'=HYPERLINK(""x"")",booked,KHW-1,SKH,รพ. สมุทรสาคร,2021-08-02,09:00,,,,`,
    );
    expect(refused).toContain(',refused,,,,,,,SLOT_FULL,"เต็ม, แล้ว",Full');
  });
});
