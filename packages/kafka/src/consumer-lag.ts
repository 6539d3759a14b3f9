import type { Kafka } from 'kafkajs';
import { Gauge, refreshEvery, type Logger, type Registry } from '@khiw/observability';
import { adminSession } from './admin-session';

export const CONSUMER_LAG_METRIC = 'khiw_kafka_consumer_lag';

/** A partition's first and next offsets (kafkajs `fetchTopicOffsets`: int64 as strings). */
export interface PartitionEnds {
  partition: number;
  low: string;
  high: string;
}

/** The group's committed offset of a partition; `-1` when it has committed none. */
export interface CommittedOffset {
  partition: number;
  offset: string;
}

/**
 * Messages a group has still to read on one topic: per partition, the next offset minus the
 * committed one. With nothing committed the group starts from the first message kept (khiw's
 * consumers subscribe `fromBeginning`), and a committed offset that retention has passed
 * counts from there too, so the lag is what is actually left to read.
 */
export function topicLag(ends: PartitionEnds[], committed: CommittedOffset[]): number {
  const offsets = new Map(committed.map((c) => [c.partition, Number(c.offset)]));
  let lag = 0;
  for (const { partition, low, high } of ends) {
    const offset = offsets.get(partition) ?? -1;
    const from = offset >= 0 ? Math.max(offset, Number(low)) : Number(low);
    lag += Math.max(0, Number(high) - from);
  }
  return lag;
}

export interface ConsumerLagOptions {
  kafka: Kafka;
  groupId: string;
  /** Broker-side topic names the group consumes. */
  topics: string[];
  registry: Registry;
  logger: Logger;
  /** Default 2 s: the ops console's heartbeat reads it every 2 s. */
  intervalMs?: number;
}

export interface ConsumerLagWatch {
  /** Reads the offsets now (tests). */
  refresh(): Promise<void>;
  /** Stops reading and closes the admin connection; safe to call twice. */
  close(): Promise<void>;
}

/**
 * `khiw_kafka_consumer_lag{group,topic}`: how many messages the whole group has still to read,
 * per topic, from the broker's committed offsets (an admin client of its own), not from this
 * replica's assignment: every replica of a group reports the same figure, and it still rises
 * while the group rebalances or has no member left. Aggregate replicas with max, not sum.
 */
export function watchConsumerLag(options: ConsumerLagOptions): ConsumerLagWatch {
  const { kafka, groupId, topics, registry, logger } = options;
  const gauge =
    (registry.getSingleMetric(CONSUMER_LAG_METRIC) as Gauge<'group' | 'topic'> | undefined) ??
    new Gauge({
      name: CONSUMER_LAG_METRIC,
      help: 'Messages a consumer group has still to read, per topic (the whole group; max over replicas)',
      labelNames: ['group', 'topic'],
      registers: [registry],
    });
  const session = adminSession(kafka, 1);
  const read = () =>
    session.run(async (admin) => {
      const committed = await admin.fetchOffsets({ groupId, topics });
      for (const topic of topics) {
        const ends = await admin.fetchTopicOffsets(topic);
        const partitions = committed.find((t) => t.topic === topic)?.partitions ?? [];
        gauge.set({ group: groupId, topic }, topicLag(ends, partitions));
      }
    });
  const refresh = refreshEvery({
    what: `consumer lag of ${groupId}`,
    refresh: read,
    intervalMs: options.intervalMs ?? 2000,
    logger,
  });

  let closing: Promise<void> | undefined;
  return {
    refresh: () => refresh.now(),
    close() {
      closing ??= (async () => {
        await refresh.close();
        await session.close();
      })();
      return closing;
    },
  };
}
