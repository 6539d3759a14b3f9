import { randomUUID } from 'node:crypto';
import { BookingEvent, NotificationEvent } from '@khiw/contracts';
import { citizenIdFrom } from '../../../test/support/env';

/** What the booking database holds for a booking at the end of its life (the truth to compare with). */
export interface BookingTruth {
  bookingId: string;
  campaignId: string;
  reference: string;
  citizenId: string;
  birthDate: string;
  firstName: string;
  lastName: string;
  groupCode: string;
  siteId: string;
  slotId: string;
  startsAt: string;
  status: 'confirmed' | 'cancelled';
}

const SITES = [
  { siteId: 'SKH', siteName: { th: 'โรงพยาบาลสมุทรสาคร', en: 'Samut Sakhon Hospital' } },
  { siteId: 'KTB', siteName: { th: 'โรงพยาบาลกระทุ่มแบน', en: 'Krathum Baen Hospital' } },
  { siteId: 'BPW', siteName: { th: 'โรงพยาบาลบ้านแพ้ว', en: 'Ban Phaeo Hospital' } },
];
const DAYS = ['2021-08-02', '2021-08-03', '2021-08-04'];
const TIMES = ['09:00', '10:00', '11:00', '13:00', '14:00', '15:00'];
const GROUPS = ['elderly70', 'disabled', 'monks', 'medical'];
const FIRST = ['สมชาย', 'สมหญิง', 'ประยุทธ', 'มาลี', 'วิชัย', 'สุดา', 'บุญมี', 'จันทร์'];
const LAST = ['ใจดี', 'รักไทย', 'มีสุข', 'ทองคำ', 'ศรีสุข', 'แสงทอง'];

const pick = <T>(items: readonly T[], random: () => number) => items[Math.floor(random() * items.length)]!;

function appointment(site: (typeof SITES)[number], random: () => number) {
  const day = pick(DAYS, random);
  const time = pick(TIMES, random);
  return {
    siteId: site.siteId,
    siteName: site.siteName,
    slotId: `${site.siteId}-${day.replaceAll('-', '')}-${time.replace(':', '')}`,
    startsAt: new Date(`${day}T${time}:00+07:00`).toISOString(),
  };
}

/** A small seeded generator, so a failing run can be repeated. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Realistic booking lives, as the booking worker's outbox would publish them: confirmed (or
 * promoted from standby), then maybe rescheduled once or twice at the same site, maybe
 * cancelled; a few standby and rejected events that the roster ignores. Every event passes
 * its contract schema. Stops at exactly `count` booking events.
 */
