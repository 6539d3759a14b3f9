import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { REPO_ROOT } from '../../infra/local/services';

export { eventually } from '../../infra/local/eventually';

/** Set by test/global-setup.ts: the migrated integration-test database. */
export const TEST_DATABASE_URL =
  process.env.KHIW_TEST_DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/khiw_test';
export const REDIS_URL = 'redis://127.0.0.1:6379';
export const KAFKA_BROKERS = '127.0.0.1:9092';
export const SAMPLE_CAMPAIGN_FILE = path.resolve(REPO_ROOT, 'campaigns/samut-sakhon-2021.json');

/** A fresh namespace per test file: its own queues, topics and consumer groups. */
export function uniqueNamespace(label: string): string {
  return `t-${label}-${randomBytes(3).toString('hex')}`;
}

/** The sample campaign under another id (and optionally a smaller grid), so tests never collide. */
export function sampleCampaign(id: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const sample = JSON.parse(readFileSync(SAMPLE_CAMPAIGN_FILE, 'utf8')) as Record<string, unknown>;
  return { ...sample, id, ...overrides };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address() as net.AddressInfo;
      server.close(() => resolve(address.port));
    });
  });
}

/** `count` consecutive free ports, for something that numbers its ports from a base. */
export async function freePortRange(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 30_000);
    const free = await Promise.all(Array.from({ length: count }, (_, i) => isFree(base + i)));
    if (free.every(Boolean)) return base;
  }
  throw new Error(`no ${count} consecutive free ports found`);
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A valid Thai citizen ID (check digit computed) from a 12-digit body. */
export function citizenIdFrom(body12: string): string {
  const digits = body12.split('').map(Number);
  const sum = digits.reduce((acc, d, i) => acc + d * (13 - i), 0);
  return `${body12}${(11 - (sum % 11)) % 10}`;
}

export function randomCitizenId(): string {
  const body = `1${Array.from({ length: 11 }, () => Math.floor(Math.random() * 10)).join('')}`;
  return citizenIdFrom(body);
}

export function randomMobile(): string {
  return `+6689${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
}
