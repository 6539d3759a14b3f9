/**
 * Every Kafka topic khiw uses, with partitions and replication stated explicitly.
 * `infra/local` creates them on the local broker; k8s/ and docker-compose.yml create the same.
 * A namespace (KHIW_NAMESPACE) prefixes names so that tests can run side by side on one broker.
 */
export const TOPICS = {
  bookingEvents: 'booking.events',
  bookingEventsDeadLetter: 'booking.events.dlq',
  notificationEvents: 'notification.events',
  notificationEventsDeadLetter: 'notification.events.dlq',
  /** CheckedIn from the roster service (packages/contracts/src/roster-events.ts). */
  rosterEvents: 'roster.events',
} as const;

export type TopicKey = keyof typeof TOPICS;

export interface TopicSpec {
  name: string;
  numPartitions: number;
  replicationFactor: number;
  configEntries: { name: string; value: string }[];
}

/** Partitions bound consumer parallelism: 12 lets up to 12 notification or roster replicas share a topic. */
export function topicSpecs(
  namespace: string,
  { replicationFactor = 1, partitions = 12 }: { replicationFactor?: number; partitions?: number } = {},
): TopicSpec[] {
  const minIsr = String(Math.max(1, replicationFactor - 1));
  return (Object.keys(TOPICS) as TopicKey[]).map((key) => ({
    name: topicName(namespace, key),
    numPartitions: key.endsWith('DeadLetter') ? 1 : partitions,
    replicationFactor,
    configEntries: [
      { name: 'min.insync.replicas', value: minIsr },
      { name: 'retention.ms', value: String(14 * 24 * 3600 * 1000) },
    ],
  }));
}

export function topicName(namespace: string, key: TopicKey): string {
  return qualifyTopic(namespace, TOPICS[key]);
}

/** The broker-side name of a logical topic name such as `booking.events`. */
export function qualifyTopic(namespace: string, logicalName: string): string {
  return namespace ? `${namespace}.${logicalName}` : logicalName;
}
