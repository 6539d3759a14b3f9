import type { Admin, Kafka } from 'kafkajs';

export interface AdminSession {
  /** Runs `work` on the admin connection, opened on first use and after a failure. */
  run<T>(work: (admin: Admin) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * One kafkajs admin connection for periodic reads (the heartbeat's Kafka probe, the consumer
 * lag gauge): few retries of its own, since the next round comes in seconds and a dead broker
 * must not stack rounds; after a failure it disconnects, because kafkajs keeps a broken admin
 * connection otherwise, and the next run connects afresh.
 */
export function adminSession(kafka: Kafka, retries: number): AdminSession {
  let admin: Admin | undefined;
  let connected = false;
  return {
    async run(work) {
      admin ??= kafka.admin({ retry: { retries } });
      try {
        if (!connected) {
          await admin.connect();
          connected = true;
        }
        return await work(admin);
      } catch (error) {
        connected = false;
        await admin.disconnect().catch(() => undefined);
        throw error;
      }
    },
    async close() {
      await admin?.disconnect().catch(() => undefined);
    },
  };
}
