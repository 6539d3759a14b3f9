import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { SMS_KINDS } from '@khiw/contracts';
import { smsEncoding, ucs2Segments } from '@khiw/thai';
import { MAX_SEGMENTS, renderSms, shortenSiteName, type MessageFacts } from './templates';

const campaign = JSON.parse(
  readFileSync(resolve(__dirname, '../../../../campaigns/samut-sakhon-2021.json'), 'utf8'),
) as { sites: { id: string; name: { th: string; en: string } }[] };

const facts = (over: Partial<MessageFacts> = {}): MessageFacts => ({
  kind: 'confirmation',
  reference: 'ZJ7YMY4U',
  siteName: { th: 'โรงพยาบาลกระทุ่มแบน', en: 'Krathum Baen Hospital' },
  startsAt: '2021-08-02T02:00:00.000Z',
  ...over,
});

describe('renderSms', () => {
  it('writes the confirmation in Thai with site, Bangkok date (Buddhist Era), time and reference', () => {
    expect(renderSms(facts()).text).toBe(
      'ยืนยันนัดฉีดวัคซีน โรงพยาบาลกระทุ่มแบน วันที่ 2 ส.ค. 2564 เวลา 09:00 น. รหัส ZJ7YMY4U กรุณานำบัตรประชาชนมาด้วย',
    );
  });

  it('uses the Bangkok calendar day: 23:30 UTC is the next morning in Bangkok', () => {
    const { text } = renderSms(facts({ startsAt: '2021-08-01T23:30:00.000Z' }));
    expect(text).toContain('วันที่ 2 ส.ค. 2564 เวลา 06:30 น.');
  });

  it.each(campaign.sites.map((s) => [s.id, s.name] as const))(
    'keeps every kind of message for site %s within two UCS-2 parts',
    (_id, siteName) => {
      for (const kind of SMS_KINDS) {
        const rendered = renderSms(facts({ kind, siteName, startsAt: '2021-12-31T08:00:00.000Z' }));
        expect(rendered.language).toBe('th');
        expect(ucs2Segments(rendered.text)).toBeLessThanOrEqual(MAX_SEGMENTS);
        expect(rendered.segments).toBe(ucs2Segments(rendered.text));
        expect(rendered.text).toContain(siteName.th);
      }
    },
  );

  it('shortens a long site name to keep the confirmation at two parts, never the date, time or reference', () => {
    const siteName = {
      th: 'โรงพยาบาลส่งเสริมสุขภาพตำบลบ้านคลองมะเดื่อ อำเภอกระทุ่มแบน จังหวัดสมุทรสาคร',
      en: 'Ban Khlong Maduea Sub-district Health Promoting Hospital',
    };
    const rendered = renderSms(facts({ siteName }));
    expect(rendered.segments).toBe(2);
    expect(rendered.language).toBe('th');
    expect(rendered.text).toMatch(
      /^ยืนยันนัดฉีดวัคซีน โรงพยาบาลส่งเสริม.*… วันที่ 2 ส\.ค\. 2564 เวลา 09:00 น\. รหัส ZJ7YMY4U/,
    );
  });

  it('falls back to English when Thai cannot fit two parts', () => {
    const rendered = renderSms(facts({ reference: 'R'.repeat(60) }));
    expect(rendered.language).toBe('en');
    expect(rendered.text).toContain('Krathum Baen Hospital, 2 Aug 2021 at 09:00');
    expect(rendered.segments).toBeLessThanOrEqual(MAX_SEGMENTS);
  });

  it('writes English (GSM-7, one part) when the campaign asks for it', () => {
    const rendered = renderSms(facts(), 'en');
    expect(rendered).toEqual({
      text: 'Vaccination booked: Krathum Baen Hospital, 2 Aug 2021 at 09:00. Ref ZJ7YMY4U. Please bring your ID card.',
      language: 'en',
      segments: 1,
    });
  });

  it('has a distinct wording for each kind', () => {
    const texts = SMS_KINDS.map((kind) => renderSms(facts({ kind })).text);
    expect(new Set(texts).size).toBe(SMS_KINDS.length);
    expect(texts.join('\n')).not.toMatch(/\d{13}/); // nothing that looks like a citizen ID
  });
});

