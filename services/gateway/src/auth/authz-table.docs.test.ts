import { readFileSync } from 'node:fs';
import path from 'node:path';
import { renderAuthzTable } from './authz-table';

const DOC = path.resolve(__dirname, '../../../../docs/reliability.md');
const START = '<!-- authz-table:start -->';
const END = '<!-- authz-table:end -->';

/** A markdown table's cells, whatever padding a formatter gave it. */
function cells(table: string): string[][] {
  return table
    .trim()
    .split('\n')
    .map((line) =>
      line
        .trim()
        .replace(/^\||\|$/g, '')
        .split('|')
        .map((cell) => cell.trim().replace(/^:?-{3,}:?$/, '---')),
    );
}

describe('the authorization table in docs/reliability.md', () => {
  it('is the one the route policies render (node --import tsx services/gateway/src/cli/authz-table.ts)', () => {
    const doc = readFileSync(DOC, 'utf8');
    const start = doc.indexOf(START);
    const end = doc.indexOf(END);
    expect({ start: start >= 0, end: end > start }).toEqual({ start: true, end: true });
    expect(cells(doc.slice(start + START.length, end))).toEqual(cells(renderAuthzTable()));
  });
});
