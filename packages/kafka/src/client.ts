import {
  Kafka,
  logLevel,
  Partitioners,
  type Consumer,
  type Producer,
  type KafkaConfig,
  type LogEntry,
} from 'kafkajs';
import type { Logger } from '@khiw/observability';

const levelNames: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

export function createKafka({
  brokers,
  clientId,
  logger,
  extra,
}: {
  brokers: string[];
  clientId: string;
  logger: Logger;
  extra?: Partial<KafkaConfig>;
}): Kafka {
  const kafkaLogger = logger.child({ component: 'kafkajs' });
  return new Kafka({
    brokers,
    clientId,
    connectionTimeout: 3000,
    retry: { initialRetryTime: 200, retries: 8, maxRetryTime: 5000 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log }: LogEntry) => {
        const { message, ...fields } = log;
        kafkaLogger[levelNames[level] ?? 'info'](fields, message);
      },
    ...extra,
  });
}

/**
 * Producer for events that must not be lost: acks from every in-sync replica (each send sets
 * `acks: -1`), one request in flight so a retry never overtakes what follows it. Not
 * idempotent: when Kafka dies after appending a batch but before acknowledging it, kafkajs
 * rolls its sequence numbers back, while the relay's next batch holds other rows (an outbox
 * row committed late has a lower `seq`); the broker then refuses every later batch as out of
 * order and the relay never publishes again (seen in booking-concurrency.int.test.ts). Without
 * idempotence that batch reaches Kafka twice, which consumers absorb by event id, as they do
 * a relay that crashed between send and commit. The partitioner is named so kafkajs stops
 * warning that its default changed in 2.0; it is that default (murmur2, as Java clients),
 * which khiw has always used, so a booking id keeps the partition its earlier events are on.
 */
export function createProducer(kafka: Kafka): Producer {
  return kafka.producer({
    idempotent: false,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
}

/**
 * `sessionTimeout` 10 s (Kafka's classic default, kafkajs' is 30 s): when a broker dies, kafkajs
 * may crash the consumer (`KafkaJSNoBrokerAvailableError`) and restart it as a NEW group member;
 * the coordinator then holds the group's rebalance until the old member's session expires. For
 * 30 s the group consumed nothing and `disconnect()` hung past the services' 20 s shutdown
 * deadline (kafka-broker-kill.int.test.ts). Heartbeats go after every chunk, well within 10 s.
 */
export function createConsumer(kafka: Kafka, groupId: string): Consumer {
  return kafka.consumer({
    groupId,
    allowAutoTopicCreation: false,
    sessionTimeout: 10_000,
    heartbeatInterval: 3000,
    // Short fetch waits keep event-to-roster/SMS latency low and let disconnect() return quickly.
    maxWaitTimeInMs: 500,
    retry: { retries: 10 },
  });
}
