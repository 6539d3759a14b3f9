import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import type { Producer } from 'kafkajs';
import {
  BookingCancelled,
  BookingPromoted,
  BookingRescheduled,
  QUEUES,
  type BookingConfirmedEvent,
  type SmsNotificationEvent,
} from '@khiw/contracts';
import { createPrismaClient, type PrismaClient } from '@khiw/db';
import { createLogger } from '@khiw/observability';
import { bullPrefix, campaignKey, closeRedis, createRedisClient, type Redis } from '@khiw/redis';
import { createTopics, deleteTopics } from '../../../infra/local/kafka-admin';
import { startPrivateKannel, type PrivateKannel } from '../../../infra/local/kannel/private-kannel';
import { eventually, REDIS_URL, TEST_DATABASE_URL, uniqueNamespace } from '../../../test/support/env';
import type { RunningService } from '../../../test/support/services';
import { reminderDedupeKey } from '../src/sms/notify-booking-events.usecase';
import { renderSms } from '../src/sms/templates';
import { uuidFrom } from '../src/uuid-from';
import {
  campaignSnapshot,
  confirmedEvents,
  distinctEvents,
  publishEvents,
  readNotificationEvents,
  smsTo,
  startNotification,
  testKafka,
} from './notification-harness';

const HOUR = 3600_000;
const reminderId = (bookingId: string, startsAt: string) => uuidFrom(reminderDedupeKey(bookingId, startsAt));

/** An appointment `hoursAhead` from now, on a whole second. */
function appointmentIn(hoursAhead: number, siteId = 'KTB') {
  const startsAt = new Date(Math.ceil((Date.now() + hoursAhead * HOUR) / 1000) * 1000).toISOString();
  return {
    siteId,
    siteName: { th: 'โรงพยาบาลกระทุ่มแบน', en: 'Krathum Baen Hospital' },
    slotId: `${siteId}-x`,
    startsAt,
  };
}

/**
 * Done-when 4 (issue 5): a reschedule moves the reminder, a cancel removes it, a promoted
 * standby person gets an SMS; and the rest of a booking's life by SMS: a reminder that falls
 * due is sent, none for an appointment already too close, malformed events dead-lettered.
 */
