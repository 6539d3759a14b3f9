import { describe, it, expect } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseFakesmscLog, readFakesmscMessages } from './fakesmsc-log';

// Real lines from .local/log/fakesmsc.log (Kannel 1.4.5 on Debian 12), captured by sending
// these messages through smsbox's sendsms with the given parameters.
const START = [
  '==== fakesmsc starting /usr/lib/kannel/test/fakesmsc -H 127.0.0.1 -r 13010 -i 1 -m 0 100 200 text x at 2026-11-21 22:32:29 ====',
  '2026-11-21 22:32:30 [17315] [0] INFO: Debug_lvl = -1, log_file = <none>, log_lvl = 0',
  '2026-11-21 22:32:30 [17315] [0] INFO: fakesmsc starting',
  '2026-11-21 22:32:30 [17315] [0] DEBUG: Connecting to <127.0.0.1>',
];

// charset=UTF-8&coding=2&text=สวัสดีครับ นัดฉีดวัคซีนวันที่ 5 ธ.ค. เวลา 09:30 น.
const UCS2_THAI =
  "2026-11-21 22:32:30 [17315] [0] DEBUG: Got message 1: <khiw +66812345678 ucs-2 %0E*%0E'%0E1%0E*%0E%14%0E5%0E%04%0E%23%0E1%0E%1A%00+%0E%19%0E1%0E%14%0E%09%0E5%0E%14%0E'%0E1%0E%04%0E%0B%0E5%0E%19%0E'%0E1%0E%19%0E%17%0E5%0EH%00+%005%00+%0E%18%00.%0E%04%00.%00+%0E%40%0E'%0E%25%0E2%00+%000%009%00%3A%003%000%00+%0E%19%00.>";

// text=Hello world + 100% & more (7-bit: the payload is logged as is)
const TEXT_PLAIN =
  '2026-11-21 22:32:30 [17315] [0] DEBUG: Got message 2: <khiw 0812345678 text Hello world + 100% & more>';

// charset=UTF-8&text=café €5 (7-bit coding, kept as UTF-8)
const TEXT_UTF8 = '2026-11-21 22:32:30 [17315] [0] DEBUG: Got message 3: <khiw 0812345678 text café €5>';

// charset=UTF-8&coding=2&text=ยืนยันการจองวัคซีนของคุณ ×6: three concatenated UCS-2 parts
const THAI_PARTS = [
  "2026-11-21 22:32:31 [17315] [0] DEBUG: Got message 4: <khiw 0812345678 udh %05%00%03%03%03%01 data %0E%22%0E7%0E%19%0E%22%0E1%0E%19%0E%01%0E2%0E%23%0E%08%0E-%0E%07%0E'%0E1%0E%04%0E%0B%0E5%0E%19%0E%02%0E-%0E%07%0E%04%0E8%0E%13%00+%0E%22%0E7%0E%19%0E%22%0E1%0E%19%0E%01%0E2%0E%23%0E%08%0E-%0E%07%0E'%0E1%0E%04%0E%0B%0E5%0E%19%0E%02%0E-%0E%07%0E%04%0E8%0E%13%00+%0E%22%0E7%0E%19%0E%22%0E1%0E%19%0E%01%0E2%0E%23%0E%08%0E-%0E%07%0E'%0E1%0E%04%0E%0B%0E5>",
  "2026-11-21 22:32:31 [17315] [0] DEBUG: Got message 5: <khiw 0812345678 udh %05%00%03%03%03%02 data %0E%19%0E%02%0E-%0E%07%0E%04%0E8%0E%13%00+%0E%22%0E7%0E%19%0E%22%0E1%0E%19%0E%01%0E2%0E%23%0E%08%0E-%0E%07%0E'%0E1%0E%04%0E%0B%0E5%0E%19%0E%02%0E-%0E%07%0E%04%0E8%0E%13%00+%0E%22%0E7%0E%19%0E%22%0E1%0E%19%0E%01%0E2%0E%23%0E%08%0E-%0E%07%0E'%0E1%0E%04%0E%0B%0E5%0E%19%0E%02%0E-%0E%07%0E%04%0E8%0E%13%00+%0E%22%0E7%0E%19%0E%22%0E1%0E%19%0E%01%0E2%0E%23>",
  "2026-11-21 22:32:31 [17315] [0] DEBUG: Got message 6: <khiw 0812345678 udh %05%00%03%03%03%03 data %0E%08%0E-%0E%07%0E'%0E1%0E%04%0E%0B%0E5%0E%19%0E%02%0E-%0E%07%0E%04%0E8%0E%13%00+>",
];
const THAI_LONG = 'ยืนยันการจองวัคซีนของคุณ '.repeat(6);

// coding=1&text=%01%02AB (8-bit)
const DATA = '2026-11-21 22:32:31 [17315] [0] DEBUG: Got message 7: <khiw 0812345678 data %01%02AB>';

// text=Your vaccination booking is confirmed, see you soon! ×4: two concatenated 7-bit parts
const ENGLISH_PARTS = [
  '2026-11-21 22:32:51 [17315] [0] DEBUG: Got message 8: <khiw 0812345678 udh %05%00%03%05%02%01 data Your+vaccination+booking+is+confirmed%2C+see+you+soon!+Your+vaccination+booking+is+confirmed%2C+see+you+soon!+Your+vaccination+booking+is+confirmed%2C+see+you+>',
  '2026-11-21 22:32:51 [17315] [0] DEBUG: Got message 9: <khiw 0812345678 udh %05%00%03%05%02%02 data soon!+Your+vaccination+booking+is+confirmed%2C+see+you+soon!+>',
];
const ENGLISH_LONG = 'Your vaccination booking is confirmed, see you soon! '.repeat(4);

