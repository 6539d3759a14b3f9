import { BookingEvent, parseMessage } from '@khiw/contracts';
import { createConsumer, sendToDeadLetter, topicName, type Kafka, type Producer } from '@khiw/kafka';
import type { Counter, Logger } from '@khiw/observability';
import type { ApplyBookingEvent } from './apply-booking-event.usecase';

/** Keeps the roster from `booking.events`; offsets are committed only after the write. */
export async function startRosterConsumer(options: {
  kafka: Kafka;
  producer: Producer;
  namespace: string;
  applyBookingEvent: ApplyBookingEvent;
  logger: Logger;
  events: Counter;
}) {
  const { kafka, producer, namespace, applyBookingEvent, logger, events } = options;
  const consumer = createConsumer(kafka, `${namespace ? `${namespace}.` : ''}roster`);
  await consumer.connect();
  await consumer.subscribe({ topic: topicName(namespace, 'bookingEvents'), fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, partition, message }) => {
      const parsed = parseMessage(BookingEvent, message.value);
      if (!parsed.ok) {
        logger.warn(
          { topic, partition, offset: message.offset, reason: parsed.reason },
          'malformed event to dead letter',
        );
        await sendToDeadLetter(
          producer,
          topicName(namespace, 'bookingEventsDeadLetter'),
          { topic, partition, message },
          parsed.reason,
        );
        events.inc({ type: 'malformed', outcome: 'dead-letter' });
        return;
      }
      const outcome = await applyBookingEvent.execute(parsed.value);
      events.inc({ type: parsed.value.type, outcome });
    },
  });
  return consumer;
}
