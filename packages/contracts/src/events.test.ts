import { describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { BookingEvent, parseMessage } from './index';

const confirmed = {
  schemaVersion: 1,
  eventId: randomUUID(),
  occurredAt: '2021-07-25T02:00:01.000Z',
  campaignId: 'samut-sakhon-sinopharm-2021-07',
  bookingId: randomUUID(),
  requestId: 'samut-sakhon-sinopharm-2021-07.abc123',
  type: 'BookingConfirmed',
  data: {
    reference: 'K7Q2M9',
    channel: 'web',
    language: 'th',
    person: {
      citizenId: '1103702071811',
      firstName: 'สมชาย',
      lastName: 'ใจดี',
      birthDate: '1950-01-31',
      phone: '+66812345678',
      groupCode: 'elderly70',
    },
    appointment: {
      siteId: 'SKH',
      siteName: { th: 'โรงพยาบาลสมุทรสาคร', en: 'Samut Sakhon Hospital' },
      slotId: 'SKH-20210802-0900',
      startsAt: '2021-08-02T09:00:00+07:00',
    },
  },
};

describe('booking event contract', () => {
  it('accepts a well-formed BookingConfirmed from bytes', () => {
    const parsed = parseMessage(BookingEvent, Buffer.from(JSON.stringify(confirmed)));
    expect(parsed).toEqual({ ok: true, value: confirmed });
  });

  it('gives a reason for what it refuses instead of throwing', () => {
    expect(parseMessage(BookingEvent, '{not json')).toMatchObject({ ok: false, reason: /not JSON/ });
    expect(parseMessage(BookingEvent, null)).toEqual({ ok: false, reason: 'empty message' });
    const badPhone = structuredClone(confirmed);
    badPhone.data.person.phone = '0812345678';
    expect(parseMessage(BookingEvent, JSON.stringify(badPhone))).toMatchObject({
      ok: false,
      reason: expect.stringContaining('data.person.phone'),
    });
    expect(parseMessage(BookingEvent, { ...confirmed, type: 'BookingExploded' })).toMatchObject({
      ok: false,
    });
    expect(parseMessage(BookingEvent, { ...confirmed, bookingId: null })).toMatchObject({ ok: false });
  });
});
