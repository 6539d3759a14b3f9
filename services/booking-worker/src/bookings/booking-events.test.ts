import { randomUUID } from 'node:crypto';
import { BookingEvent } from '@khiw/contracts';
import {
  cancelledEvent,
  confirmedEvent,
  promotedEvent,
  rejectedEvent,
  rescheduledEvent,
  standbyEvent,
} from './booking-events';

const person = {
  citizenId: '1101700203451',
  firstName: 'สมศรี',
  lastName: 'มีสุข',
  birthDate: '1950-01-01',
  phone: '+66812345678',
  groupCode: 'elderly70',
};
const appointment = {
  siteId: 'SKH',
  siteName: { th: 'โรงพยาบาลสมุทรสาคร', en: 'Samut Sakhon Hospital' },
  slotId: 'SKH-20210802-0900',
  startsAt: '2021-08-02T02:00:00.000Z',
};
const ids = { campaignId: 'samut-sakhon-sinopharm-2021-07', requestId: 'req.abcdefghijklmnop' };
const bookingId = randomUUID();

describe('booking event builders', () => {
  // They build to the contract types without parsing (hot path); this proves the schemas agree.
  const rows = [
    confirmedEvent({
      ...ids,
      bookingId,
      reference: 'ABCD2345',
      channel: 'web',
      language: 'th',
      person,
      appointment,
    }),
    promotedEvent({
      ...ids,
      bookingId,
      reference: 'ABCD2345',
      channel: 'web',
      language: 'my',
      enteredBy: 'agent:somsri',
      person,
      appointment,
      standbyPosition: 3,
    }),
    standbyEvent({ ...ids, standbyId: randomUUID(), position: 7, person }),
    rejectedEvent({
      ...ids,
      reason: 'SLOT_FULL',
      phone: person.phone,
      submittedAt: new Date().toISOString(),
      slotId: 'X',
    }),
    cancelledEvent({
      ...ids,
      bookingId,
      reference: 'ABCD2345',
      phone: person.phone,
      appointment,
      cancelledBy: 'resident',
    }),
    rescheduledEvent({
      ...ids,
      bookingId,
      reference: 'ABCD2345',
      phone: person.phone,
      from: appointment,
      appointment,
    }),
  ];

  it.each(rows.map((row) => [row.type, row]))('%s passes the shared schema', (_type, row) => {
    expect(BookingEvent.safeParse(row.payload).error).toBeUndefined();
    expect(row.id).toBe(row.payload.eventId);
    expect(row.topic).toBe('booking.events');
  });

  it('keys a booking’s events by the booking, a standby place by itself, a rejection by the request', () => {
    expect(rows.filter((r) => r.payload.bookingId === bookingId).every((r) => r.key === bookingId)).toBe(
      true,
    );
    expect(rows[2]!.key).not.toBe(ids.requestId);
    expect(rows[3]!.key).toBe(ids.requestId);
  });

  it('gives a retried rejection the same event id, and a corrected resubmission a new one', () => {
    const at = '2026-11-22T01:00:00.000Z';
    const reject = (slotId: string, submittedAt = at) =>
      rejectedEvent({ ...ids, reason: 'SLOT_FULL', phone: person.phone, submittedAt, slotId }).id;
    expect(reject('A')).toBe(reject('A'));
    expect(reject('B')).not.toBe(reject('A'));
    expect(reject('A', '2026-11-22T01:00:05.000Z')).not.toBe(reject('A'));
  });
});
