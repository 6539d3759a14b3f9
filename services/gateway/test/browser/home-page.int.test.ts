import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { eventually, uniqueNamespace } from '../../../../test/support/env';
import { startService, type RunningService } from '../../../../test/support/services';
import {
  book,
  bookingJob,
  bookingQueue,
  newCampaignId,
  person,
  SKH,
  slot,
  tinyCampaign,
  workerClient,
} from '../../../booking-worker/test/worker-fixtures';
import { closeRedis, deleteNamespace, testRedis } from '../waiting-room-fixtures';
import { launchChromium, SCREENSHOTS } from './browser-support';

const INTERNAL_TOKEN = 'internal-token-for-home-page-0123';

/**
 * The public landing page (services/gateway/public/index.html + home/) in Debian chromium
 * against the real gateway and booking worker: an open campaign with the doses left after a
 * real booking, thousands separated, ahead of one that opens tomorrow; each leads to its
 * queue and its look-up; Thai first, English on request, and nothing wider than 360 px.
 */
describe('home page in a browser', () => {
  const namespace = uniqueNamespace('home-page');
  const openId = newCampaignId('home-open');
  const soonId = newCampaignId('home-soon');
  const tomorrow = new Date(Date.now() + 86_400_000);
  const redis = testRedis();
  const queue = bookingQueue(namespace);
  let worker: RunningService;
  let gateway: RunningService;
  let browser: Browser;
  let base: string;

  const text = (page: Page, selector: string) => page.locator(selector).innerText();
  const cardOf = (page: Page, id: string) =>
    page.locator('#campaign-list li.campaign', { has: page.locator(`a[href="/queue/?campaign=${id}"]`) });

  beforeAll(async () => {
    worker = await startService('booking-worker', namespace, {
      INTERNAL_API_TOKEN: INTERNAL_TOKEN,
      OUTBOX_RELAY_ENABLED: 'false',
      SNAPSHOT_INTERVAL_MS: '100',
      DATABASE_POOL_SIZE: '4',
    });
    gateway = await startService('gateway', namespace, {
      BOOKING_API_URL: `http://127.0.0.1:${worker.port}`,
    });
    base = `http://127.0.0.1:${gateway.port}`;
    const client = workerClient(() => `http://127.0.0.1:${worker.port}`, INTERNAL_TOKEN);
    const campaigns = {
      // Opened in 2021 (the sample's own date): open now.
      [openId]: tinyCampaign(openId, { totalDoses: 12_000, quotas: [7_000, 5_000], capacity: 6_000 }),
      [soonId]: {
        ...tinyCampaign(soonId, { totalDoses: 2_500, quotas: [2_000, 500], capacity: 1_250 }),
        name: { th: 'รอบพรุ่งนี้', en: "Tomorrow's round" },
        opensAt: tomorrow.toISOString(),
      },
    };
    for (const [id, file] of Object.entries(campaigns)) {
      const load = await client('PUT', `/internal/campaigns/${id}`, file);
      if (load.status !== 200) throw new Error(`campaign load: ${load.status} ${JSON.stringify(load.body)}`);
    }
    const outcome = await book(
      queue,
      bookingJob(openId, person(), { groupCode: 'g1', siteId: SKH, slotId: slot(SKH) }),
    );
    if (outcome.status !== 'confirmed') throw new Error(`set-up booking: ${JSON.stringify(outcome)}`);
    // The page reads the snapshot the worker publishes: wait until it shows the booking.
    await eventually(
      async () => {
        const answer = await fetch(`${base}/api/campaigns/${openId}`, { cache: 'no-store' });
        return ((await answer.json()) as { remainingDoses?: number }).remainingDoses === 11_999 || undefined;
      },
      60_000,
      'the published snapshot to count the booking',
    );
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    const codes = [];
    if (gateway) codes.push(await gateway.stop());
    if (worker) codes.push(await worker.stop());
    await queue.obliterate({ force: true });
    await queue.close();
    await deleteNamespace(redis, namespace);
    await closeRedis(redis);
    expect(codes.every((code) => code === 0)).toBe(true);
  });

  it('lists the open campaign with its doses left, then the one opening tomorrow, at 360 px in Thai', async () => {
    const context = await browser.newContext({ viewport: { width: 360, height: 760 }, locale: 'th-TH' });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${base}/`);
    expect(await page.getAttribute('html', 'lang')).toBe('th');
    expect(await text(page, 'h1')).toBe('จองคิวฉีดวัคซีน');
    await page.locator('#campaign-list li.campaign').nth(1).waitFor({ timeout: 30_000 });

    const open = cardOf(page, openId);
    expect(await open.locator('h3').innerText()).toBe('จองวัคซีนซิโนฟาร์ม จังหวัดสมุทรสาคร');
    expect(await open.locator('.badge').innerText()).toBe('เปิดจองแล้ว');
    expect(await open.locator('.doses-left').innerText()).toBe('11,999');
    expect(await open.locator('.doses').innerText()).toContain('จากทั้งหมด 12,000 โดส');
    expect(await open.locator('a.join').innerText()).toBe('เข้าคิวจอง');
    expect(await open.locator('a.lookup').getAttribute('href')).toBe(`/lookup/?campaign=${openId}`);
    await open.locator('summary').click();
    expect(await open.locator('.groups').innerText()).toContain('เหลือ 6,999 / 7,000');

    const soon = cardOf(page, soonId);
    expect(await soon.locator('h3').innerText()).toBe('รอบพรุ่งนี้');
    expect(await soon.locator('.badge').innerText()).toMatch(/^เปิดจอง .+ เวลา \d\d:\d\d น\.$/);
    expect(await soon.locator('.doses-left').innerText()).toBe('2,500');
    expect(await soon.locator('a.join').innerText()).toBe('เข้าคิวล่วงหน้า');
    expect(await soon.locator('a.lookup').getAttribute('href')).toBe(`/lookup/?campaign=${soonId}`);
    // Open campaigns come first.
    const order = await page.locator('#campaign-list li.campaign h3').allInnerTexts();
    expect(order).toEqual(['จองวัคซีนซิโนฟาร์ม จังหวัดสมุทรสาคร', 'รอบพรุ่งนี้']);

    // When it opened (Buddhist era); an upcoming opening is said once, in the badge.
    expect(await open.locator('dl').innerText()).toContain('เปิดจองเมื่อ\nอาทิตย์ 25 ก.ค. 2564 เวลา 09:00 น.');
    expect(await soon.locator('dl').innerText()).not.toContain('เปิดจองเมื่อ');

    expect(await text(page, '#help')).toContain('เลขประจำตัวประชาชน 13 หลัก');
    // Small on a slow phone: the page's own files (not the API answers) stay under 60 KB.
    const pageBytes = await page.evaluate(() =>
      [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')]
        .filter((entry) => !entry.name.includes('/api/'))
        .reduce((sum, entry) => sum + (entry as PerformanceResourceTiming).decodedBodySize, 0),
    );
    expect(pageBytes).toBeGreaterThan(0);
    expect(pageBytes).toBeLessThan(60 * 1024);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOTS, 'home-page-360.png'), fullPage: true });

    // The queue link leads to that campaign's waiting room.
    await open.locator('a.join').click();
    await page.waitForURL(`${base}/queue/?campaign=${openId}`);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('switches to English and keeps the figures', async () => {
    const context = await browser.newContext({ viewport: { width: 1024, height: 800 }, locale: 'en-GB' });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${base}/`);
    await cardOf(page, openId).waitFor({ timeout: 30_000 });
    await page.click('#lang [data-lang="en"]');
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(await text(page, 'h1')).toBe('Book your vaccination');
    const open = cardOf(page, openId);
    expect(await open.locator('.badge').innerText()).toBe('Open for booking');
    expect(await open.locator('.doses-left').innerText()).toBe('11,999');
    expect(await open.locator('.doses').innerText()).toContain('of 12,000 doses');
    expect(await open.locator('a.join').innerText()).toBe('Join the queue');
    expect(await open.locator('a.lookup').innerText()).toBe('Look up, cancel or reschedule');
    expect(await open.locator('dl').innerText()).toContain(
      'aged 18 and over, registered as resident in Samut Sakhon',
    );
    expect(await cardOf(page, soonId).locator('a.join').innerText()).toBe('Join the queue early');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'home-page-en.png'), fullPage: true });
    expect(errors).toEqual([]);
    await context.close();
  });
});
