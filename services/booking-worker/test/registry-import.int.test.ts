import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createPrismaClient, type PrismaClient } from '@khiw/db';
import { createLogger } from '@khiw/observability';
import {
  citizenIdFrom,
  randomCitizenId,
  TEST_DATABASE_URL,
  uniqueNamespace,
} from '../../../test/support/env';
import {
  ImportRegistry,
  type ImportRegistryCommand,
  type ImportReport,
} from '../src/registry/import-registry.usecase';
import { registryRoutes } from '../src/registry/registry.routes';

// Done-when (issue 6): an import of 200,000 registry rows with 50 bad rows: the good rows
// land, the bad ones are reported by line, and an interrupted import leaves no partial state.

let prisma: PrismaClient;
let server: http.Server;
let port: number;
const settled: Promise<unknown>[] = [];

class ObservedImport extends ImportRegistry {
  override execute(command: ImportRegistryCommand): Promise<ImportReport> {
    const run = super.execute(command);
    settled.push(run.catch((error: unknown) => error));
    return run;
  }
}

beforeAll(async () => {
  prisma = createPrismaClient(TEST_DATABASE_URL, { poolSize: 3 });
  const app = express();
  app.use(
    registryRoutes({
      importRegistry: new ObservedImport(prisma),
      logger: createLogger({ service: 'registry-test', level: 'silent' }),
    }),
  );
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server?.close();
  await prisma?.$disconnect();
});

const countSource = (source: string) => prisma.registryVaccinated.count({ where: { source } });

/** POSTs `lines` as a chunked CSV upload; `abortAfter` lines: destroy the request there. */
function upload(
  query: string,
  lines: Iterable<string>,
  abortAfter?: number,
): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        port,
        host: '127.0.0.1',
        method: 'POST',
        path: `/internal/registry/vaccinated?${query}`,
        headers: { 'content-type': 'text/csv' },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }),
        );
      },
    );
    req.on('error', (error) =>
      abortAfter === undefined ? reject(error) : resolve({ status: 0, body: undefined }),
    );
    let chunk = '';
    let sent = 0;
    const iterator = lines[Symbol.iterator]();
    const pump = () => {
      for (;;) {
        const next = iterator.next();
        if (next.done) {
          if (chunk) req.write(chunk);
          req.end();
          return;
        }
        chunk += next.value;
        sent++;
        if (abortAfter !== undefined && sent >= abortAfter) {
          req.write(chunk, () => setTimeout(() => req.destroy(), 200));
          return;
        }
        if (chunk.length > 64 * 1024) {
          const ok = req.write(chunk);
          chunk = '';
          if (!ok) return void req.once('drain', pump);
        }
      }
    };
    pump();
  });
}

function* registryFile(rows: number, badLines: Map<number, string>): Generator<string> {
  yield '\uFEFFcitizen_id,first_name,vaccinated_on\r\n';
  for (let line = 2; line <= rows + 1; line++) {
    const id =
      badLines.get(line) ?? citizenIdFrom(`3${String(Math.floor(Math.random() * 1e11)).padStart(11, '0')}`);
    yield `${id},"ชื่อ, ${line}",2021-06-01\r\n`;
  }
}

