import type { PrismaClient } from '@khiw/db';
import { KhiwError } from '@khiw/errors';
import { maskCitizenId, normalizeDocumentId } from '@khiw/thai';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { CsvError, parse } from 'csv-parse';
import { RegistryStore } from './registry-store';

/** skip-bad: good rows land, bad rows are reported. all-or-nothing: one bad row and nothing lands. */
export const IMPORT_MODES = ['skip-bad', 'all-or-nothing'] as const;
export type ImportMode = (typeof IMPORT_MODES)[number];

export interface BadRow {
  line: number;
  /** MALFORMED_CSV: the file cannot be read past this line (an unclosed quote): nothing is imported. */
  reason: 'INVALID_CITIZEN_ID' | 'MISSING_CITIZEN_ID' | 'MALFORMED_CSV';
  /** Masked: a bad ID may still be someone's ID with a typo. */
  value: string;
}

export interface ImportReport {
  source: string;
  mode: ImportMode;
  committed: boolean;
  /** Data rows read (header and blank lines not counted). */
  rows: number;
  valid: number;
  /** New in booking.registry_vaccinated. */
  inserted: number;
  /** Valid rows already there (an earlier import) or repeated in the file. */
  alreadyPresent: number;
  bad: number;
  /** The first `maxReported` bad rows, by line number. */
  badRows: BadRow[];
}

export interface ImportRegistryCommand {
  /** The CSV as it streams in. */
  body: AsyncIterable<Buffer | string>;
  source: string;
  mode: ImportMode;
  /** An eligibility list (a campaign's `orOnList`) to land the IDs in, instead of the registry. */
  list?: string;
  /** Whether the whole body arrived (read at the end): a broken-off upload imports nothing. */
  arrivedWhole: () => boolean;
}

const HEADER_NAMES = new Set(['citizen_id', 'citizenid', 'cid', 'pid', 'เลขประจำตัวประชาชน']);

/**
 * Imports the national registry's list of people already vaccinated from a streamed CSV
 * (docs/roster.md: a `citizen_id` column, or the first column when there is no header).
 * Everything happens in ONE transaction: rows go in batches into a temporary staging table,
 * then into booking.registry_vaccinated (ON CONFLICT DO NOTHING) at the very end, and only a
 * body that arrived whole is committed. A broken-off upload, a database error or (in
 * all-or-nothing mode) a single bad row leaves the registry exactly as it was.
 */
export class ImportRegistry {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly options: { batchSize?: number; maxReported?: number; timeoutMs?: number } = {},
  ) {}

  async execute(command: ImportRegistryCommand): Promise<ImportReport> {
    const { body, ...input } = command;
    const batchSize = this.options.batchSize ?? 5000;
    const maxReported = this.options.maxReported ?? 1000;
    const report: ImportReport = {
      source: input.source,
      mode: input.mode,
      committed: false,
      rows: 0,
      valid: 0,
      inserted: 0,
      alreadyPresent: 0,
      bad: 0,
      badRows: [],
    };
    const rollback = new Error('rollback');
    try {
      await this.prisma.$transaction(
        async (tx) => {
          const registry = new RegistryStore(tx);
          await registry.createStaging();
          let batch: string[] = [];
          const flush = async () => {
            if (batch.length === 0) return;
            await registry.stage(batch);
            batch = [];
          };
          let column = 0;
          // csv-parse: RFC 4180 quoting (line breaks inside quotes too), CRLF, the BOM a
          // spreadsheet writes, rows of any width; info.lines is the line a row ends on.
          const parser = parse({
            bom: true,
            relax_column_count: true,
            skip_empty_lines: true,
            trim: true,
            info: true,
          });
          // pipe, not pipeline: a file the parser cannot read must not destroy the upload (that
          // would cut the socket before the answer); an upload that breaks off destroys the
          // parser with its error, so the loop below throws instead of waiting for rows.
          const upload = Readable.from(body);
          upload.on('error', (error) => parser.destroy(error));
          upload.pipe(parser);
          const rows = parser as AsyncIterable<{ record: string[]; info: { lines: number } }>;
          let first = true;
          const records = async function* () {
            try {
              yield* rows;
            } catch (error) {
              if (!(error instanceof CsvError)) throw error;
              // The parser may fail on an early chunk while the rest is still on its way: read
              // the upload to its end first. A broken-off upload throws here (IMPORT_ABORTED),
              // one that arrived whole is a file that cannot be read (422 with MALFORMED_CSV).
              upload.resume();
              await finished(upload);
              if (!input.arrivedWhole()) throw error;
              const at = (error as CsvError & { lines?: number }).lines ?? 0;
              report.bad++;
              report.badRows.push({ line: at, reason: 'MALFORMED_CSV', value: error.code });
              throw rollback;
            }
          };
          for await (const { record: fields, info } of records()) {
            const line = info.lines;
            if (first) {
              first = false;
              const named = fields.findIndex((f) => HEADER_NAMES.has(f.toLowerCase()));
              if (named >= 0) {
                column = named;
                continue;
              }
            }
            report.rows++;
            const raw = (fields[column] ?? '').trim();
            const citizenId = raw ? normalizeDocumentId(raw) : null;
            if (!citizenId) {
              report.bad++;
              if (report.badRows.length < maxReported) {
                report.badRows.push({
                  line,
                  reason: raw ? 'INVALID_CITIZEN_ID' : 'MISSING_CITIZEN_ID',
                  value: maskCitizenId(raw),
                });
              }
              continue;
            }
            report.valid++;
            batch.push(citizenId);
            if (batch.length >= batchSize) await flush();
          }
          await flush();
          if (!input.arrivedWhole()) {
            throw new KhiwError(
              'IMPORT_ABORTED',
              'the upload broke off before its end: nothing was imported',
              {
                retriable: true,
              },
            );
          }
          if (input.mode === 'all-or-nothing' && report.bad > 0) throw rollback;
          report.inserted = await registry.landStaged(input.source, input.list);
          report.alreadyPresent = report.valid - report.inserted;
          report.committed = true;
        },
        { timeout: this.options.timeoutMs ?? 600_000, maxWait: 10_000 },
      );
    } catch (error) {
      if (error !== rollback) throw error;
    }
    return report;
  }
}
