import { Kafka, logLevel, type Consumer, type Producer, type KafkaConfig, type LogEntry } from 'kafkajs';
import type { Logger } from '@khiw/observability';

export type { Consumer, EachMessagePayload, Kafka, Producer } from 'kafkajs';

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
 * Producer for events that must not be lost or duplicated by retries: idempotent, acks from
 * every in-sync replica (the `acks: -1` is set on each send by `sendEvents`).
 */
export function createProducer(kafka: Kafka): Producer {
  return kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
}

export function createConsumer(kafka: Kafka, groupId: string): Consumer {
  return kafka.consumer({
    groupId,
    allowAutoTopicCreation: false,
    sessionTimeout: 30_000,
    heartbeatInterval: 3000,
    // Short fetch waits keep event-to-roster/SMS latency low and let disconnect() return quickly.
    maxWaitTimeInMs: 500,
    retry: { retries: 10 },
  });
}