export function bookingLives(
  campaignId: string,
  count: number,
  random: () => number = Math.random,
  startMs = Date.parse('2021-07-25T02:00:00Z'),
): { events: BookingEvent[]; truth: Map<string, BookingTruth>; byBooking: Map<string, BookingEvent[]> } {
  const events: BookingEvent[] = [];
  const truth = new Map<string, BookingTruth>();
  const byBooking = new Map<string, BookingEvent[]>();
  let n = 0;
  while (events.length < count) {
    n++;
    const bookingId = randomUUID();
    const site = pick(SITES, random);
    const citizenId = citizenIdFrom(`1${String(Math.floor(random() * 1e11)).padStart(11, '0')}`);
    const person = {
      citizenId,
      firstName: pick(FIRST, random),
      lastName: `${pick(LAST, random)} ${n}`,
      birthDate: `19${40 + Math.floor(random() * 40)}-0${1 + Math.floor(random() * 9)}-1${Math.floor(random() * 9)}`,
      phone: `+6689${String(Math.floor(random() * 1e7)).padStart(7, '0')}`,
      groupCode: pick(GROUPS, random),
    };
    const reference = `R${String(n).padStart(7, '0')}`;
    const requestId = `${campaignId}.req-${n}`;
    let at = startMs + Math.floor(random() * 3_600_000);
    const envelope = () => ({
      schemaVersion: 1 as const,
      eventId: randomUUID(),
      occurredAt: new Date((at += 1 + Math.floor(random() * 60_000))).toISOString(),
      campaignId,
      bookingId,
      requestId,
    });
    const life: BookingEvent[] = [];
    let current = appointment(site, random);
    const promoted = random() < 0.1;
    life.push(
      promoted
        ? BookingEvent.parse({
            ...envelope(),
            type: 'BookingPromoted',
            data: {
              reference,
              channel: 'web',
              person,
              appointment: current,
              standbyPosition: 1 + Math.floor(random() * 50),
            },
          })
        : BookingEvent.parse({
            ...envelope(),
            type: 'BookingConfirmed',
            data: {
              reference,
              channel: pick(['web', 'call_center', 'walk_in'] as const, random),
              person,
              appointment: current,
            },
          }),
    );
    const moves = random() < 0.3 ? 1 + Math.floor(random() * 2) : 0;
    for (let i = 0; i < moves; i++) {
      const next = appointment(site, random);
      life.push(
        BookingEvent.parse({
          ...envelope(),
          type: 'BookingRescheduled',
          data: { reference, phone: person.phone, from: current, appointment: next },
        }),
      );
      current = next;
    }
    const cancelled = random() < 0.25;
    if (cancelled) {
      life.push(
        BookingEvent.parse({
          ...envelope(),
          type: 'BookingCancelled',
          data: {
            reference,
            phone: person.phone,
            appointment: current,
            cancelledBy: pick(['resident', 'staff'] as const, random),
          },
        }),
      );
    }
    if (random() < 0.05) {
      life.push(
        BookingEvent.parse({
          ...envelope(),
          bookingId: null,
          type: 'BookingRejected',
          data: { reason: 'ALREADY_BOOKED', phone: person.phone },
        }),
      );
    }
    const room = count - events.length;
    const kept = life.slice(0, room);
    // A life cut short by the count keeps its creation event; the truth follows what was kept.
    events.push(...kept);
    byBooking.set(bookingId, kept);
    const last = [...kept].reverse().find((e) => e.type !== 'BookingRejected')!;
    const lastAppointment = 'appointment' in last.data ? last.data.appointment : current;
    truth.set(bookingId, {
      bookingId,
      campaignId,
      reference,
      citizenId: person.citizenId,
      birthDate: person.birthDate,
      firstName: person.firstName,
      lastName: person.lastName,
      groupCode: person.groupCode,
      siteId: lastAppointment.siteId,
      slotId: lastAppointment.slotId,
      startsAt: lastAppointment.startsAt,
      status: kept.some((e) => e.type === 'BookingCancelled') ? 'cancelled' : 'confirmed',
    });
  }
  return { events, truth, byBooking };
}

/** The same events, each booking's own events shuffled, the bookings interleaved at random. */
export function shuffledWithinKey(
  byBooking: Map<string, BookingEvent[]>,
  random: () => number,
): BookingEvent[] {
  const queues = [...byBooking.values()].map((events) => shuffle([...events], random));
  const out: BookingEvent[] = [];
  while (queues.length > 0) {
    const i = Math.floor(random() * queues.length);
    out.push(queues[i]!.shift()!);
    if (queues[i]!.length === 0) queues.splice(i, 1);
  }
  return out;
}

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

export function smsEvent(
  campaignId: string,
  bookingId: string,
  smsId: string,
  type: NotificationEvent['type'],
  occurredAt: Date,
): NotificationEvent {
  const base = {
    schemaVersion: 1,
    eventId: randomUUID(),
    occurredAt: occurredAt.toISOString(),
    campaignId,
    bookingId,
    smsId,
  };
  if (type === 'SmsSent')
    return NotificationEvent.parse({
      ...base,
      type,
      data: { kind: 'confirmation', provider: 'kannel', segments: 2 },
    });
  if (type === 'SmsDelivered')
    return NotificationEvent.parse({ ...base, type, data: { deliveredAt: occurredAt.toISOString() } });
  return NotificationEvent.parse({ ...base, type, data: { reason: 'expired', permanent: true } });
}