describe('registry import (already vaccinated)', () => {
  it('lands 199,950 good rows of 200,000 and reports the 50 bad ones by line', async () => {
    const source = uniqueNamespace('registry');
    const badLines = new Map<number, string>();
    const kinds = ['12345', '', 'ABCDEFGHIJKLM', '1234567890123'];
    while (badLines.size < 50) {
      const line = 2 + Math.floor(Math.random() * 200_000);
      const kind = kinds[badLines.size % kinds.length]!;
      // A valid-looking 13 digits with the check digit off by one.
      const value = kind === '1234567890123' ? wrongCheckDigit(randomCitizenId()) : kind;
      badLines.set(line, value);
    }
    const answer = await upload(`source=${source}`, registryFile(200_000, badLines));
    expect(answer.status).toBe(200);
    const report = answer.body as ImportReport;
    expect(report).toMatchObject({
      committed: true,
      rows: 200_000,
      valid: 199_950,
      bad: 50,
      mode: 'skip-bad',
    });
    expect(report.badRows.map((b) => b.line)).toEqual([...badLines.keys()].sort((a, b) => a - b));
    expect(new Set(report.badRows.map((b) => b.reason))).toEqual(
      new Set(['INVALID_CITIZEN_ID', 'MISSING_CITIZEN_ID']),
    );
    expect(report.inserted + report.alreadyPresent).toBe(199_950);
    expect(await countSource(source)).toBe(report.inserted);
    expect(report.inserted).toBeGreaterThan(199_900);
  });

  it('all-or-nothing: one bad row and nothing lands', async () => {
    const source = uniqueNamespace('registry-strict');
    const answer = await upload(
      `source=${source}&mode=all-or-nothing`,
      registryFile(1000, new Map([[500, 'oops']])),
    );
    expect(answer.status).toBe(422);
    expect(answer.body).toMatchObject({ committed: false, bad: 1, badRows: [{ line: 500 }] });
    expect(await countSource(source)).toBe(0);
  });

  it('reads what spreadsheets write (BOM, header, quotes, CRLF) and refuses a file it cannot read', async () => {
    const [a, b, c] = [randomCitizenId(), randomCitizenId(), randomCitizenId()];
    const source = uniqueNamespace('registry-csv');
    const good = await upload(`source=${source}`, [
      '\uFEFFname,citizen_id\r\n',
      `"Somchai, Jaidee",${a}\r\n`,
      `"line\nbreak","${b}"\r\n`,
      '\r\n',
      `plain,${c}\r\n`,
    ]);
    expect(good.status).toBe(200);
    expect(good.body).toMatchObject({ committed: true, rows: 3, valid: 3, inserted: 3, bad: 0 });
    expect(await countSource(source)).toBe(3);

    const broken = uniqueNamespace('registry-broken');
    const refused = await upload(`source=${broken}`, [
      'citizen_id\n',
      `${randomCitizenId()}\n`,
      '"unclosed\n',
    ]);
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ committed: false, badRows: [{ reason: 'MALFORMED_CSV' }] });
    expect(await countSource(broken)).toBe(0);
  });

  it('a file that fails to parse early, while the rest is still arriving, is refused as unreadable', async () => {
    // Line 3's quote is invalid: the parser fails on the first chunk, ~8 MB before the end.
    const bad = new Map([[3, 'x"y']]);
    const source = uniqueNamespace('registry-early-quote');
    const refused = await upload(`source=${source}`, registryFile(200_000, bad));
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({
      committed: false,
      badRows: [{ line: 3, reason: 'MALFORMED_CSV', value: 'INVALID_OPENING_QUOTE' }],
    });
    expect(await countSource(source)).toBe(0);

    // The same file broken off: the import throws (the route answers IMPORT_ABORTED), no report.
    const cut = uniqueNamespace('registry-early-quote-cut');
    settled.length = 0;
    await upload(`source=${cut}`, registryFile(200_000, bad), 100_000);
    const deadline = Date.now() + 30_000;
    while (settled.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const outcome = await settled[0];
    expect(outcome).not.toHaveProperty('committed');
    expect(await countSource(cut)).toBe(0);
  });

  it('an upload broken off mid-stream leaves nothing behind', async () => {
    const source = uniqueNamespace('registry-abort');
    settled.length = 0;
    await upload(`source=${source}`, registryFile(200_000, new Map()), 100_000);
    // The server noticed, rolled the transaction back, and its import promise settled.
    const deadline = Date.now() + 30_000;
    while (settled.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const outcome = await settled[0];
    // Not a report: the import threw (the body broke off), so its transaction rolled back.
    expect(outcome).not.toHaveProperty('committed');
    expect(String((outcome as Error).message)).toMatch(/broke off|aborted|ECONNRESET/i);
    expect(await countSource(source)).toBe(0);
  });
});

function wrongCheckDigit(id: string): string {
  return `${id.slice(0, 12)}${(Number(id[12]) + 1) % 10}`;
}
