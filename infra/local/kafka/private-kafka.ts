/**
 * A private single-node Kafka broker (KRaft) on free ports with its own data directory, run the
 * way infra.sh runs the shared one (same jars under .local/kafka/lib, same
 * server.properties.template, same log4j settings). Fault tests kill this one with SIGKILL,
 * never the shared broker on 9092 that everyone else's tests use.
 *
 *   const kafka = await startPrivateKafka();
 *   ... KAFKA_BROKERS = kafka.brokers ...
 *   await kafka.kill();    // SIGKILL: no controlled shutdown, no flush
 *   await kafka.start();   // same ports, same data: log recovery, then it answers again
 *   await kafka.close();   // stops it and removes its directory; safe to call twice
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { waitForBroker } from '../kafka-admin';
import { freeStablePort } from '../stable-port';

const HERE = __dirname;
const LIB = resolve(HERE, '../../../.local/kafka/lib');
const TEMPLATE = resolve(HERE, 'server.properties.template');

export interface PrivateKafka {
  /** `127.0.0.1:<port>`, for KAFKA_BROKERS. */
  brokers: string;
  port: number;
  logFile: string;
  /** Starts the broker (again, after kill or stop) and waits until it answers with a controller. */
  start(): Promise<void>;
  /** SIGKILL to the broker's JVM; resolves once it has exited. */
  kill(): Promise<void>;
  /** SIGTERM (controlled shutdown), SIGKILL after 30 s. */
  stop(): Promise<void>;
  close(): Promise<void>;
}

/** A KRaft cluster id: 16 random bytes, base64url, as Kafka's Uuid.randomUuid (never a leading '-'). */
function clusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

function exited(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveExit) => child.once('exit', () => resolveExit()));
}

export async function startPrivateKafka(): Promise<PrivateKafka> {
  if (!existsSync(LIB)) {
    throw new Error(`Kafka jars not found in ${LIB}: run \`bash infra/local/infra.sh up\` once`);
  }
  const dir = await mkdtemp(join(tmpdir(), 'khiw-kafka-'));
  const port = await freeStablePort();
  let controllerPort = await freeStablePort();
  while (controllerPort === port) controllerPort = await freeStablePort();
  const values: Record<string, string> = {
    KAFKA_PORT: String(port),
    KAFKA_CONTROLLER_PORT: String(controllerPort),
    KAFKA_DATA_DIR: join(dir, 'data'),
  };
  const template = await readFile(TEMPLATE, 'utf8');
  const props = template.replace(/@([A-Z_]+)@/g, (match, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`unknown placeholder ${match} in ${TEMPLATE}`);
    return value;
  });
  const propsFile = join(dir, 'server.properties');
  // After a SIGKILL the controller refuses the restarted broker (DUPLICATE_BROKER_REGISTRATION)
  // until the dead incarnation's session expires: 9 s by default, 2 s here, so a test's
  // outage is what it injects and not a wait on this timer. Later keys win in a .properties file.
  const overrides = ['broker.session.timeout.ms=2000', 'broker.heartbeat.interval.ms=500'];
  await writeFile(propsFile, `${props}\n# private-kafka.ts\n${overrides.join('\n')}\n`);
  const logFile = join(dir, 'kafka.log');
  const brokers = `127.0.0.1:${port}`;
  // Smaller heap than the shared broker's: one test's topics, on a machine others share.
  const jvm = [
    '-Xms128m',
    '-Xmx384m',
    '-XX:+UseG1GC',
    '-XX:+ExitOnOutOfMemoryError',
    '-Djava.awt.headless=true',
  ];
  const java = (args: string[]) => {
    const fd = openSync(logFile, 'a');
    const child = spawn('java', [...jvm, '-cp', `${LIB}/*`, ...args], {
      stdio: ['ignore', fd, fd],
      cwd: dir,
    });
    closeSync(fd);
    return child;
  };
  const tail = async () => (await readFile(logFile, 'utf8').catch(() => '')).slice(-3000);

  const format = java(['kafka.tools.StorageTool', 'format', '-t', clusterId(), '-c', propsFile]);
  await exited(format);
  if (format.exitCode !== 0) throw new Error(`private kafka: storage format failed\n${await tail()}`);

  let broker: ChildProcess | undefined;
  let closed = false;
  const start = async () => {
    if (closed) throw new Error('private kafka: closed');
    broker = java([
      `-Dlog4j.configuration=file:${resolve(HERE, 'log4j.properties')}`,
      'kafka.Kafka',
      propsFile,
    ]);
    const child = broker;
    const died = exited(child).then(() => {
      throw new Error(`private kafka exited (${child.exitCode ?? child.signalCode}) during start-up`);
    });
    try {
      await Promise.race([waitForBroker(90_000, [brokers]), died]);
    } catch (error) {
      child.kill('SIGKILL');
      throw new Error(`${(error as Error).message}\n${await tail()}`, { cause: error });
    }
    died.catch(() => undefined);
  };
  const kill = async () => {
    broker?.kill('SIGKILL');
    await exited(broker);
  };
  const stop = async () => {
    const child = broker;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.kill('SIGTERM');
    await exited(child);
    clearTimeout(timer);
  };

  const kafka: PrivateKafka = {
    brokers,
    port,
    logFile,
    start,
    kill,
    stop,
    close: async () => {
      if (closed) return;
      closed = true;
      await kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
  try {
    await start();
  } catch (error) {
    await kafka.close();
    throw error;
  }
  return kafka;
}
