import type { Consumer, Kafka, Producer } from 'kafkajs';
import { BookingEvent, parseMessage } from '@khiw/contracts';
import { createConsumer, keepOrDeadLetter, topicName } from '@khiw/kafka';
import type { Logger } from '@khiw/observability';
import type { NotificationMetrics } from '../metrics';
import type { NotifyBookingEvents } from './notify-booking-events.usecase';

export interface BookingEventsConsumerOptions {
  kafka: Kafka;
  producer: Producer;
  notify: NotifyBookingEvents;
  namespace: string;
  logger: Logger;
  metrics: NotificationMetrics;
  /** Messages handled (written and queued) together; offsets are committed after each chunk. */
  chunkSize?: number;
  partitionsConsumedConcurrently?: number;
}

export const notificationGroupId = (namespace: string) => `${namespace ? `${namespace}.` : ''}notification`;

/**
 * The consumer group on booking.events. Each fetched batch is handled in chunks: malformed
 * messages go to the dead-letter topic with the reason, the rest become messages and SMS jobs
 * (NotifyBookingEvents), and only then are the chunk's offsets resolved and committed. A
 * crash before the commit replays the chunk, which writes and queues nothing new.
 */
export async function startBookingEventsConsumer(options: BookingEventsConsumerOptions): Promise<Consumer> {
  const { kafka, producer, notify, namespace, logger, metrics, chunkSize = 250 } = options;
  const consumer = createConsumer(kafka, notificationGroupId(namespace));
  const topic = topicName(namespace, 'bookingEvents');
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 4,
    eachBatch: async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }) => {
      for (let start = 0; start < batch.messages.length; start += chunkSize) {
        if (!isRunning() || isStale()) return;
        const chunk = batch.messages.slice(start, start + chunkSize);
        const events: BookingEvent[] = [];
        for (const message of chunk) {
          const event = await keepOrDeadLetter(
            parseMessage(BookingEvent, message.value),
            { topic: batch.topic, partition: batch.partition, message },
            {
              producer,
              deadLetterTopic: topicName(namespace, 'bookingEventsDeadLetter'),
              logger,
              onDeadLetter: () => metrics.events.inc({ type: 'malformed', outcome: 'dead-letter' }),
            },
          );
          if (event) events.push(event);
        }
        const outcomes = await notify.execute({ events });
        events.forEach((event, i) =>
          metrics.events.inc({ type: event.type, outcome: outcomes[i] ?? 'queued' }),
        );
        resolveOffset(chunk[chunk.length - 1]!.offset);
        await commitOffsetsIfNecessary();
        await heartbeat();
      }
    },
  });
  return consumer;
}
