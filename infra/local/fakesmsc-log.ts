/**
 * Reads the SMS that Kannel delivered to fakesmsc, from the log infra.sh gives it.
 *
 * For every MT message bearerbox hands to the fake SMSC, fakesmsc logs the line it received
 * (Kannel 1.4.5, gw/smsc/smsc_fake.c `sms_to_client`):
 *
 *   ... DEBUG: Got message 1: <khiw +66812345678 ucs-2 %0E*%0E'%0E1...>
 *
 * as `<from> <to> <type> <payload>` where type is
 *   text            7-bit coding, payload as is (Kannel keeps it as UTF-8)
 *   data            8-bit coding, payload URL-encoded bytes ('+' is a space)
 *   ucs-2           UCS-2 coding, payload URL-encoded UTF-16BE bytes
 *   udh <udh> data  with a user data header (each part of a concatenated message):
 *                   both URL-encoded, and the coding of the payload is not given.
 * Parts of a concatenated message are joined back into one FakeSms.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';

export interface FakeSms {
  from: string;
  to: string;
  text: string;
  /** 1-based line of the log where the message (its first part) appears. */
  line: number;
}

export const DEFAULT_FAKESMSC_LOG = resolve(__dirname, '../../.local/log/fakesmsc.log');

const GOT_MESSAGE = /Got message \d+: <(.*)>\s*$/;

/** URL-decoding to bytes, as Kannel's octstr_url_encode produces them ('+' is a space). */
function urlDecodeBytes(encoded: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < encoded.length; i++) {
    const ch = encoded[i]!;
    const hex = encoded.slice(i + 1, i + 3);
    if (ch === '%' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (ch === '+') {
      bytes.push(0x20);
    } else {
      bytes.push(...Buffer.from(ch, 'utf8'));
    }
  }
  return Buffer.from(bytes);
}

function decodeUcs2(bytes: Buffer): string {
  const even = bytes.subarray(0, bytes.length - (bytes.length % 2));
  const swapped = Buffer.from(even);
  swapped.swap16();
  return swapped.toString('utf16le');
}

/** UTF-8 when the bytes are valid UTF-8, otherwise one character per byte. */
function decodeOctets(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return bytes.toString('latin1');
  }
}

/**
 * The payload of a message with a UDH does not say its coding. UCS-2 text has high bytes
 * below 0x20 for Latin and Thai (0x00, 0x0E), which 7-bit or 8-bit text almost never has.
 */
function looksLikeUcs2(bytes: Buffer): boolean {
  if (bytes.length === 0 || bytes.length % 2 !== 0) return false;
  let lowHighBytes = 0;
  for (let i = 0; i < bytes.length; i += 2) if (bytes[i]! < 0x20) lowHighBytes++;
  return lowHighBytes >= bytes.length / 2 / 2;
}

interface Concat {
  ref: number;
  total: number;
  seq: number;
}

/** The concatenation element of a UDH (IEI 0x00 with an 8-bit or 0x08 with a 16-bit reference). */
function concatInfo(udh: Buffer): Concat | undefined {
  let i = 1;
  const end = Math.min(udh.length, 1 + (udh[0] ?? 0));
  while (i + 1 < end) {
    const iei = udh[i]!;
    const len = udh[i + 1]!;
    const ie = udh.subarray(i + 2, i + 2 + len);
    if (iei === 0x00 && len === 3) return { ref: ie[0]!, total: ie[1]!, seq: ie[2]! };
    if (iei === 0x08 && len === 4) return { ref: ie.readUInt16BE(0), total: ie[2]!, seq: ie[3]! };
    i += 2 + len;
  }
  return undefined;
}

function decodePayload(type: string, payload: string): string | undefined {
  switch (type) {
    case 'text':
      return payload;
    case 'data':
      return decodeOctets(urlDecodeBytes(payload));
    case 'ucs-2':
      return decodeUcs2(urlDecodeBytes(payload));
    default:
      return undefined;
  }
}

interface PendingMessage {
  from: string;
  to: string;
  line: number;
  total: number;
  parts: Map<number, Buffer>;
}

