import { StringDecoder } from 'node:string_decoder';

/**
 * Lines of a streamed text body, numbered from 1, without holding the body in memory.
 * Accepts LF and CRLF; a UTF-8 BOM at the start is dropped (spreadsheets write one).
 */
export async function* numberedLines(body: AsyncIterable<Buffer | string>): AsyncGenerator<[number, string]> {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  let lineNumber = 0;
  let first = true;
  for await (const chunk of body) {
    pending += typeof chunk === 'string' ? chunk : decoder.write(chunk);
    if (first && pending.length > 0) {
      if (pending.charCodeAt(0) === 0xfeff) pending = pending.slice(1);
      first = false;
    }
    let newline: number;
    while ((newline = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      yield [++lineNumber, line.endsWith('\r') ? line.slice(0, -1) : line];
    }
  }
  pending += decoder.end();
  if (pending.length > 0) yield [lineNumber + 1, pending.endsWith('\r') ? pending.slice(0, -1) : pending];
}

/** The fields of one CSV line (RFC 4180 quoting, no line breaks inside quotes). */
export function csvFields(line: string): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        const quote = line.indexOf('"', i);
        if (quote < 0) {
          value += line.slice(i);
          i = line.length;
          break;
        }
        value += line.slice(i, quote);
        if (line[quote + 1] === '"') {
          value += '"';
          i = quote + 2;
        } else {
          i = quote + 1;
          break;
        }
      }
      const comma = line.indexOf(',', i);
      fields.push(value);
      if (comma < 0) return fields;
      i = comma + 1;
    } else {
      const comma = line.indexOf(',', i);
      if (comma < 0) {
        fields.push(line.slice(i));
        return fields;
      }
      fields.push(line.slice(i, comma));
      i = comma + 1;
    }
  }
}
