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
