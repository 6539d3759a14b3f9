import type { Kafka } from 'kafkajs';
import { adminSession } from './admin-session';

export interface KafkaProbe {
  /** Resolves when a broker answers a metadata request; rejects with why not. */
  check(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Whether the cluster answers, for the replica heartbeat (not readiness: producers keep their
 * outbox and consumers resume, so a Kafka outage must not take a service out of rotation).
 * One admin connection, opened on first use, no retries of its own: the heartbeat asks again
 * a few seconds later. A check already in flight is shared, never stacked behind a dead broker.
 */
export function createKafkaProbe(kafka: Kafka): KafkaProbe {
  const session = adminSession(kafka, 0);
  let inFlight: Promise<void> | undefined;
  let closed = false;

  const run = () =>
    session.run(async (admin) => {
      const { brokers } = await admin.describeCluster();
      if (brokers.length === 0) throw new Error('no broker in the cluster metadata');
    });

  return {
    check() {
      if (closed) return Promise.reject(new Error('probe closed'));
      inFlight ??= run().finally(() => (inFlight = undefined));
      return inFlight;
    },
    async close() {
      closed = true;
      await inFlight?.catch(() => undefined);
      await session.close();
    },
  };
}
