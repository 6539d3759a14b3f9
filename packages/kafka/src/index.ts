export { createConsumer, createKafka, createProducer } from './client';
export type { Consumer, EachMessagePayload, Kafka, Producer } from './client';
export { keepOrDeadLetter, sendToDeadLetter } from './dead-letter';
export { TOPICS, qualifyTopic, topicName, topicSpecs, type TopicKey, type TopicSpec } from './topics';
export { PublishLoop, type PublishLoopOptions } from './publish-loop';
