import type { Admin, Kafka } from 'kafkajs';

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
  let admin: Admin | undefined;
  let connected = false;
  let inFlight: Promise<void> | undefined;
  let closed = false;

  const run = async () => {
    admin ??= kafka.admin({ retry: { retries: 0 } });
    if (!connected) {
      await admin.connect();
      connected = true;
    }
    try {
      const { brokers } = await admin.describeCluster();
      if (brokers.length === 0) throw new Error('no broker in the cluster metadata');
    } catch (error) {
      // Reconnect on the next check: kafkajs keeps a broken admin connection otherwise.
      connected = false;
      await admin.disconnect().catch(() => undefined);
      throw error;
    }
  };

  return {
    check() {
      if (closed) return Promise.reject(new Error('probe closed'));
      inFlight ??= run().finally(() => (inFlight = undefined));
      return inFlight;
    },
    async close() {
      closed = true;
      await inFlight?.catch(() => undefined);
      await admin?.disconnect().catch(() => undefined);
    },
  };
}
