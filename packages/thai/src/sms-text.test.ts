import { describe, it, expect } from '@jest/globals';
import { isGsm7, smsEncoding, smsSegments, ucs2Segments } from './sms-text';

describe('isGsm7', () => {
  it('accepts the default alphabet and the extension table', () => {
    expect(isGsm7('Your booking: site 3, 2 Aug 2021 09:00. Ref ABC-123')).toBe(true);
    expect(isGsm7('@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ¤¡ÄÖÑÜ§¿äöñüà\n\r')).toBe(true);
    expect(isGsm7('{}[]~^|\\€\f')).toBe(true);
    expect(isGsm7('')).toBe(true);
  });

  it('rejects Thai, emoji and look-alikes outside GSM 03.38', () => {
    expect(isGsm7('จองสำเร็จ')).toBe(false);
    expect(isGsm7('ok 👍')).toBe(false);
    expect(isGsm7('`')).toBe(false);
    expect(isGsm7('ç')).toBe(false); // only the capital Ç is in the alphabet
    expect(isGsm7('\u001b')).toBe(false);
  });
});

describe('smsEncoding', () => {
  it('needs UCS-2 for any Thai text', () => {
    expect(smsEncoding('Booked ที่ รพ.สต.')).toBe('ucs2');
    expect(smsEncoding('Booked')).toBe('gsm7');
  });
});

describe('ucs2Segments', () => {
  it('fits 70 code units in one part and 67 in each part after that', () => {
    expect(ucs2Segments('')).toBe(1);
    expect(ucs2Segments('ก'.repeat(70))).toBe(1);
    expect(ucs2Segments('ก'.repeat(71))).toBe(2);
    expect(ucs2Segments('ก'.repeat(134))).toBe(2);
    expect(ucs2Segments('ก'.repeat(135))).toBe(3);
  });

  it('counts an emoji outside the BMP as two code units', () => {
    expect(ucs2Segments('ก'.repeat(68) + '👍')).toBe(1);
    expect(ucs2Segments('ก'.repeat(69) + '👍')).toBe(2);
  });

  it('counts a real Thai confirmation', () => {
    const sms = 'khiw: ยืนยันการจองวัคซีน นาย ก. วันที่ 2 ส.ค. 2564 เวลา 09:00 ณ รพ.สต.บ้านเกาะ รหัส AB12CD';
    expect(sms.length).toBe(90);
    expect(ucs2Segments(sms)).toBe(2);
  });
});

describe('smsSegments', () => {
  it('uses 160 septets for one GSM-7 part and 153 per part after that', () => {
    expect(smsSegments('a'.repeat(160))).toBe(1);
    expect(smsSegments('a'.repeat(161))).toBe(2);
    expect(smsSegments('a'.repeat(306))).toBe(2);
    expect(smsSegments('a'.repeat(307))).toBe(3);
  });

  it('counts extension characters as two septets', () => {
    expect(smsSegments('€'.repeat(80))).toBe(1);
    expect(smsSegments('a' + '€'.repeat(80))).toBe(2);
  });

  it('switches to UCS-2 limits as soon as one character is outside GSM-7', () => {
    expect(smsSegments('a'.repeat(70))).toBe(1);
    expect(smsSegments('a'.repeat(69) + 'ก')).toBe(1);
    expect(smsSegments('a'.repeat(70) + 'ก')).toBe(2);
  });
});
