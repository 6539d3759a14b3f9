import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createPrismaClient, type PrismaClient } from '@khiw/db';
import { createLogger } from '@khiw/observability';
import { closeRedis, createRedisClient, type Redis } from '@khiw/redis';
import { REPO_ROOT } from '../../../../infra/local/services';
import { LoadCampaign } from '../../../booking-worker/src/campaigns/load-campaign.usecase';
import { publishCampaignSnapshot } from '../../../booking-worker/src/campaigns/campaign-snapshot';
import {
  eventually,
  REDIS_URL,
  sampleCampaign,
  TEST_DATABASE_URL,
  uniqueNamespace,
} from '../../../../test/support/env';
import { startService, type RunningService } from '../../../../test/support/services';
import { solveProofOfWork } from '../../src/waiting-room/proof-of-work';
import { generateSigningKey, Keyring, privateKeyPem } from '../../src/waiting-room/tokens/keyring';
import { QueueTokens } from '../../src/waiting-room/tokens/queue-tokens';
import { publishSnapshot } from '../waiting-room-fixtures';
import { launchChromium } from './browser-support';

const SCREENSHOT = path.join(REPO_ROOT, 'test-results', 'queue-page.png');
const PEOPLE_AHEAD = 5;

/**
 * The resident's queue page (services/gateway/public/queue) in Debian chromium against a
 * real gateway process and Redis: join, see the place, keep it across a second tab and a
 * reload, watch it move when ops raise the outflow, get admitted and handed to the form.
 */
