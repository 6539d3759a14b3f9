import { randomUUID } from 'node:crypto';
import { BookingConfirmed, type BookingConfirmedEvent } from '@khiw/contracts';
import { randomCitizenId, randomMobile } from './env';

/** A valid BookingConfirmed event for a made-up person (consumers need no booking row). */
export function bookingConfirmedEvent(campaignId: string, index = 0): BookingConfirmedEvent {
  const bookingId = randomUUID();
  return BookingConfirmed.parse({
    schemaVersion: 1,
    eventId: randomUUID(),
    occurredAt: new Date().toISOString(),
    campaignId,
    bookingId,
    requestId: `${campaignId}.req-${index}`,
    type: 'BookingConfirmed',
    data: {
      reference: `R${String(index).padStart(7, '0')}`,
      channel: 'web',
      person: {
        citizenId: randomCitizenId(),
        firstName: 'ทดสอบ',
        lastName: `คนที่ ${index}`,
        birthDate: '1950-01-01',
        phone: randomMobile(),
        groupCode: 'elderly70',
      },
      appointment: {
        siteId: 'SKH',
        siteName: { th: 'โรงพยาบาลสมุทรสาคร', en: 'Samut Sakhon Hospital' },
        slotId: 'SKH-20210802-0900',
        startsAt: '2021-08-02T02:00:00.000Z',
      },
    },
  });
}
