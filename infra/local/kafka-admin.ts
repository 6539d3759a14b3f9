/**
 * Topic administration for the local Kafka broker (infra.sh up, and tests cleaning up).
 *
 *   node --import tsx infra/local/kafka-admin.ts wait
 *   node --import tsx infra/local/kafka-admin.ts create-topics <namespace>   ("" = default topics)
 *   node --import tsx infra/local/kafka-admin.ts delete-topics <namespace>
 *
 * The broker list comes from KAFKA_BROKERS (default 127.0.0.1:9092), like the services.
 */
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { topicSpecs } from '../../packages/kafka/src/topics';

const WAIT_TIMEOUT_MS = 60_000;

function envBrokers(): string[] {
  return (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092')
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
}

function createAdmin(quiet: boolean, brokers: string[]): Admin {
  return new Kafka({
    clientId: 'khiw-kafka-admin',
    brokers,
    connectionTimeout: 3_000,
    // While waiting for a starting broker, refused connections are expected: stay quiet.
    logLevel: quiet ? logLevel.NOTHING : logLevel.WARN,
    retry: { retries: quiet ? 0 : 5 },
  }).admin();
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Retries describeCluster until the broker answers; throws after `timeoutMs`. `brokers` defaults
 * to KAFKA_BROKERS (a test's private broker passes its own, here and below).
 */
export async function waitForBroker(
  timeoutMs = WAIT_TIMEOUT_MS,
  brokers = envBrokers(),
): Promise<{ clusterId: string; ms: number }> {
  const start = Date.now();
  let lastError: unknown;
  while (Date.now() - start < timeoutMs) {
    const admin = createAdmin(true, brokers);
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      if (cluster.brokers.length > 0 && cluster.controller !== null) {
        return { clusterId: cluster.clusterId, ms: Date.now() - start };
      }
      lastError = new Error('broker answered without a controller yet');
    } catch (error) {
      lastError = error;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    await sleep(500);
  }
  throw new Error(
    `Kafka at ${brokers.join(',')} did not answer within ${timeoutMs / 1000} s: ${String(lastError)}`,
  );
}

async function withAdmin<T>(brokers: string[], work: (admin: Admin) => Promise<T>): Promise<T> {
  await waitForBroker(WAIT_TIMEOUT_MS, brokers);
  const admin = createAdmin(false, brokers);
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.disconnect();
  }
}

/** Creates the namespace's topics that do not exist yet; returns the names it created. */
export async function createTopics(namespace: string, brokers = envBrokers()): Promise<string[]> {
  return withAdmin(brokers, async (admin) => {
    const specs = topicSpecs(namespace);
    const existing = new Set(await admin.listTopics());
    const missing = specs.filter((spec) => !existing.has(spec.name));
    if (missing.length > 0) {
      await admin.createTopics({
        topics: missing.map(({ name, ...rest }) => ({ topic: name, ...rest })),
        validateOnly: false,
        waitForLeaders: true,
        timeout: 30_000,
      });
    }
    // A topic that exists with fewer partitions than its spec (spec raised later) is grown;
    // partitions can never be removed, so more than the spec is only reported.
    const present = specs.filter((spec) => existing.has(spec.name));
    if (present.length > 0) {
      const { topics } = await admin.fetchTopicMetadata({ topics: present.map((s) => s.name) });
      for (const spec of present) {
        const count = topics.find((t) => t.name === spec.name)?.partitions.length ?? 0;
        if (count < spec.numPartitions) {
          await admin.createPartitions({
            topicPartitions: [{ topic: spec.name, count: spec.numPartitions }],
          });
          console.log(`kafka-admin: ${spec.name}: partitions ${count} -> ${spec.numPartitions}`);
        } else if (count > spec.numPartitions) {
          console.warn(`kafka-admin: ${spec.name} has ${count} partitions, spec says ${spec.numPartitions}`);
        }
      }
    }
    return missing.map((spec) => spec.name);
  });
}

/** Deletes every topic of a (non-empty) namespace, i.e. every topic named `<namespace>.*`. */
export async function deleteTopics(namespace: string, brokers = envBrokers()): Promise<string[]> {
  if (!namespace) throw new Error('delete-topics needs a namespace: the default topics are never deleted');
  return withAdmin(brokers, async (admin) => {
    const topics = (await admin.listTopics()).filter((name) => name.startsWith(`${namespace}.`));
    if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 30_000 });
    return topics;
  });
}

async function main(argv: string[]): Promise<void> {
  const [command, namespace = ''] = argv;
  const label = namespace ? `namespace "${namespace}"` : 'default topics';
  switch (command) {
    case 'wait': {
      const { clusterId, ms } = await waitForBroker();
      console.log(`kafka-admin: broker answers (cluster ${clusterId}) after ${(ms / 1000).toFixed(1)} s`);
      return;
    }
    case 'create-topics': {
      const created = await createTopics(namespace);
      const all = topicSpecs(namespace).map((s) => s.name);
      console.log(
        `kafka-admin: ${label}: ${created.length ? `created ${created.join(', ')}` : 'nothing to create'}` +
          ` (${all.length} topics present)`,
      );
      return;
    }
    case 'delete-topics': {
      const deleted = await deleteTopics(namespace);
      console.log(`kafka-admin: ${label}: deleted ${deleted.length ? deleted.join(', ') : 'nothing'}`);
      return;
    }
    default:
      console.error('usage: kafka-admin.ts wait | create-topics <namespace> | delete-topics <namespace>');
      process.exitCode = 2;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(`kafka-admin: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
}