describe('queue page in a browser', () => {
  const namespace = uniqueNamespace('queue-page');
  const campaignId = `queue-page-${namespace.slice(-6)}`;
  const signingKey = generateSigningKey('queue-page-test');
  const opsToken = new QueueTokens(new Keyring(signingKey), { ticketTtlSeconds: 3600 }).signOps({
    subject: 'queue-page-test',
    role: 'ops',
    ttlSeconds: 900,
  });
  let prisma: PrismaClient;
  let redis: Redis;
  let gateway: RunningService;
  let browser: Browser;
  let context: BrowserContext;
  let base: string;
  const gatewayEnv: Record<string, string> = {
    GATEWAY_SIGNING_KEY: privateKeyPem(signingKey),
    GATEWAY_SIGNING_KEY_ID: signingKey.kid,
    // The room starts still: nobody is let in until the operator says so.
    WAITING_ROOM_OUTFLOW_PER_MINUTE: '0',
    WAITING_ROOM_POW_DIFFICULTY: '8',
    WAITING_ROOM_TICK_MS: '500',
  };

  const api = async <T>(method: string, url: string, body?: unknown, token?: string): Promise<T> => {
    const response = await fetch(`${base}${url}`, {
      method,
      headers: {
        'Content-Type': 'application/json',
        ...(token && { Authorization: `Bearer ${token}` }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await response.json()) as T;
    if (!response.ok) throw new Error(`${method} ${url} → ${response.status} ${JSON.stringify(json)}`);
    return json;
  };
  const steer = (patch: Record<string, unknown>) =>
    api('PATCH', `/api/admin/campaigns/${campaignId}/waiting-room`, patch, opsToken);
  const roomState = () =>
    api<{ state: string; servingNumber: number; lastNumber: number }>(
      'GET',
      `/api/campaigns/${campaignId}/queue/state?t=${Date.now()}`,
    );
  const lastNumber = async () =>
    (
      await api<{ lastNumber: number }>(
        'GET',
        `/api/admin/campaigns/${campaignId}/stats`,
        undefined,
        opsToken,
      )
    ).lastNumber;
  /** What a scripted resident does: solve the challenge and join. */
  const joinByHttp = async () => {
    const { challenge, difficulty } = await api<{ challenge: string; difficulty: number }>(
      'GET',
      `/api/campaigns/${campaignId}/queue/challenge`,
    );
    return api<{ queueNumber: number }>('POST', `/api/campaigns/${campaignId}/queue`, {
      challenge,
      nonce: solveProofOfWork(challenge, difficulty),
    });
  };
  const text = (page: Page, selector: string) => page.locator(selector).innerText();
  const numberIn = async (page: Page, selector: string) =>
    Number((await text(page, selector)).replace(/\D/g, ''));
  const openQueuePage = async (inContext = context) => {
    const page = await inContext.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${base}/queue/?campaign=${campaignId}`);
    return { page, errors };
  };

  beforeAll(async () => {
    prisma = createPrismaClient(TEST_DATABASE_URL, { poolSize: 2 });
    redis = createRedisClient({
      url: REDIS_URL,
      name: 'test',
      logger: createLogger({ service: 'test', level: 'silent' }),
    });
    await new LoadCampaign(prisma).execute(
      sampleCampaign(campaignId, {
        opensAt: new Date(Date.now() - 60_000).toISOString(),
        slotGrid: { firstDay: '2021-08-02', days: 1, times: ['09:00'], capacityPerSlotPerSite: 5 },
      }),
    );
    await publishCampaignSnapshot(prisma, redis, namespace, campaignId);
    gateway = await startService('gateway', namespace, gatewayEnv);
    base = `http://127.0.0.1:${gateway.port}`;
    browser = await launchChromium();
    // A small phone: 320 CSS pixels wide.
    context = await browser.newContext({ viewport: { width: 320, height: 720 }, locale: 'th-TH' });
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    const code = await gateway?.stop();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${namespace}:*`, 'COUNT', 1000);
      if (keys.length) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
    await closeRedis(redis);
    await prisma?.$disconnect();
    expect(code).toBe(0);
  });

  it('joins, keeps its place across tabs and reloads, moves with the outflow, then hands over', async () => {
    await steer({ outflowPerMinute: 0, paused: false, powDifficulty: 8 });
    for (let i = 0; i < PEOPLE_AHEAD; i++) await joinByHttp();

    // 1. Open the page: it solves the proof-of-work, joins, and shows the place in Thai.
    const { page, errors } = await openQueuePage();
    await page.locator('#view-queue').waitFor({ state: 'visible' });
    const queueNumber = await numberIn(page, '#queue-number');
    expect(queueNumber).toBe(PEOPLE_AHEAD + 1);
    expect(await numberIn(page, '#position')).toBe(PEOPLE_AHEAD + 1);
    expect(await text(page, '#ahead')).toBe(`${PEOPLE_AHEAD} คน`);
    expect(await page.getAttribute('html', 'lang')).toBe('th');
    expect(await text(page, '#campaign-name')).toBe('จองวัคซีนซิโนฟาร์ม จังหวัดสมุทรสาคร');
    expect(await text(page, '#queue-title')).toBe('คุณอยู่ในคิวแล้ว');
    expect(await page.getAttribute('#announce', 'aria-live')).toBe('polite');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
    // Small on a slow phone: the page's own files (not the API answers) stay under 60 KB.
    const pageBytes = await page.evaluate(() =>
      [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')]
        .filter((entry) => !entry.name.includes('/api/'))
        .reduce((sum, entry) => sum + (entry as PerformanceResourceTiming).decodedBodySize, 0),
    );
    expect(pageBytes).toBeGreaterThan(0);
    expect(pageBytes).toBeLessThan(60 * 1024);

    // 2. A second tab shares the ticket: same number, and the room gave out no new one.
    const second = await openQueuePage();
    await second.page.locator('#view-queue').waitFor({ state: 'visible' });
    expect(await numberIn(second.page, '#queue-number')).toBe(queueNumber);
    expect(await lastNumber()).toBe(queueNumber);
    await second.page.close();

    // 3. English on request, remembered across a reload; the reload keeps the same number.
    await page.click('#lang [data-lang="en"]');
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await page.reload();
    await page.locator('#view-queue').waitFor({ state: 'visible' });
    expect(await text(page, '#queue-title')).toBe('You are in the queue');
    expect(await numberIn(page, '#queue-number')).toBe(queueNumber);
    expect(await lastNumber()).toBe(queueNumber);
    await page.click('#lang [data-lang="th"]');
    expect(await page.getAttribute('html', 'lang')).toBe('th');

    // 4. Ops let a few people in, then pause: the page shows the position fall to match.
    await steer({ outflowPerMinute: 120 });
    await eventually(
      async () => ((await roomState()).servingNumber >= 2 ? true : undefined),
      30_000,
      'admissions',
    );
    await steer({ paused: true });
    const serving = await eventually(
      async () => {
        const first = (await roomState()).servingNumber;
        await new Promise((resolve) => setTimeout(resolve, 1500));
        return (await roomState()).servingNumber === first ? first : undefined;
      },
      30_000,
      'serving counter to settle',
    );
    expect(serving).toBeLessThan(queueNumber);
    const expected = queueNumber - serving;
    await page.waitForFunction(
      (want) => Number(document.getElementById('position')?.textContent?.replace(/\D/g, '')) === want,
      expected,
      { timeout: 60_000 },
    );
    expect(await text(page, '#ahead')).toBe(`${expected - 1} คน`);
    expect(
      await page.locator('#progress').evaluate((el) => (el as HTMLProgressElement).value),
    ).toBeGreaterThan(0);
    await page.locator('#paused-note').waitFor({ state: 'visible', timeout: 30_000 });
    // Screen readers hear it too (politely: at most every 20 s, so this may take a moment).
    await page.waitForFunction(
      (want) => document.getElementById('announce')?.textContent?.startsWith(want),
      `ลำดับของคุณ ${expected} `,
      { timeout: 60_000 },
    );
    mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    // 5. Reload mid-queue: same number, same place.
    await page.reload();
    await page.locator('#view-queue').waitFor({ state: 'visible' });
    expect(await numberIn(page, '#queue-number')).toBe(queueNumber);
    expect(await numberIn(page, '#position')).toBe(expected);

    // 6. The room moves again: admitted, with the hand-over to the booking form.
    await steer({ paused: false, outflowPerMinute: 600 });
    await page.locator('#view-admitted').waitFor({ state: 'visible', timeout: 90_000 });
    expect(await text(page, '#view-admitted h2')).toBe('ถึงคิวของคุณแล้ว');
    expect(await page.getAttribute('#continue', 'href')).toBe(`/book/?campaign=${campaignId}`);
    const accessToken = await page.evaluate(
      (key) => sessionStorage.getItem(key),
      `khiw:access:${campaignId}`,
    );
    expect(accessToken).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    // The access token stays out of localStorage; the ticket is there for the next visit.
    const stored = await page.evaluate((key) => localStorage.getItem(key), `khiw:queue:${campaignId}`);
    expect(stored).not.toContain(accessToken!);
    expect(JSON.parse(stored!)).toMatchObject({ queueNumber, status: { state: 'admitted' } });

    await page.screenshot({ path: SCREENSHOT.replace('.png', '-admitted.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('keeps its ticket calmly while the gateway is away, then shows sold out', async () => {
    await steer({ paused: true });
    const phone = await browser.newContext({ viewport: { width: 360, height: 720 } });
    const { page, errors } = await openQueuePage(phone);
    await page.locator('#view-queue').waitFor({ state: 'visible' });
    const queueNumber = await numberIn(page, '#queue-number');
    const storedTicket = () =>
      page.evaluate(
        (key) => JSON.parse(localStorage.getItem(key) ?? '{}').ticket,
        `khiw:queue:${campaignId}`,
      );
    const ticket = await storedTicket();

    // The gateway goes away: a calm notice, the place still shown, the ticket kept.
    const port = String(gateway.port);
    expect(await gateway.stop()).toBe(0);
    await page.locator('#connection').waitFor({ state: 'visible', timeout: 60_000 });
    expect(await text(page, '#connection')).toContain('กำลังเชื่อมต่อใหม่');
    expect(await numberIn(page, '#queue-number')).toBe(queueNumber);
    expect(await storedTicket()).toBe(ticket);

    // It comes back on the same address: the page reconnects with the same ticket and place.
    gateway = await startService('gateway', namespace, { ...gatewayEnv, PORT: port });
    await page.locator('#connection').waitFor({ state: 'hidden', timeout: 60_000 });
    expect(await numberIn(page, '#queue-number')).toBe(queueNumber);
    expect(await storedTicket()).toBe(ticket);

    // Doses run out: everyone waiting sees it.
    await api('POST', `/api/admin/campaigns/${campaignId}/sold-out`, {}, opsToken);
    await page.locator('#view-sold-out').waitFor({ state: 'visible', timeout: 90_000 });
    expect(await text(page, '#view-sold-out h2')).toBe('วัคซีนรอบนี้ถูกจองครบแล้ว');
    // The standby list has room: the answer's standby token opens the form in standby mode.
    await page.locator('#standby-action').waitFor({ state: 'visible' });
    expect(await page.getAttribute('#standby-link', 'href')).toContain('standby=1');
    await page.click('#standby-link');
    await page.waitForURL(/\/book\//);
    const carried = await page.evaluate((key) => sessionStorage.getItem(key), `khiw:access:${campaignId}`);
    const claims = JSON.parse(Buffer.from(carried!.split('.')[1]!, 'base64url').toString()) as {
      standby?: boolean;
    };
    expect(claims.standby).toBe(true);
    expect(errors).toEqual([]);
    await phone.close();
  });

  it('counts down in the pre-queue, then takes the number drawn at opening', async () => {
    // A second campaign that opens in 20 s (a snapshot as the booking worker publishes it).
    const early = `${campaignId}-early`;
    const opensAt = new Date(Date.now() + 20_000).toISOString();
    await publishSnapshot(redis, namespace, early, {
      name: { th: 'รอบทดสอบเปิดคิว', en: 'Opening test' },
      opensAt,
      state: 'open',
    });

    const phone = await browser.newContext({ viewport: { width: 320, height: 720 } });
    const page = await phone.newPage();
    await page.goto(`${base}/queue/?campaign=${early}`);
    await page.locator('#view-queue').waitFor({ state: 'visible' });
    expect(await text(page, '#queue-title')).toBe('ลงชื่อรอแล้ว รอเปิดคิว');
    expect(await page.locator('#countdown-row').isVisible()).toBe(true);
    expect(await text(page, '#countdown')).toMatch(/^00:00:\d\d$/);
    expect(await text(page, '#queue-number')).toBe('–');
    const key = `khiw:queue:${early}`;
    const stored = () => page.evaluate((k) => JSON.parse(localStorage.getItem(k) ?? '{}'), key);
    const prequeueTicket = (await stored()).ticket as string;
    expect(prequeueTicket).toBeTruthy();

    // At opening the pre-queue is shuffled; the page stores the renewed ticket with its number.
    await page.locator('#countdown-row').waitFor({ state: 'hidden', timeout: 90_000 });
    await page.waitForFunction(() => /\d/.test(document.getElementById('queue-number')?.textContent ?? ''));
    expect(await numberIn(page, '#queue-number')).toBe(1);
    const after = await stored();
    expect(after.queueNumber).toBe(1);
    expect(after.ticket).not.toBe(prequeueTicket);
    await phone.close();
  });
});
