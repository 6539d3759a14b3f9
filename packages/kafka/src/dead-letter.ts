import type { KafkaMessage, Producer } from 'kafkajs';

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