describe('renderSms in Burmese', () => {
  const MYANMAR = /[\u1000-\u109F]/;

  it('writes the confirmation in Myanmar script with the English site name and date', () => {
    const rendered = renderSms(facts(), 'my');
    expect(rendered.text).toBe(
      'ကာကွယ်ဆေးထိုးရန် ရက်ချိန်း အတည်ပြုပြီး: Krathum Baen Hospital၊ 2 Aug 2021 09:00။ ကုဒ် ZJ7YMY4U။ သက်သေခံကတ် ယူလာပါ။',
    );
    expect(rendered.language).toBe('my');
    expect(smsEncoding(rendered.text)).toBe('ucs2');
  });

  it.each(campaign.sites.map((s) => [s.id, s.name] as const))(
    'keeps every kind of message for site %s within two UCS-2 parts',
    (_id, siteName) => {
      for (const kind of SMS_KINDS) {
        const rendered = renderSms(facts({ kind, siteName, startsAt: '2021-12-31T08:00:00.000Z' }), 'my');
        expect(rendered.language).toBe('my');
        expect(rendered.text).toMatch(MYANMAR);
        expect(smsEncoding(rendered.text)).toBe('ucs2');
        expect(rendered.segments).toBe(ucs2Segments(rendered.text));
        expect(rendered.segments).toBeLessThanOrEqual(MAX_SEGMENTS);
        expect(rendered.text).toContain(siteName.en);
        expect(rendered.text).toContain('31 Dec 2021 15:00');
      }
    },
  );

  it('has a distinct wording for each kind', () => {
    const texts = SMS_KINDS.map((kind) => renderSms(facts({ kind }), 'my').text);
    expect(new Set(texts).size).toBe(SMS_KINDS.length);
  });

  it('cuts a long site name first, keeping date, time and reference, for every kind', () => {
    const siteName = {
      th: 'โรงพยาบาลส่งเสริมสุขภาพตำบลบ้านคลองมะเดื่อ',
      en: 'Ban Khlong Maduea Sub-district Health Promoting Hospital, Krathum Baen District, Samut Sakhon',
    };
    for (const kind of SMS_KINDS) {
      const rendered = renderSms(facts({ kind, siteName }), 'my');
      expect(rendered.language).toBe('my');
      expect(rendered.segments).toBe(2);
      expect(rendered.text).toMatch(/Ban Khlong Maduea[^၊]*…၊ 2 Aug 2021 09:00/);
      expect(rendered.text).toContain('ZJ7YMY4U');
      expect(rendered.text).not.toContain(siteName.en);
    }
  });

  it('falls back to English when Burmese cannot fit two parts', () => {
    const rendered = renderSms(facts({ reference: 'R'.repeat(60) }), 'my');
    expect(rendered.language).toBe('en');
    expect(rendered.segments).toBeLessThanOrEqual(MAX_SEGMENTS);
  });
});

describe('shortenSiteName', () => {
  it('never leaves a Thai vowel or tone mark without its consonant, nor a leading vowel alone', () => {
    const name = 'โรงพยาบาลส่งเสริมสุขภาพตำบล';
    for (let length = 3; length < name.length; length++) {
      const short = shortenSiteName(name, length);
      expect(short.length).toBeLessThanOrEqual(length);
      expect(short.endsWith('…')).toBe(true);
      const kept = short.slice(0, -1);
      expect(name.startsWith(kept)).toBe(true);
      expect(name[kept.length]).not.toMatch(/[\u0E31\u0E34-\u0E3A\u0E47-\u0E4E]/);
      expect(kept[kept.length - 1]).not.toMatch(/[\u0E40-\u0E44]/);
    }
  });
});
