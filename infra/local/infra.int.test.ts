import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { topicSpecs } from '../../packages/kafka/src/topics';
import { eventually } from './eventually';
import { readFakesmscMessages } from './fakesmsc-log';

// Runs against the infrastructure `infra.sh up` brings up (pnpm infra:up).
const REPO = resolve(__dirname, '../..');
const INFRA = join(__dirname, 'infra.sh');
const RUN_DIR = join(REPO, '.local/run');
const SENDSMS = 'http://127.0.0.1:13013/cgi-bin/sendsms';
const COMPONENTS = ['postgres', 'redis', 'kafka', 'bearerbox', 'fakesmsc', 'smsbox'];

const exec = promisify(execFile);
const run = (args: string[]) => exec('bash', [INFRA, ...args], { cwd: REPO, timeout: 110_000 });
const kafkaAdmin = (args: string[]) =>
  exec(process.execPath, ['--import', 'tsx', 'infra/local/kafka-admin.ts', ...args], {
    cwd: REPO,
    timeout: 90_000,
  });

const DAEMONS = ['kafka', 'bearerbox', 'fakesmsc', 'smsbox'];

/** The pids infra.sh recorded for the processes it runs itself. */
async function daemonPids(): Promise<Record<string, string>> {
  const pids: Record<string, string> = {};
  for (const name of DAEMONS) pids[name] = (await readFile(join(RUN_DIR, `${name}.pid`), 'utf8')).trim();
  return pids;
}

describe('infra.sh', () => {
  it('up a second time changes nothing: exit 0, same processes', async () => {
    await run(['up']);
    const before = await daemonPids();
    for (const name of DAEMONS) expect(before[name]).toMatch(/^\d+$/);

    const { stdout } = await run(['up']);
    expect(stdout).not.toMatch(/starting|restarting/);
    expect(stdout).toMatch(/all up in \d+s/);
    expect(await daemonPids()).toEqual(before);
  });

  it('status reports every component healthy', async () => {
    const { stdout } = await run(['status']);
    for (const name of COMPONENTS) expect(stdout).toMatch(new RegExp(`^${name}\\s+healthy\\s+pid \\d+`, 'm'));
    // `up` leaves Redis persisting (an accepted booking request is a job in Redis): AOF, everysec.
    expect(stdout).toMatch(/^redis\s+healthy.*AOF yes, appendfsync everysec/m);
  });
});

describe('Kannel with fakesmsc', () => {
  const dlrStatuses: number[] = [];
  let server: Server;
  let dlrUrl: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const status = new URL(req.url ?? '/', 'http://x').searchParams.get('status');
      if (status !== null) dlrStatuses.push(Number(status));
      res.end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    dlrUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/dlr?status=%d`;
  });

  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });

  it('sends Thai text as UCS-2, calls the dlr-url with 8 then 1, and fakesmsc gets the exact text', async () => {
    const tag = randomBytes(3).toString('hex');
    const text = `ยืนยันนัดฉีดวัคซีน ${tag} วันที่ 5 ธ.ค. เวลา 09:30 น.`;
    const to = `+6681${String(parseInt(tag, 16) % 10_000_000).padStart(7, '0')}`;
    const query = new URLSearchParams({
      username: 'khiw',
      password: 'khiw',
      from: 'khiw',
      to,
      text,
      charset: 'UTF-8',
      coding: '2',
      'dlr-mask': '31',
      'dlr-url': dlrUrl,
    });

    const response = await fetch(`${SENDSMS}?${query.toString()}`);
    expect(await response.text()).toMatch(/Accepted for delivery/);
    expect(response.status).toBe(202);

    await eventually(async () => dlrStatuses.length >= 2, 20_000, 'two delivery reports');
    expect(dlrStatuses).toEqual([8, 1]);

    const received = await eventually(
      async () => (await readFakesmscMessages()).find((m) => m.to === to),
      20_000,
      'the message in the fakesmsc log',
    );
    expect(received).toMatchObject({ from: 'khiw', to, text });
  });
});

describe('kafka-admin.ts', () => {
  const namespace = `infra-test-${randomBytes(4).toString('hex')}`;
  const kafka = new Kafka({
    clientId: 'infra-int-test',
    brokers: ['127.0.0.1:9092'],
    logLevel: logLevel.WARN,
  });
  const admin = kafka.admin();

  beforeAll(() => admin.connect());
  afterAll(async () => {
    await kafkaAdmin(['delete-topics', namespace]).catch(() => undefined);
    await admin.disconnect();
  });

  it('creates a namespace’s topics once, with their partitions, and deletes them', async () => {
    const specs = topicSpecs(namespace);
    const first = await kafkaAdmin(['create-topics', namespace]);
    expect(first.stdout).toMatch(/created/);
    const again = await kafkaAdmin(['create-topics', namespace]);
    expect(again.stdout).toMatch(/nothing to create/);

    const { topics } = await admin.fetchTopicMetadata({ topics: specs.map((s) => s.name) });
    expect(topics.map((t) => [t.name, t.partitions.length]).sort()).toEqual(
      specs.map((s) => [s.name, s.numPartitions]).sort(),
    );

    const deleted = await kafkaAdmin(['delete-topics', namespace]);
    expect(deleted.stdout).toMatch(/deleted/);
    await eventually(
      async () => (await admin.listTopics()).every((name) => !name.startsWith(`${namespace}.`)),
      20_000,
      'the topics to disappear',
    );
  });

  it('refuses to delete the default topics', async () => {
    await expect(kafkaAdmin(['delete-topics', ''])).rejects.toMatchObject({ code: 1 });
    expect(await admin.listTopics()).toEqual(expect.arrayContaining(topicSpecs('').map((s) => s.name)));
  });
});