/** Decodes fakesmsc log text into the messages it received, in log order. */
export function parseFakesmscLog(content: string): FakeSms[] {
  const messages: FakeSms[] = [];
  const pending = new Map<string, PendingMessage>();
  const lines = content.split('\n');

  lines.forEach((raw, index) => {
    const line = index + 1;
    const match = GOT_MESSAGE.exec(raw);
    if (!match) return;
    const fields = match[1]!.split(' ');
    const [from = '', to = '', type = ''] = fields;
    const payload = fields.slice(3).join(' ');

    if (type !== 'udh') {
      const text = decodePayload(type, payload);
      if (text !== undefined) messages.push({ from, to, text, line });
      return;
    }

    // udh <udh> data <payload>
    const udh = urlDecodeBytes(fields[3] ?? '');
    const data = urlDecodeBytes(fields.slice(5).join(' '));
    const concat = concatInfo(udh);
    if (!concat || concat.total <= 1) {
      messages.push({ from, to, text: decodeUdhPayload([data]), line });
      return;
    }

    const key = `${from} ${to} ${concat.ref} ${concat.total}`;
    let message = pending.get(key);
    // A reference is reused after 256 messages: a part seen twice starts a new message.
    if (!message || message.parts.has(concat.seq)) {
      message = { from, to, line, total: concat.total, parts: new Map() };
      pending.set(key, message);
    }
    message.parts.set(concat.seq, data);
    if (message.parts.size === message.total) {
      pending.delete(key);
      const ordered = [...message.parts.entries()].sort(([a], [b]) => a - b).map(([, part]) => part);
      messages.push({ from, to, text: decodeUdhPayload(ordered), line: message.line });
    }
  });
  // Parts of a message arrive one after another, but keep first-part order regardless.
  return messages.sort((a, b) => a.line - b.line);
}

function decodeUdhPayload(parts: Buffer[]): string {
  const bytes = Buffer.concat(parts);
  return looksLikeUcs2(bytes) ? decodeUcs2(bytes) : decodeOctets(bytes);
}

/**
 * Every complete message fakesmsc has received so far (parts of a concatenated message that
 * are still arriving are left out). A log that does not exist yet holds no messages.
 */
export async function readFakesmscMessages(logPath = DEFAULT_FAKESMSC_LOG): Promise<FakeSms[]> {
  let content: string;
  try {
    content = await readFile(logPath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return parseFakesmscLog(content);
}

/** Kannel's URL-encoded payload as bytes: %XX a byte, '+' a space, anything else itself. */
const urlBytes = (encoded: string) =>
  Buffer.from(
    encoded.replace(/%([0-9A-Fa-f]{2})|\+|[^%+]/g, (m, hex: string | undefined) =>
      String.fromCharCode(hex ? parseInt(hex, 16) : m === '+' ? 0x20 : m.charCodeAt(0)),
    ),
    'latin1',
  );

/**
 * The coding of every part fakesmsc got for `phone`, from its raw log lines: `ucs-2`, `text`
 * (GSM), or for a part of a concatenated message (`udh`), `udh-ucs-2` when its bytes are
 * UTF-16BE Myanmar or Thai.
 */
export async function fakesmscCodings(logPath: string, phone: string): Promise<string[]> {
  const log = await readFile(logPath, 'utf8');
  return log
    .split('\n')
    .map((line) => /Got message \d+: <(.*)>\s*$/.exec(line)?.[1]?.split(' '))
    .filter((f): f is string[] => f?.[1] === phone)
    .map(([, , type, , , payload]) => {
      if (type !== 'udh') return type!;
      // A part of a concatenated message does not name its coding: UCS-2 (UTF-16BE) Myanmar has
      // 0x10 as every high byte, UTF-8 Myanmar never starts a byte pair with it.
      const bytes = urlBytes(payload!);
      return bytes.length > 0 && bytes.every((b, i) => i % 2 === 1 || b === 0x10 || b === 0x0e || b === 0x00)
        ? 'udh-ucs-2'
        : 'udh-other';
    });
}
