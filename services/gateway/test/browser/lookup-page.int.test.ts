import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { createPrismaClient } from '@khiw/db';
import { eventually, freePort, TEST_DATABASE_URL, uniqueNamespace } from '../../../../test/support/env';
import { startService, type RunningService } from '../../../../test/support/services';
import {
  book,
  bookingJob,
  bookingQueue,
  bookingsOf,
  expectCountersMatchRows,
  newCampaignId,
  person,
  KTB,
  SKH,
  slot,
  tinyCampaign,
  workerClient,
  type Person,
} from '../../../booking-worker/test/worker-fixtures';
import { generateSigningKey, privateKeyPem } from '../../src/waiting-room/tokens/keyring';
import { closeRedis, deleteNamespace, testRedis } from '../waiting-room-fixtures';
import { launchChromium, SCREENSHOTS } from './browser-support';

const INTERNAL_TOKEN = 'internal-token-for-lookup-page-0123';

/**
 * The resident's self-service page (services/gateway/public/lookup) in Debian chromium
 * against the real gateway and the real booking worker: a booking made by the worker from a
 * job on the real queue is found by citizen ID + birth date (a wrong birth date reveals
 * nothing), moved to another time at the same site and cancelled, and PostgreSQL says so.
 */
describe('look-up page in a browser', () => {
  const namespace = uniqueNamespace('lookup-page');
  const campaignId = newCampaignId('lookup-page');
  const signingKey = generateSigningKey('lookup-page-test');
  const redis = testRedis();
  const queue = bookingQueue(namespace);
  const prisma = createPrismaClient(TEST_DATABASE_URL, { poolSize: 2 });
  // SKH and KTB at 09:00, 10:00 and 11:00, one place each.
  const resident = person();
  const other = person();
  const family = person();
  let familyBookingId = '';
  let bookingId = '';
  let worker: RunningService;
  let gateway: RunningService;
  let browser: Browser;
  let base: string;

  const text = (page: Page, selector: string) => page.locator(selector).innerText();

  async function booked(who: Person, time: string, groupCode = 'g1', site = SKH): Promise<string> {
    const outcome = await book(
      queue,
      bookingJob(campaignId, who, { groupCode, siteId: site, slotId: slot(site, time) }),
    );
    if (outcome.status !== 'confirmed') throw new Error(`set-up booking: ${JSON.stringify(outcome)}`);
    return outcome.booking.bookingId;
  }

  beforeAll(async () => {
    worker = await startService('booking-worker', namespace, {
      INTERNAL_API_TOKEN: INTERNAL_TOKEN,
      // The page needs the booking, not its Kafka event: no outbox relay here.
      OUTBOX_RELAY_ENABLED: 'false',
      SNAPSHOT_INTERVAL_MS: '100',
      DATABASE_POOL_SIZE: '4',
    });
    gateway = await startService('gateway', namespace, {
      GATEWAY_SIGNING_KEY: privateKeyPem(signingKey),
      GATEWAY_SIGNING_KEY_ID: signingKey.kid,
      BOOKING_API_URL: `http://127.0.0.1:${worker.port}`,
      INTERNAL_API_TOKEN: INTERNAL_TOKEN,
      // No roster service here (nor anyone else's on the shared machine): look-up falls back
      // to the worker, which answers from the booking itself.
      ROSTER_API_URL: `http://127.0.0.1:${await freePort()}`,
      BOOKING_API_TIMEOUT_MS: '15000',
    });
    base = `http://127.0.0.1:${gateway.port}`;
    const load = await workerClient(() => `http://127.0.0.1:${worker.port}`, INTERNAL_TOKEN)(
      'PUT',
      `/internal/campaigns/${campaignId}`,
      tinyCampaign(campaignId, { times: ['09:00', '10:00', '11:00'], capacity: 1 }),
    );
    if (load.status !== 200) throw new Error(`campaign load: ${load.status} ${JSON.stringify(load.body)}`);
    bookingId = await booked(resident, '09:00');
    await booked(other, '10:00');
    familyBookingId = await booked(family, '09:00', 'g2', KTB);
    // The page reads the slots the worker published: wait until they show 10:00 taken.
    await eventually(
      async () => {
        const answer = await fetch(`${base}/api/campaigns/${campaignId}/sites/${SKH}/slots`, {
          cache: 'no-store',
        });
        const body = (await answer.json()) as { slots?: { id: string; remaining: number }[] };
        const ten = body.slots?.find((s) => s.id === slot(SKH, '10:00'));
        return ten?.remaining === 0 ? true : undefined;
      },
      60_000,
      'the published slots to show 10:00 full',
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
    await prisma.$disconnect();
    expect(codes.every((code) => code === 0)).toBe(true);
  });

  it('finds, reschedules and cancels a booking at 360 px, in Thai', async () => {
    const context = await browser.newContext({ viewport: { width: 360, height: 760 }, locale: 'th-TH' });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${base}/lookup/?campaign=${campaignId}`);
    expect(await page.getAttribute('html', 'lang')).toBe('th');
    expect(await text(page, 'h1')).toBe('ตรวจสอบ ยกเลิก หรือเลื่อนนัด');

    // A wrong birth date: "nothing found", and nothing of the booking on the page.
    await page.fill('#citizenId', resident.citizenId);
    await page.fill('#birthDate', '1961-01-01');
    await page.click('#find button[type=submit]');
    await page.locator('#find-error').waitFor({ state: 'visible', timeout: 30_000 });
    expect(await text(page, '#find-error')).toBe('ไม่พบนัดหมายที่ตรงกับเลขบัตรและวันเกิดนี้');
    expect(await page.locator('#result').isHidden()).toBe(true);
    const body = await text(page, 'body');
    expect(body).not.toContain('โรงพยาบาลสมุทรสาคร');
    expect(body).not.toContain('2564');

    // The right one: site, day and time in Bangkok, Buddhist era.
    await page.fill('#birthDate', resident.birthDate);
    await page.click('#find button[type=submit]');
    await page.locator('#result').waitFor({ state: 'visible', timeout: 30_000 });
    expect(await page.locator('#find-error').isHidden()).toBe(true);
    expect(await text(page, '#result-title')).toBe('นัดหมายของท่าน');
    let result = await text(page, '#result-body');
    expect(result).toContain('โรงพยาบาลสมุทรสาคร');
    expect(result).toContain('จันทร์ 2 ส.ค. 2564 เวลา 09:00 น.');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOTS, 'lookup-page-found.png'), fullPage: true });

    // Reschedule at the same site: 10:00 is taken, 11:00 has room.
    await page.click('#reschedule');
    await page.locator('#move').waitFor({ state: 'visible', timeout: 30_000 });
    expect(await text(page, '#reschedule')).toBe('ยืนยันเวลาใหม่');
    await page.selectOption('#day', '2021-08-02');
    const ten = page.locator('#times label', { hasText: '10:00 น.' });
    expect(await ten.innerText()).toContain('เต็มแล้ว');
    expect(await ten.locator('input').isDisabled()).toBe(true);
    expect(await page.locator('#times label', { hasText: '09:00 น.' }).count()).toBe(0);
    const eleven = page.locator('#times label', { hasText: '11:00 น.' });
    expect(await eleven.innerText()).toContain('เหลือ 1 ที่');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await eleven.click();
    await page.click('#reschedule');
    await page.locator('#move').waitFor({ state: 'hidden', timeout: 30_000 });
    result = await text(page, '#result-body');
    expect(result).toContain('โรงพยาบาลสมุทรสาคร');
    expect(result).toContain('จันทร์ 2 ส.ค. 2564 เวลา 11:00 น.');
    expect(await page.locator('#action-error').isHidden()).toBe(true);
    expect(await text(page, '#reschedule')).toBe('เลื่อนนัด (สถานที่เดิม)');
    let row = (await bookingsOf(prisma, campaignId)).find((b) => b.id === bookingId);
    expect(row).toMatchObject({ status: 'confirmed', site_id: SKH, slot_id: slot(SKH, '11:00') });
    await expectCountersMatchRows(prisma, campaignId);

    // Cancel: the first press only asks for a second one.
    await page.click('#cancel');
    expect(await text(page, '#cancel')).toBe('กดอีกครั้งเพื่อยืนยันการยกเลิก');
    expect((await bookingsOf(prisma, campaignId)).find((b) => b.id === bookingId)?.status).toBe('confirmed');
    await page.click('#cancel');
    await page.locator('#actions').waitFor({ state: 'hidden', timeout: 30_000 });
    expect(await text(page, '#result-title')).toBe('นัดหมายนี้ถูกยกเลิกแล้ว');
    expect(await page.locator('#action-error').isHidden()).toBe(true);
    row = (await bookingsOf(prisma, campaignId)).find((b) => b.id === bookingId);
    expect(row).toMatchObject({ status: 'cancelled', cancelled_by: 'resident' });
    await expectCountersMatchRows(prisma, campaignId);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'lookup-page-cancelled.png'), fullPage: true });

    // Small on a slow phone: the page's own files (not the API answers) stay under 60 KB.
    const pageBytes = await page.evaluate(() =>
      [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')]
        .filter((entry) => !entry.name.includes('/api/'))
        .reduce((sum, entry) => sum + (entry as PerformanceResourceTiming).decodedBodySize, 0),
    );
    expect(pageBytes).toBeGreaterThan(0);
    expect(pageBytes).toBeLessThan(60 * 1024);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('a new look-up disarms the cancel pressed once for the previous person', async () => {
    const context = await browser.newContext({ viewport: { width: 320, height: 700 }, locale: 'th-TH' });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${base}/lookup/?campaign=${campaignId}`);
    const lookUp = async (who: Person) => {
      await page.fill('#citizenId', who.citizenId);
      await page.fill('#birthDate', who.birthDate);
      await page.click('#find button[type=submit]');
      await page.locator('#result-body', { hasText: /\d{2}:\d{2}/ }).waitFor({ timeout: 30_000 });
    };
    await lookUp(other);
    await page.click('#cancel');
    expect(await text(page, '#cancel')).toBe('กดอีกครั้งเพื่อยืนยันการยกเลิก');

    // A family member looked up next: one press must not cancel their booking.
    await lookUp(family);
    await page.locator('#result-body', { hasText: 'โรงพยาบาลกระทุ่มแบน' }).waitFor({ timeout: 30_000 });
    expect(await text(page, '#cancel')).toBe('ยกเลิกนัด');
    await page.click('#cancel');
    expect(await text(page, '#cancel')).toBe('กดอีกครั้งเพื่อยืนยันการยกเลิก');
    expect(await text(page, '#result-title')).toBe('นัดหมายของท่าน');
    const rows = await bookingsOf(prisma, campaignId);
    expect(rows.find((b) => b.id === familyBookingId)?.status).toBe('confirmed');
    expect(rows.filter((b) => b.status === 'confirmed')).toHaveLength(2);

    // Turning to reschedule disarms it too.
    await page.click('#reschedule');
    await page.locator('#move').waitFor({ state: 'visible', timeout: 30_000 });
    expect(await text(page, '#cancel')).toBe('ยกเลิกนัด');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
    expect(errors).toEqual([]);
    await context.close();
  });
});
