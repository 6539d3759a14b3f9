import type { Consumer, Kafka, Producer } from 'kafkajs';
import { BookingEvent, NotificationEvent, parseMessage } from '@khiw/contracts';
import { createConsumer, keepOrDeadLetter, topicName } from '@khiw/kafka';
import type { Counter, Histogram, Logger } from '@khiw/observability';
import type { ApplyEvents, RosterInput } from './apply-events.usecase';

export interface RosterConsumerOptions {
  kafka: Kafka;
  producer: Producer;
  namespace: string;
  applyEvents: ApplyEvents;
  logger: Logger;
  events: Counter;
  /** Event occurredAt → applied, seconds. */
  lag: Histogram;
  /** Messages applied per transaction at most. */
  chunkSize?: number;
  partitionsConsumedConcurrently?: number;
}

export const rosterGroupId = (namespace: string) => `${namespace ? `${namespace}.` : ''}roster`;

/**
 * One consumer group on `booking.events` and `notification.events`. Messages are applied in
 * chunks, each chunk in one transaction; only then are their offsets resolved and committed,
 * so a crash replays at most the chunk in flight, which the event-id claim makes a no-op.
 * A malformed message goes to its topic's dead-letter topic with the reason.
 */
export async function startRosterConsumer(options: RosterConsumerOptions): Promise<Consumer> {
  const { kafka, producer, namespace, applyEvents, logger, events, lag } = options;
  const chunkSize = options.chunkSize ?? 500;
  const bookingTopic = topicName(namespace, 'bookingEvents');
  const notificationTopic = topicName(namespace, 'notificationEvents');
  const consumer = createConsumer(kafka, rosterGroupId(namespace));
  await consumer.connect();
  await consumer.subscribe({ topics: [bookingTopic, notificationTopic], fromBeginning: true });
  await consumer.run({
    autoCommit: true,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 3,
    eachBatch: async ({ batch, resolveOffset, commitOffsetsIfNecessary, heartbeat, isRunning, isStale }) => {
      const isBooking = batch.topic === bookingTopic;
      for (let start = 0; start < batch.messages.length; start += chunkSize) {
        if (!isRunning() || isStale()) return;
        const chunk = batch.messages.slice(start, start + chunkSize);
        const inputs: RosterInput[] = [];
        for (const message of chunk) {
          const source = { topic: batch.topic, partition: batch.partition, message };
          const deadLetter = {
            producer,
            deadLetterTopic: topicName(
              namespace,
              isBooking ? 'bookingEventsDeadLetter' : 'notificationEventsDeadLetter',
            ),
            logger,
            onDeadLetter: () => events.inc({ type: 'malformed', outcome: 'dead-letter' }),
          };
          if (isBooking) {
            const event = await keepOrDeadLetter(
              parseMessage(BookingEvent, message.value),
              source,
              deadLetter,
            );
            if (event) inputs.push({ topic: 'booking', event });
          } else {
            const event = await keepOrDeadLetter(
              parseMessage(NotificationEvent, message.value),
              source,
              deadLetter,
            );
            if (event) inputs.push({ topic: 'notification', event });
          }
        }
        const outcome = await applyEvents.execute({ inputs });
        const nowMs = Date.now();
        for (const input of inputs) {
          lag.observe(Math.max(0, nowMs - Date.parse(input.event.occurredAt)) / 1000);
          events.inc({ type: input.event.type, outcome: 'seen' });
        }
        events.inc({ type: 'all', outcome: 'applied' }, outcome.applied);
        events.inc({ type: 'all', outcome: 'duplicate' }, outcome.duplicate);
        events.inc({ type: 'all', outcome: 'ignored' }, outcome.ignored);
        resolveOffset(chunk[chunk.length - 1]!.offset);
        await commitOffsetsIfNecessary();
        await heartbeat();
      }
    },
  });
  return consumer;
}
