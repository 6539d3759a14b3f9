import type { Queue } from 'bullmq';
import { BookingEvent, parseMessage, SmsJob } from '@khiw/contracts';
import type { PrismaClient } from '@khiw/db';
import { createConsumer, sendToDeadLetter, topicName, type Kafka, type Producer } from '@khiw/kafka';
import type { Counter, Logger } from '@khiw/observability';
import { ucs2Segments } from '@khiw/thai';
import { confirmationText } from './templates';

export interface BookingEventsConsumerOptions {
  kafka: Kafka;
  producer: Producer;
  prisma: PrismaClient;
  smsQueue: Queue;
  namespace: string;
  logger: Logger;
  metrics: { events: Counter };
}

/**
 * Turns booking events into SMS jobs. The job id is the event id and the message row is keyed
 * by it too, so a redelivered event (rebalance, crash before commit) never sends twice. The
 * offset is committed only after `eachMessage` resolves, i.e. after the job is safely queued.
 */
export async function startBookingEventsConsumer(options: BookingEventsConsumerOptions) {
  const { kafka, producer, prisma, smsQueue, namespace, logger, metrics } = options;
  const consumer = createConsumer(kafka, `${namespace ? `${namespace}.` : ''}notification`);
  const topic = topicName(namespace, 'bookingEvents');
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic: from, partition, message }) => {
      const log = logger.child({ topic: from, partition, offset: message.offset });
      const parsed = parseMessage(BookingEvent, message.value);
      if (!parsed.ok) {
        log.warn({ reason: parsed.reason }, 'malformed booking event sent to dead letter');
        await sendToDeadLetter(
          producer,
          topicName(namespace, 'bookingEventsDeadLetter'),
          { topic: from, partition, message },
          parsed.reason,
        );
        metrics.events.inc({ type: 'malformed', outcome: 'dead-letter' });
        return;
      }
      const event = parsed.value;
      if (event.type !== 'BookingConfirmed') {
        metrics.events.inc({ type: event.type, outcome: 'ignored' });
        return;
      }
      const job = SmsJob.parse({
        schemaVersion: 1,
        smsId: event.eventId,
        bookingId: event.bookingId,
        campaignId: event.campaignId,
        kind: 'confirmation',
        phone: event.data.person.phone,
        text: confirmationText(event),
      });
      await prisma.smsMessage.createMany({
        data: [
          {
            id: job.smsId,
            bookingId: job.bookingId,
            campaignId: job.campaignId,
            kind: job.kind,
            phone: job.phone,
            text: job.text,
            segments: ucs2Segments(job.text),
            status: 'queued',
            provider: 'kannel',
          },
        ],
        skipDuplicates: true,
      });
      await smsQueue.add(job.kind, job, {
        jobId: job.smsId,
        attempts: 12,
        backoff: { type: 'exponential', delay: 1000, jitter: 0.5 },
        removeOnComplete: { age: 7 * 24 * 3600 },
        removeOnFail: false,
      });
      metrics.events.inc({ type: event.type, outcome: 'queued' });
      log.debug({ eventId: event.eventId }, 'sms queued');
    },
  });
  return consumer;
}
