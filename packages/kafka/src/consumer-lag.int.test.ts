import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Consumer, Kafka, Producer } from 'kafkajs';
import { createLogger, createMetricsRegistry } from '@khiw/observability';
import { createTopics, deleteTopics } from '../../../infra/local/kafka-admin';
import { eventually, KAFKA_BROKERS, uniqueNamespace } from '../../../test/support/env';
import { createConsumer, createKafka, createProducer } from './client';
import { CONSUMER_LAG_METRIC, watchConsumerLag, type ConsumerLagWatch } from './consumer-lag';
import { topicName } from './topics';

/** The lag gauge against the real broker: messages nobody read show as lag, then a consumer reads them. */
const logger = createLogger({ service: 'consumer-lag-test', level: 'silent' });
const namespace = uniqueNamespace('lag');
const topic = topicName(namespace, 'bookingEvents');
const groupId = `${namespace}.lag-reader`;

let kafka: Kafka;
let producer: Producer;
let consumer: Consumer | undefined;
let watch: ConsumerLagWatch | undefined;

beforeAll(async () => {
  await createTopics(namespace);
  kafka = createKafka({ brokers: [KAFKA_BROKERS], clientId: 'consumer-lag-test', logger });
  producer = createProducer(kafka);
  await producer.connect();
});

afterAll(async () => {
  await watch?.close();
  await consumer?.disconnect();
  await producer?.disconnect();
  await deleteTopics(namespace).catch(() => undefined);
});

describe('watchConsumerLag', () => {
  it('shows what the group has not read yet, and 0 once it has', async () => {
    const registry = createMetricsRegistry('lag-test');
    const lag = async () => {
      await watch!.refresh();
      const { values } = await registry.getSingleMetric(CONSUMER_LAG_METRIC)!.get();
      return values.find((v) => v.labels.group === groupId && v.labels.topic === topic)?.value;
    };
    await producer.send({
      topic,
      acks: -1,
      messages: Array.from({ length: 7 }, (_, i) => ({ key: `booking-${i}`, value: `{"n":${i}}` })),
    });

    // No member and no commit yet: everything on the topic is lag. That is 7, or more when the
    // producer retried a send on a broker still electing leaders (at least once: not
    // idempotent, see createProducer), so count what the topic holds. (A round may fail while
    // the new topic's partition leaders settle; the next one reads it.)
    const admin = kafka.admin();
    await admin.connect();
    const onTopic = (await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect())).reduce(
      (sum, p) => sum + Number(p.high) - Number(p.low),
      0,
    );
    expect(onTopic).toBeGreaterThanOrEqual(7);
    watch = watchConsumerLag({ kafka, groupId, topics: [topic], registry, logger, intervalMs: 60_000 });
    await eventually(
      async () => (await lag()) === onTopic,
      30_000,
      `a lag of ${onTopic} before anyone reads`,
    );

    let read = 0;
    consumer = createConsumer(kafka, groupId);
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async () => void read++ });
    await eventually(async () => read >= onTopic, 60_000, 'the consumer to read every message');
    await eventually(async () => (await lag()) === 0, 30_000, 'the lag to reach 0 after the commits');

    const text = await registry.metrics();
    expect(text).toContain(
      `${CONSUMER_LAG_METRIC}{group="${groupId}",topic="${topic}",service="lag-test"} 0`,
    );
  });
});
