import { Kafka, logLevel, type Producer } from 'kafkajs';
import {
  CampaignSnapshot,
  NotificationEvent,
  SmsNotificationEvent,
  type BookingConfirmedEvent,
  type BookingEvent,
} from '@khiw/contracts';
import { readFakesmscMessages, type FakeSms } from '../../../infra/local/fakesmsc-log';
import type { PrivateKannel } from '../../../infra/local/kannel/private-kannel';
import { freePort, KAFKA_BROKERS } from '../../../test/support/env';
import { bookingConfirmedEvent } from '../../../test/support/events';
import { startService, type RunningService } from '../../../test/support/services';

/** What the notification integration tests share: a Kafka client, the service, what fakesmsc got. */
export function testKafka(clientId: string): Kafka {
  return new Kafka({ brokers: [KAFKA_BROKERS], clientId, logLevel: logLevel.NOTHING });
}

export async function publishEvents(
  producer: Producer,
  namespace: string,
  events: (BookingEvent | { key: string; value: string })[],
): Promise<void> {
  for (let i = 0; i < events.length; i += 1000) {
    await producer.send({
      topic: `${namespace}.booking.events`,
      acks: -1,
      messages: events
        .slice(i, i + 1000)
        .map((e) => ('value' in e ? e : { key: e.bookingId ?? e.requestId, value: JSON.stringify(e) })),
    });
  }
}

/** The notification service as a real process, sending through `kannel` at `ratePerSecond`. */
export async function startNotification(
  namespace: string,
  kannel: PrivateKannel,
  ratePerSecond: number,
  env: Record<string, string> = {},
): Promise<RunningService> {
  // A restarted service keeps its port: Kannel's pending delivery reports go to that address.
  const port = Number(env.PORT ?? (await freePort()));
  return startService('notification', namespace, {
    PORT: String(port),
    DLR_BASE_URL: `http://127.0.0.1:${port}`,
    KANNEL_SENDSMS_URL: kannel.sendsmsUrl,
    KANNEL_USERNAME: kannel.username,
    KANNEL_PASSWORD: kannel.password,
    SMS_RATE_PER_SECOND: String(ratePerSecond),
    LOG_LEVEL: 'warn',
    ...env,
  });
}

/** Messages fakesmsc received for these phone numbers. */
export async function smsTo(kannel: PrivateKannel, phones: Set<string>): Promise<FakeSms[]> {
  return (await readFakesmscMessages(kannel.fakesmscLog)).filter((m) => phones.has(m.to));
}

/** Every notification event published in the namespace so far, each checked against both contracts. */
export async function readNotificationEvents(
  kafka: Kafka,
  namespace: string,
  until: (events: SmsNotificationEvent[]) => boolean,
  timeoutMs = 60_000,
): Promise<SmsNotificationEvent[]> {
  const consumer = kafka.consumer({
    groupId: `${namespace}.test-reader-${Date.now()}`,
    maxWaitTimeInMs: 200,
  });
  const events: SmsNotificationEvent[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic: `${namespace}.notification.events`, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const value = JSON.parse(message.value!.toString()) as unknown;
      NotificationEvent.parse(value); // what the roster parses with
      const event = SmsNotificationEvent.parse(value);
      if (message.key?.toString() !== event.bookingId)
        throw new Error('notification event not keyed by booking');
      events.push(event);
    },
  });
  const deadline = Date.now() + timeoutMs;
  while (!until(events) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
  await consumer.disconnect();
  return events;
}

/** Distinct events by id (a relay crash may publish one twice, with the same id). */
export function distinctEvents(events: SmsNotificationEvent[]): SmsNotificationEvent[] {
  return [...new Map(events.map((e) => [e.eventId, e])).values()];
}

// Each call takes the next block of 100,000 numbers, from a random start: two calls in one
// process (two tests sharing one fakesmsc log) never share a number. Random blocks did, one
// run in a hundred, and every SMS of the second test then looked duplicated.
let nextBlock = Math.floor(Math.random() * 100);

/**
 * BookingConfirmed events with phone numbers unique within the process (random ones collide:
 * 5,000 draws from 10 million numbers share one about as often as not) and outside other
 * tests' range.
 */
export function confirmedEvents(campaignId: string, count: number): BookingConfirmedEvent[] {
  if (count > 100_000) throw new Error('confirmedEvents: at most 100,000 numbers per call');
  const block = String(nextBlock++ % 100).padStart(2, '0');
  return Array.from({ length: count }, (_, i) => {
    const event = bookingConfirmedEvent(campaignId, i);
    return {
      ...event,
      data: {
        ...event.data,
        person: { ...event.data.person, phone: `+6686${block}${String(i).padStart(5, '0')}` },
      },
    };
  });
}

/** A campaign snapshot as the booking worker publishes it, with these SMS settings. */
export function campaignSnapshot(id: string, sms: CampaignSnapshot['sms']): string {
  const now = new Date().toISOString();
  const snapshot = CampaignSnapshot.parse({
    id,
    name: { th: 'วัคซีนทดสอบ', en: 'Test vaccine' },
    vaccine: 'test',
    timezone: 'Asia/Bangkok',
    opensAt: now,
    state: 'open',
    totalDoses: 100,
    remainingDoses: 100,
    standbySize: 0,
    standbyCount: 0,
    eligibility: {},
    sms,
    groups: [],
    sites: [],
    channels: [],
    publishedAt: now,
  } satisfies CampaignSnapshot);
  return JSON.stringify(snapshot);
}
