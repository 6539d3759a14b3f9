export { createConsumer, createKafka, createProducer } from './client';
export { keepOrDeadLetter, sendToDeadLetter } from './dead-letter';
export { TOPICS, qualifyTopic, topicName, topicSpecs, type TopicKey, type TopicSpec } from './topics';
export {
  OutboxRelay,
  outboxRelayCounters,
  type OutboxDatabase,
  type OutboxRelayOptions,
  type OutboxTopic,
  type OutboxTransaction,
  type RelayCounter,
} from './outbox-relay';
export { createKafkaProbe, type KafkaProbe } from './kafka-probe';
export {
  CONSUMER_LAG_METRIC,
  topicLag,
  watchConsumerLag,
  type ConsumerLagOptions,
  type ConsumerLagWatch,
} from './consumer-lag';
export { watchOutboxAge, type OutboxAgeDatabase, type OutboxAgeOptions } from './outbox-age';