// charset=UTF-8&coding=2&text=รหัส: 123456\nกรุณาแสดง QR 🙂 (newline and a surrogate pair)
const UCS2_NEWLINE_EMOJI =
  '2026-11-21 22:32:51 [17315] [0] DEBUG: Got message 10: <KHIW +66899999999 ucs-2 %0E%23%0E%2B%0E1%0E*%00%3A%00+%001%002%003%004%005%006%00%0A%0E%01%0E%23%0E8%0E%13%0E2%0EA%0E*%0E%14%0E%07%00+%00Q%00R%00+%D8%3D%DEB>';

// text=line one\nline two: fakesmsc reads lines, so 7-bit text is cut at a newline.
const TEXT_NEWLINE = [
  '2026-11-21 22:33:18 [17315] [0] DEBUG: Got message 11: <khiw 0811111111 text line one>',
  '2026-11-21 22:33:18 [17315] [0] DEBUG: Got message 12: <line two>',
];

describe('parseFakesmscLog', () => {
  it('decodes a UCS-2 message (URL-encoded UTF-16BE, + for space) into the exact Thai text', () => {
    const messages = parseFakesmscLog([...START, UCS2_THAI].join('\n'));
    expect(messages).toEqual([
      {
        from: 'khiw',
        to: '+66812345678',
        text: 'สวัสดีครับ นัดฉีดวัคซีนวันที่ 5 ธ.ค. เวลา 09:30 น.',
        line: 5,
      },
    ]);
  });

  it('takes 7-bit text as it is logged, plus signs, percent signs and UTF-8 included', () => {
    const messages = parseFakesmscLog([TEXT_PLAIN, TEXT_UTF8].join('\n'));
    expect(messages.map((m) => m.text)).toEqual(['Hello world + 100% & more', 'café €5']);
    expect(messages.map((m) => m.line)).toEqual([1, 2]);
  });

  it('URL-decodes 8-bit data', () => {
    expect(parseFakesmscLog(DATA)).toEqual([{ from: 'khiw', to: '0812345678', text: '\x01\x02AB', line: 1 }]);
  });

  it('joins the parts of a concatenated UCS-2 message and reports the line of its first part', () => {
    const messages = parseFakesmscLog([UCS2_THAI, ...THAI_PARTS].join('\n'));
    expect(messages).toHaveLength(2);
    expect(messages[1]).toEqual({ from: 'khiw', to: '0812345678', text: THAI_LONG, line: 2 });
  });

  it('joins the parts of a concatenated 7-bit message', () => {
    expect(parseFakesmscLog(ENGLISH_PARTS.join('\n'))).toEqual([
      { from: 'khiw', to: '0812345678', text: ENGLISH_LONG, line: 1 },
    ]);
  });

  it('joins parts that arrive out of order and leaves out a message still missing parts', () => {
    const reordered = [THAI_PARTS[2], THAI_PARTS[0], ENGLISH_PARTS[0], THAI_PARTS[1]].join('\n');
    expect(parseFakesmscLog(reordered)).toEqual([
      { from: 'khiw', to: '0812345678', text: THAI_LONG, line: 1 },
    ]);
  });

  it('starts a new message when a concatenation reference is reused', () => {
    const log = [THAI_PARTS[0], THAI_PARTS[1], THAI_PARTS[0], THAI_PARTS[1], THAI_PARTS[2]].join('\n');
    expect(parseFakesmscLog(log)).toEqual([{ from: 'khiw', to: '0812345678', text: THAI_LONG, line: 3 }]);
  });

  it('keeps newlines and characters outside the BMP of UCS-2 messages', () => {
    expect(parseFakesmscLog(UCS2_NEWLINE_EMOJI)[0]).toEqual({
      from: 'KHIW',
      to: '+66899999999',
      text: 'รหัส: 123456\nกรุณาแสดง QR 🙂',
      line: 1,
    });
  });

  it('keeps only the first line of 7-bit text with a newline, as fakesmsc received it', () => {
    expect(parseFakesmscLog(TEXT_NEWLINE.join('\n'))).toEqual([
      { from: 'khiw', to: '0811111111', text: 'line one', line: 1 },
    ]);
  });

  it('ignores everything that is not a received message', () => {
    expect(parseFakesmscLog(START.join('\n'))).toEqual([]);
    expect(parseFakesmscLog('')).toEqual([]);
  });
});

describe('readFakesmscMessages', () => {
  it('reads a log file, and a log that does not exist yet holds no messages', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fakesmsc-log-'));
    try {
      const path = join(dir, 'fakesmsc.log');
      expect(await readFakesmscMessages(path)).toEqual([]);
      await writeFile(path, [...START, UCS2_THAI, TEXT_PLAIN, ''].join('\n'));
      const messages = await readFakesmscMessages(path);
      expect(messages.map((m) => [m.to, m.line])).toEqual([
        ['+66812345678', 5],
        ['0812345678', 6],
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