describe('booking lifecycle by SMS', () => {
  const namespace = uniqueNamespace('sms-life');
  const campaignId = `sms-life-${namespace.slice(-6)}`;
  const soonCampaignId = `sms-soon-${namespace.slice(-6)}`;
  const kafka = testKafka('sms-life-test');
  const logger = createLogger({ service: 'test', level: 'silent' });
  let prisma: PrismaClient;
  let producer: Producer;
  let kannel: PrivateKannel;
  let redis: Redis;
  let queue: Queue;
  let service: RunningService;
  const [booked, toCancel, soon, past] = confirmedEvents(campaignId, 4) as [
    BookingConfirmedEvent,
    BookingConfirmedEvent,
    BookingConfirmedEvent,
    BookingConfirmedEvent,
  ];

  beforeAll(async () => {
    prisma = createPrismaClient(TEST_DATABASE_URL, { poolSize: 2 });
    redis = createRedisClient({ url: REDIS_URL, name: 'test', logger, blocking: true });
    queue = new Queue(QUEUES.sms, { connection: redis, prefix: bullPrefix(namespace) });
    // The campaign snapshots the booking worker publishes: reminders a day before, and one
    // campaign that reminds an hour before (so that a reminder falls due during the test).
    await redis.set(
      campaignKey(namespace, campaignId, 'info'),
      campaignSnapshot(campaignId, { reminderHoursBefore: 24, language: 'th' }),
    );
    await redis.set(
      campaignKey(namespace, soonCampaignId, 'info'),
      campaignSnapshot(soonCampaignId, { reminderHoursBefore: 1, language: 'th' }),
    );
    await createTopics(namespace);
    producer = kafka.producer();
    await producer.connect();
    kannel = await startPrivateKannel({ throughput: 100 });
    service = await startNotification(namespace, kannel, 50);
  });

  afterAll(async () => {
    if (service) expect(await service.stop()).toBe(0);
    await producer?.disconnect();
    await kannel?.close();
    await queue?.obliterate({ force: true }).catch(() => undefined);
    await queue?.close();
    await closeRedis(redis);
    await deleteTopics(namespace).catch(() => undefined);
    await prisma?.$disconnect();
  });

  const smsFor = async (phone: string, count: number) =>
    eventually(
      async () => {
        const list = await smsTo(kannel, new Set([phone]));
        return list.length >= count ? list : undefined;
      },
      60_000,
      `${count} SMS to ${phone}`,
    );

  it('confirms, schedules the reminder, moves it on reschedule and removes it on cancel', async () => {
    const first = appointmentIn(72);
    const moved = appointmentIn(120);
    const confirmed = { ...booked, data: { ...booked.data, appointment: first } };
    const cancelLater = { ...toCancel, data: { ...toCancel.data, appointment: first } };
    await publishEvents(producer, namespace, [confirmed, cancelLater]);

    const [confirmation] = await smsFor(booked.data.person.phone, 1);
    expect(confirmation!.text).toBe(
      renderSms({ kind: 'confirmation', reference: booked.data.reference, ...first }).text,
    );
    // Sent: the job keeps which message it was, not the phone or the text (issue 13, item 7).
    const sentJob = await eventually(
      async () => {
        const sent = await queue.getJob(confirmed.eventId);
        return sent?.data?.personRemovedAt ? sent : undefined;
      },
      10_000,
      'the sent job stripped of phone and text',
    );
    expect(sentJob.data).toMatchObject({ smsId: confirmed.eventId, kind: 'confirmation' });
    expect(JSON.stringify(sentJob.data)).not.toMatch(
      new RegExp(`${booked.data.person.phone.slice(3)}|${booked.data.reference}`),
    );
    expect(sentJob.opts).toMatchObject({ removeOnComplete: { age: 3600 }, removeOnFail: { age: 24 * 3600 } });
    const firstReminder = reminderId(booked.bookingId, first.startsAt);
    const job = await eventually(() => queue.getJob(firstReminder), 30_000, 'reminder job');
    expect(await job.getState()).toBe('delayed');
    // Due a day before the appointment (give or take the moment the job was written).
    const runsAt = job.timestamp + (job.opts.delay ?? 0);
    expect(Math.abs(runsAt - (Date.parse(first.startsAt) - 24 * HOUR))).toBeLessThan(10_000);
    expect(await prisma.smsMessage.findUnique({ where: { id: firstReminder } })).toMatchObject({
      kind: 'reminder',
      status: 'scheduled',
      dueAt: new Date(Date.parse(first.startsAt) - 24 * HOUR),
    });

    // Reschedule: the reminder follows the appointment.
    const rescheduled = BookingRescheduled.parse({
      schemaVersion: 1,
      eventId: randomUUID(),
      occurredAt: new Date().toISOString(),
      campaignId,
      bookingId: booked.bookingId,
      requestId: booked.requestId,
      type: 'BookingRescheduled',
      data: {
        reference: booked.data.reference,
        phone: booked.data.person.phone,
        from: first,
        appointment: moved,
      },
    });
    await publishEvents(producer, namespace, [rescheduled]);
    const [, rescheduleSms] = await smsFor(booked.data.person.phone, 2);
    expect(rescheduleSms!.text).toBe(
      renderSms({ kind: 'reschedule', reference: booked.data.reference, ...moved }).text,
    );
    const movedReminder = reminderId(booked.bookingId, moved.startsAt);
    const movedJob = await eventually(() => queue.getJob(movedReminder), 30_000, 'moved reminder job');
    expect(await movedJob.getState()).toBe('delayed');
    expect(await queue.getJob(firstReminder)).toBeUndefined();
    expect(await prisma.smsMessage.findUnique({ where: { id: firstReminder } })).toMatchObject({
      status: 'cancelled',
    });
    expect(await prisma.smsMessage.findUnique({ where: { id: movedReminder } })).toMatchObject({
      status: 'scheduled',
      dueAt: new Date(Date.parse(moved.startsAt) - 24 * HOUR),
    });

    // Cancel: the reminder goes, the resident is told.
    const cancelReminder = reminderId(toCancel.bookingId, first.startsAt);
    await eventually(() => queue.getJob(cancelReminder), 30_000, 'reminder of the booking to cancel');
    const cancelled = BookingCancelled.parse({
      schemaVersion: 1,
      eventId: randomUUID(),
      occurredAt: new Date().toISOString(),
      campaignId,
      bookingId: toCancel.bookingId,
      requestId: toCancel.requestId,
      type: 'BookingCancelled',
      data: {
        reference: toCancel.data.reference,
        phone: toCancel.data.person.phone,
        appointment: first,
        cancelledBy: 'resident',
      },
    });
    await publishEvents(producer, namespace, [cancelled]);
    const [, cancellationSms] = await smsFor(toCancel.data.person.phone, 2);
    expect(cancellationSms!.text).toBe(
      renderSms({ kind: 'cancellation', reference: toCancel.data.reference, ...first }).text,
    );
    await eventually(
      async () => ((await queue.getJob(cancelReminder)) === undefined ? true : undefined),
      30_000,
      'reminder job removed',
    );
    expect(await prisma.smsMessage.findUnique({ where: { id: cancelReminder } })).toMatchObject({
      status: 'cancelled',
    });
  });

  it('sends the promoted standby person an SMS, with a reminder', async () => {
    const appointment = appointmentIn(48);
    const promoted = BookingPromoted.parse({
      schemaVersion: 1,
      eventId: randomUUID(),
      occurredAt: new Date().toISOString(),
      campaignId,
      bookingId: randomUUID(),
      requestId: `${campaignId}.req-promoted`,
      type: 'BookingPromoted',
      data: {
        reference: 'PRM0001',
        channel: 'web',
        person: { ...past.data.person, phone: '+66861111111' },
        appointment,
        standbyPosition: 1,
      },
    });
    await publishEvents(producer, namespace, [promoted]);
    const [sms] = await smsFor('+66861111111', 1);
    expect(sms!.text).toBe(renderSms({ kind: 'promotion', reference: 'PRM0001', ...appointment }).text);
    expect(sms!.text).toContain('รายชื่อสำรอง');
    const reminder = await eventually(
      () => queue.getJob(reminderId(promoted.bookingId, appointment.startsAt)),
      30_000,
      'promoted reminder',
    );
    expect(await reminder.getState()).toBe('delayed');
  });

  it('sends a reminder when it falls due, and none when the appointment is too close or past', async () => {
    // Reminders an hour before, for an appointment an hour and a few seconds away.
    const dueSoon = appointmentIn(1 + 8 / 3600);
    const event = { ...soon, campaignId: soonCampaignId, data: { ...soon.data, appointment: dueSoon } };
    const tooLate = { ...past, campaignId: soonCampaignId }; // the sample's 2 Aug 2021
    await publishEvents(producer, namespace, [event, tooLate]);
    const [confirmation, reminder] = await smsFor(soon.data.person.phone, 2);
    expect(confirmation!.text).toContain('ยืนยันนัด');
    expect(reminder!.text).toBe(
      renderSms({ kind: 'reminder', reference: soon.data.reference, ...dueSoon }).text,
    );
    await smsFor(past.data.person.phone, 1);
    expect(await prisma.smsMessage.count({ where: { bookingId: past.bookingId } })).toBe(1);
  });

  it('dead-letters a malformed event with the reason, keeps going, and announces every SMS on notification.events', async () => {
    await publishEvents(producer, namespace, [
      { key: 'bad', value: JSON.stringify({ type: 'BookingConfirmed', eventId: 'nope' }) },
      { key: 'worse', value: 'not json' },
    ]);
    const dlq = kafka.consumer({ groupId: `${namespace}.dlq-reader`, maxWaitTimeInMs: 200 });
    const reasons: string[] = [];
    await dlq.connect();
    await dlq.subscribe({ topic: `${namespace}.booking.events.dlq`, fromBeginning: true });
    await dlq.run({
      eachMessage: async ({ message }) => {
        reasons.push(String(message.headers?.['x-dead-letter-reason']));
      },
    });
    await eventually(async () => (reasons.length >= 2 ? true : undefined), 30_000, 'dead letters');
    await dlq.disconnect();
    expect(reasons.some((r) => r.includes('eventId'))).toBe(true);
    expect(reasons.some((r) => r.startsWith('not JSON'))).toBe(true);

    // The service still works after them.
    const [after] = confirmedEvents(campaignId, 1);
    await publishEvents(producer, namespace, [after!]);
    await smsFor(after!.data.person.phone, 1);

    const kindsOf = (list: SmsNotificationEvent[], bookingId: string, type: string) =>
      distinctEvents(list)
        .filter((e) => e.bookingId === bookingId && e.type === type)
        .map((e) => e.data.kind)
        .sort();
    const expected = (list: SmsNotificationEvent[]) => ({
      booked: kindsOf(list, booked.bookingId, 'SmsSent'),
      cancelled: kindsOf(list, toCancel.bookingId, 'SmsSent'),
      soon: kindsOf(list, soon.bookingId, 'SmsSent'),
      after: kindsOf(list, after!.bookingId, 'SmsDelivered'),
    });
    const want = {
      booked: ['confirmation', 'reschedule'],
      cancelled: ['cancellation', 'confirmation'],
      soon: ['confirmation', 'reminder'],
      after: ['confirmation'],
    };
    const published = await readNotificationEvents(
      kafka,
      namespace,
      (list) => JSON.stringify(expected(list)) === JSON.stringify(want),
    );
    expect(expected(published)).toEqual(want);
  });
});
