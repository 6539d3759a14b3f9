import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Producer } from 'kafkajs';
import type { Browser } from 'playwright-core';
import type { BookingConfirmedEvent } from '@khiw/contracts';
import { createPrismaClient } from '@khiw/db';
import { createTopics, deleteTopics } from '../../../../infra/local/kafka-admin';
import { bookingConfirmedEvent } from '../../../../test/support/events';
import { eventually, TEST_DATABASE_URL, uniqueNamespace } from '../../../../test/support/env';
import { startService, type RunningService } from '../../../../test/support/services';
import { connectedProducer, publish, testKafka } from '../../../roster/test/roster-fixtures';
import { generateSigningKey, Keyring, privateKeyPem } from '../../src/waiting-room/tokens/keyring';
import { QueueTokens } from '../../src/waiting-room/tokens/queue-tokens';
import { launchChromium, SCREENSHOTS } from './browser-support';

/**
 * The staff page (services/gateway/public/staff) in Debian chromium on a tablet-sized
 * screen, against the real gateway and the real roster fed through Kafka: a nurse at SKH
 * opens the campaign's day (2 August 2021; the page defaults to today), checks a person
 * in, and exports the day as CSV.
 */
describe('staff page in a browser', () => {
  const namespace = uniqueNamespace('staff-page');
  const campaignId = `staff-page-${namespace.slice(-6)}`;
  const key = generateSigningKey('staff-page');
  const tokens = new QueueTokens(new Keyring(key), { ticketTtlSeconds: 3600 });
  const nurse = tokens.signOps({ subject: 'nurse-a', role: 'staff', ttlSeconds: 600, site: 'SKH' });
  const prisma = createPrismaClient(TEST_DATABASE_URL, { poolSize: 2 });
  let producer: Producer;
  let roster: RunningService;
  let gateway: RunningService;
  let browser: Browser;
  const events: BookingConfirmedEvent[] = [];

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    await createTopics(namespace);
    producer = await connectedProducer(testKafka());
    roster = await startService('roster', namespace);
    gateway = await startService('gateway', namespace, {
      GATEWAY_SIGNING_KEY: privateKeyPem(key),
      GATEWAY_SIGNING_KEY_ID: key.kid,
      ROSTER_API_URL: `http://127.0.0.1:${roster.port}`,
      WAITING_ROOM_ADMISSION_LOOP: 'false',
    });
    for (let i = 0; i < 3; i++) events.push(bookingConfirmedEvent(campaignId, i));
    events[2]!.data.appointment = {
      ...events[2]!.data.appointment,
      slotId: 'SKH-20210802-1000',
      startsAt: '2021-08-02T03:00:00.000Z',
    };
    await publish(producer, namespace, events);
    await eventually(
      async () => ((await prisma.rosterEntry.count({ where: { campaignId } })) === 3 ? true : undefined),
      150_000,
      'roster filled',
    );
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
    await roster?.stop();
    await producer?.disconnect();
    await prisma.$disconnect();
    await deleteTopics(namespace).catch(() => undefined);
  });

  it('opens the day, checks a person in and exports CSV', async () => {
    const context = await browser.newContext({
      viewport: { width: 820, height: 1180 },
      locale: 'th-TH',
      acceptDownloads: true,
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));

    // Without a date the page shows today (Bangkok).
    await page.goto(`http://127.0.0.1:${gateway.port}/staff/?campaign=${campaignId}#token=${nurse}`);
    await page.locator('#desk').waitFor({ state: 'visible' });
    const today = new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10);
    expect(await page.inputValue('#date')).toBe(today);
    expect(page.url()).not.toContain('token=');
    expect(await page.locator('#who').innerText()).toContain('SKH');
    // A staff token names its site: no site field to change.
    expect(await page.locator('#site-field').isVisible()).toBe(false);

    // The campaign's day.
    await page.fill('#date', '2021-08-02');
    await page.click('#pick button[type=submit]');
    await page.locator('section.slot').nth(1).waitFor();
    const headings = await page.locator('section.slot h2').allInnerTexts();
    expect(headings).toEqual([
      'รอบ 09:00 น. · จอง 2 คน · มาแล้ว 0 คน',
      'รอบ 10:00 น. · จอง 1 คน · มาแล้ว 0 คน',
    ]);
    expect(await page.locator('#totals').innerText()).toContain('จอง 3 คน');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'staff-page-day.png'), fullPage: true });

    // Check in the first person of 09:00.
    const target = events[0]!;
    const row = page.locator(`tr[data-booking="${target.bookingId}"]`);
    await row.getByRole('button', { name: /เช็คอิน/ }).click();
    await expect(row.locator('td.status-checked_in').innerText()).resolves.toMatch(/^มาแล้ว \d\d:\d\d$/);
    await expect(page.locator('#announce').innerText()).resolves.toContain('เช็คอิน');
    expect(await page.locator('section.slot h2').first().innerText()).toBe(
      'รอบ 09:00 น. · จอง 2 คน · มาแล้ว 1 คน',
    );
    const stored = await prisma.rosterEntry.findUnique({ where: { bookingId: target.bookingId } });
    expect(stored).toMatchObject({ status: 'checked_in', checkedInBy: 'staff:nurse-a' });

    // Search by reference finds a person on any day of the site.
    await page.fill('#q', events[2]!.data.reference);
    await page.click('#search-form button');
    await page.locator(`tr[data-booking="${events[2]!.bookingId}"]`).waitFor();

    // Export: a CSV with a BOM and the Thai names.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export')]);
    const file = readFileSync((await download.path())!);
    expect([...file.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = file.toString('utf8');
    expect(text).toContain(target.data.person.lastName);
    expect(text).toContain('มาแล้ว');
    expect(text.trim().split('\r\n')).toHaveLength(4);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'staff-page-checked-in.png'), fullPage: true });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('a slow answer for the first day never replaces the day asked for since', async () => {
    const context = await browser.newContext({ viewport: { width: 820, height: 1180 }, locale: 'th-TH' });
    const page = await context.newPage();
    // Today's roster (asked for at sign-in) answers only after the chosen day's has been shown.
    const today = new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10);
    let releaseToday: () => void = () => undefined;
    const todayHeld = new Promise<void>((resolve) => (releaseToday = resolve));
    let todayAnswered = false;
    await page.route(`**/roster?date=${today}`, async (route) => {
      await todayHeld;
      await route.continue();
      todayAnswered = true;
    });
    await page.goto(`http://127.0.0.1:${gateway.port}/staff/?campaign=${campaignId}#token=${nurse}`);
    await page.locator('#desk').waitFor({ state: 'visible' });
    await page.fill('#date', '2021-08-02');
    await page.click('#pick button[type=submit]');
    await page.locator('section.slot').nth(1).waitFor();

    releaseToday();
    await eventually(async () => todayAnswered, 10_000, "today's roster answered");
    // The page has had the stale answer in hand: it still shows 2 August.
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(resolve)));
    expect(await page.locator('section.slot').count()).toBe(2);
    expect(await page.locator('#totals').innerText()).toContain('จอง 3 คน');
    await context.close();
  });
});
