import { parse } from 'csv-parse/sync';
import type { Localized } from '../http/problem-messages';

/** The most people one list may name (issue 11: up to 5,000). */
export const MAX_LIST_ROWS = 5000;

/** The columns a list has; `slot`, or `date` and `time`, name the slot. */
export const REQUIRED_COLUMNS = [
  'citizen_id',
  'first_name',
  'last_name',
  'birth_date',
  'phone',
  'group',
  'site',
] as const;
export const OPTIONAL_COLUMNS = ['slot', 'date', 'time', 'province_code', 'language'] as const;
const KNOWN: ReadonlySet<string> = new Set([...REQUIRED_COLUMNS, ...OPTIONAL_COLUMNS]);

export type ListColumn = (typeof REQUIRED_COLUMNS)[number] | (typeof OPTIONAL_COLUMNS)[number];

/** One person of the list, by column; `line` is the file's line (the header is line 1). */
export interface ListRow {
  line: number;
  values: Partial<Record<ListColumn, string>>;
}

/** What is wrong with the file at one line (0: the file as a whole). */
export interface LineError {
  line: number;
  message: Localized;
}

export type ParsedList = { ok: true; rows: ListRow[] } | { ok: false; errors: LineError[] };

/** Listed at most: a file broken on every line says so in its first few hundred. */
const MAX_ERRORS = 500;

/**
 * A list as an organisation exports it from a spreadsheet: UTF-8, with or without BOM, comma
 * separated, a header row naming the columns (any order, any case). The file is refused whole
 * (nothing booked) when it is not UTF-8 text, not CSV, its header lacks a column or names an
 * unknown one, a row has another number of fields than the header, or it names more than
 * MAX_LIST_ROWS people; every such line is listed. Blank lines are skipped (spreadsheets add them).
 */
export function parseOrganisationList(body: Buffer): ParsedList {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    return refuse(0, {
      th: 'ไฟล์ไม่ใช่ข้อความ UTF-8 กรุณาบันทึกเป็น CSV UTF-8',
      en: 'The file is not UTF-8 text; save it as "CSV UTF-8"',
    });
  }
  if (text.includes('\u0000')) {
    return refuse(0, { th: 'ไฟล์นี้ไม่ใช่ไฟล์ CSV', en: 'This file is not a CSV file' });
  }
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, {
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
      info: true,
    }) as unknown as typeof records;
  } catch (error) {
    const line = (error as { lines?: number }).lines ?? 0;
    return refuse(line, {
      th: 'รูปแบบ CSV ไม่ถูกต้อง (เช่น เครื่องหมายคำพูดไม่ปิด)',
      en: `Not valid CSV: ${(error as Error).message}`,
    });
  }
  const [head, ...people] = records;
  if (!head) return refuse(0, { th: 'ไฟล์ว่างเปล่า', en: 'The file is empty' });
  const header = head.record.map((name) => name.trim().toLowerCase());
  const headerErrors = checkHeader(header, head.info.lines);
  if (headerErrors.length) return { ok: false, errors: headerErrors };
  if (people.length === 0)
    return refuse(head.info.lines, { th: 'ไม่มีรายชื่อในไฟล์', en: 'The file names nobody' });

  const errors: LineError[] = [];
  if (people.length > MAX_LIST_ROWS) {
    errors.push({
      line: people[MAX_LIST_ROWS]!.info.lines,
      message: {
        th: `รายชื่อเกิน ${MAX_LIST_ROWS.toLocaleString('en')} คน (มี ${people.length} คน) กรุณาแบ่งไฟล์`,
        en: `More than ${MAX_LIST_ROWS.toLocaleString('en')} people (${people.length}); split the file`,
      },
    });
  }
  const rows: ListRow[] = [];
  for (const { record, info } of people) {
    if (record.length !== header.length) {
      if (errors.length < MAX_ERRORS) errors.push(wrongFieldCount(info.lines, record.length, header.length));
      continue;
    }
    const values: ListRow['values'] = {};
    header.forEach((column, i) => {
      const value = record[i]!.trim();
      if (value) values[column as ListColumn] = value;
    });
    rows.push({ line: info.lines, values });
  }
  return errors.length ? { ok: false, errors } : { ok: true, rows };
}

function checkHeader(header: string[], line: number): LineError[] {
  const errors: LineError[] = [];
  const missing: string[] = REQUIRED_COLUMNS.filter((column) => !header.includes(column));
  if (!header.includes('slot') && !(header.includes('date') && header.includes('time'))) missing.push('slot');
  if (missing.length) {
    errors.push({
      line,
      message: {
        th: `หัวตารางขาดคอลัมน์: ${missing.join(', ')}`,
        en: `The header lacks the column(s): ${missing.join(', ')} (or date and time for slot)`,
      },
    });
  }
  const unknown = new Set(header.filter((column) => !KNOWN.has(column)));
  const seen = new Set<string>();
  const repeated = new Set(header.filter((column) => seen.size === seen.add(column).size));
  if (unknown.size || repeated.size) {
    const names = namesShown([...new Set([...unknown, ...repeated])].map((c) => c || '(blank)'));
    errors.push({
      line,
      message: {
        th: `หัวตารางมีคอลัมน์ที่ไม่รู้จักหรือซ้ำ: ${names}`,
        en: `The header has unknown or repeated column(s): ${names}`,
      },
    });
  }
  return errors;
}

/** A header of thousands of names (a row pasted as the header) is named by its first few. */
const NAMES_SHOWN = 10;
function namesShown(names: string[]): string {
  const shown = names
    .slice(0, NAMES_SHOWN)
    .map((n) => ([...n].length > 40 ? `${[...n].slice(0, 40).join('')}…` : n));
  return names.length > NAMES_SHOWN
    ? `${shown.join(', ')} (+${names.length - NAMES_SHOWN})`
    : shown.join(', ');
}

function wrongFieldCount(line: number, got: number, want: number): LineError {
  return {
    line,
    message: {
      th: `แถวนี้มี ${got} ช่อง แต่หัวตารางมี ${want} ช่อง`,
      en: `This row has ${got} fields; the header has ${want}`,
    },
  };
}

function refuse(line: number, message: Localized): ParsedList {
  return { ok: false, errors: [{ line, message }] };
}
