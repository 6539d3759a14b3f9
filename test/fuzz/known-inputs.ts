import { gzipSync } from 'node:zlib';
import type { FuzzRequest } from './fuzz-client';

const json = (text: string) => ({ kind: 'bytes', data: Buffer.from(text) }) as const;

/**
 * Inputs the fuzz found answered 500 (or not in the envelope), kept as fixed cases so the
 * fixes stay: bodies the JSON parser cannot read (gateway and internal APIs alike).
 */
export function unreadableBodies(path: string, headers: Record<string, string> = {}): FuzzRequest[] {
  const base = { method: 'POST', path, headers: { 'content-type': 'application/json', ...headers } };
  return [
    {
      ...base,
      headers: { ...base.headers, 'content-type': 'application/json; charset=koi8-r' },
      body: json('{}'),
    },
    {
      ...base,
      headers: { ...base.headers, 'content-type': 'application/json; charset=tis-620' },
      body: json('{}'),
    },
    { ...base, headers: { ...base.headers, 'content-encoding': 'x-unknown' }, body: json('{}') },
    { ...base, headers: { ...base.headers, 'content-encoding': 'gzip' }, body: json('{"not":"gzip"}') },
    {
      ...base,
      headers: { ...base.headers, 'content-encoding': 'deflate' },
      body: { kind: 'bytes', data: gzipSync('{}') },
    },
  ];
}
