import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect } from '@jest/globals';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createLogger } from '@khiw/observability';
import { closeRedis, createRedisClient, type Redis } from '@khiw/redis';
import { REPO_ROOT } from '../../../../infra/local/services';
import { REDIS_URL, sampleCampaign, TEST_DATABASE_URL, uniqueNamespace } from '../../../../test/support/env';
import { startService, type RunningService } from '../../../../test/support/services';
import { generateSigningKey, privateKeyPem } from '../../src/waiting-room/tokens/keyring';
import { launchChromium } from './browser-support';

const run = promisify(execFile);

export interface Phone {
  context: BrowserContext;
  page: Page;
  /** Uncaught errors of the page: a test ends expecting none. */
  errors: string[];
}

export interface BookPageEnv<N extends string> {
  namespace: string;
  /** Each campaign's id, by the name the test gave it. */
  ids: Record<N, string>;
  redis: Redis;
  worker: RunningService;
  browser: Browser;
  base: string;
  /** A phone admitted through the real queue page, handed over to the form by its link. */
  admittedPhone(campaignId: string, width: number): Promise<Phone>;
}

/**
 * The booking form's browser tests' world: the sample campaign under the test's ids (each with
 * its overrides, e.g. a small grid), loaded by the ops command, the real booking worker (no
 * outbox relay: the page needs the booking, not its Kafka event) and the real gateway letting
 * everyone in at once. Registers its own beforeAll/afterAll; the fields are set in beforeAll.
 */
export function bookPageEnv<N extends string>(
  label: string,
  campaigns: Record<N, Record<string, unknown>>,
): BookPageEnv<N> {
  const namespace = uniqueNamespace(label);
  const suffix = namespace.slice(-6);
  const names = Object.keys(campaigns) as N[];
  const ids = Object.fromEntries(names.map((name) => [name, `${label}-${name}-${suffix}`])) as Record<
    N,
    string
  >;
  const files = names.map((name) => path.join(os.tmpdir(), `${ids[name]}.json`));
  const signingKey = generateSigningKey(`${label}-test`);
  let gateway: RunningService | undefined;
  const env = { namespace, ids, admittedPhone } as BookPageEnv<N>;

  async function admittedPhone(campaignId: string, width: number): Promise<Phone> {
    const context = await env.browser.newContext({ viewport: { width, height: 760 }, locale: 'th-TH' });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${env.base}/queue/?campaign=${campaignId}`);
    await page.locator('#view-admitted').waitFor({ state: 'visible', timeout: 60_000 });
    await page.click('#continue');
    await page.waitForURL(`**/book/?campaign=${campaignId}`);
    await page.locator('#view-choose').waitFor({ state: 'visible' });
    return { context, page, errors };
  }

  beforeAll(async () => {
    env.redis = createRedisClient({
      url: REDIS_URL,
      name: 'test',
      logger: createLogger({ service: 'test', level: 'silent' }),
    });
    const runEnv = { ...process.env, DATABASE_URL: TEST_DATABASE_URL, REDIS_URL, KHIW_NAMESPACE: namespace };
    for (const [i, name] of names.entries()) {
      const file = files[i]!;
      const opensAt = new Date(Date.now() - 60_000).toISOString();
      writeFileSync(file, JSON.stringify(sampleCampaign(ids[name], { opensAt, ...campaigns[name] })));
      await run(
        process.execPath,
        ['--import', 'tsx', 'services/booking-worker/src/cli/load-campaign.ts', file],
        {
          cwd: REPO_ROOT,
          env: runEnv,
        },
      );
    }
    env.worker = await startService('booking-worker', namespace, { OUTBOX_RELAY_ENABLED: 'false' });
    gateway = await startService('gateway', namespace, {
      GATEWAY_SIGNING_KEY: privateKeyPem(signingKey),
      GATEWAY_SIGNING_KEY_ID: signingKey.kid,
      BOOKING_API_URL: `http://127.0.0.1:${env.worker.port}`,
      // Everyone is let in at once: these tests are about the form, not the queue.
      WAITING_ROOM_OUTFLOW_PER_MINUTE: '6000',
      WAITING_ROOM_POW_DIFFICULTY: '0',
      WAITING_ROOM_TICK_MS: '200',
    });
    env.base = `http://127.0.0.1:${gateway.port}`;
    env.browser = await launchChromium();
  });

  afterAll(async () => {
    await env.browser?.close();
    const codes = [];
    if (gateway) codes.push(await gateway.stop());
    if (env.worker) codes.push(await env.worker.stop());
    for (const file of files) rmSync(file, { force: true });
    let cursor = '0';
    do {
      const [next, keys] = await env.redis.scan(cursor, 'MATCH', `${namespace}:*`, 'COUNT', 1000);
      if (keys.length) await env.redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
    await closeRedis(env.redis);
    expect(codes.every((code) => code === 0)).toBe(true);
  });

  return env;
}
