import type { KafkaMessage, Producer } from 'kafkajs';
import type { Parsed } from '@khiw/contracts';
import type { Logger } from '@khiw/observability';

/**
 * Sends a message a consumer cannot use to the dead-letter topic with the reason and where it
 * came from, so the consumer moves on and nothing is lost.
 */
export async function sendToDeadLetter(
  producer: Producer,
  deadLetterTopic: string,
  source: { topic: string; partition: number; message: KafkaMessage },
  reason: string,
): Promise<void> {
  await producer.send({
    topic: deadLetterTopic,
    acks: -1,
    messages: [
      {
        key: source.message.key,
        value: source.message.value,
        headers: {
          ...source.message.headers,
          'x-dead-letter-reason': reason.slice(0, 1000),
          'x-source-topic': source.topic,
          'x-source-partition': String(source.partition),
          'x-source-offset': source.message.offset,
        },
      },
    ],
  });
}

/**
 * A consumer's message checked against its contract: the value when it matches; otherwise it
 * is logged, sent to `deadLetterTopic` with the reason, `onDeadLetter` runs (a metric), and
 * the answer is undefined, so the consumer skips it and moves on.
 */
export async function keepOrDeadLetter<T>(
  parsed: Parsed<T>,
  source: { topic: string; partition: number; message: KafkaMessage },
  deps: { producer: Producer; deadLetterTopic: string; logger: Logger; onDeadLetter?: () => void },
): Promise<T | undefined> {
  if (parsed.ok) return parsed.value;
  deps.logger.warn(
    {
      topic: source.topic,
      partition: source.partition,
      offset: source.message.offset,
      reason: parsed.reason,
    },
    'malformed event sent to the dead-letter topic',
  );
  await sendToDeadLetter(deps.producer, deps.deadLetterTopic, source, parsed.reason);
  deps.onDeadLetter?.();
  return undefined;
}
