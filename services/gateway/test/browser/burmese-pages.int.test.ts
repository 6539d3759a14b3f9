import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { createPrismaClient } from '@khiw/db';
import { citizenIdFrom, TEST_DATABASE_URL } from '../../../../test/support/env';
import { bookPageEnv } from './book-page-support';
import { fontsWithoutMyanmar, launchChromium, missingMyanmarGlyphs, SCREENSHOTS } from './browser-support';

const WIDTH = 360;

/**
 * Issue 11 item 6: the queue, booking and look-up pages in Burmese (Myanmar script) on a
 * 360 px phone, in Debian chromium against the real gateway and booking worker. Every
 * Myanmar letter on screen is drawn by a real font (not the "no glyph" box); the booking made
 * in Burmese is stored as Burmese, for its SMS. And the glyph check does fail where there is
 * no Myanmar font to draw with.
 */
describe('resident pages in Burmese', () => {
  const env = bookPageEnv('pages-my', {
    sample: {
      slotGrid: { firstDay: '2021-08-02', days: 2, times: ['09:00', '10:00'], capacityPerSlotPerSite: 3 },
    },
  });
  const campaignId = env.ids.sample;
  const prisma = createPrismaClient(TEST_DATABASE_URL, { poolSize: 1 });
  afterAll(() => prisma.$disconnect());

  const text = (page: Page, selector: string) => page.locator(selector).innerText();

  async function expectDrawnInBurmese(page: Page, name: string) {
    expect(await page.getAttribute('html', 'lang')).toBe('my');
    // The page's own font stack puts a Myanmar font first for Burmese.
    expect(await page.evaluate(() => getComputedStyle(document.body).fontFamily)).toMatch(
      /^"Noto Sans Myanmar", Padauk, "Myanmar Text"/,
    );
    const glyphs = await missingMyanmarGlyphs(page);
    expect(glyphs.checked).toBeGreaterThanOrEqual(3);
    expect(glyphs.missing).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(WIDTH);
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-my.png`), fullPage: true });
  }

  it('queues, books and looks up in Burmese at 360 px with every letter drawn; the booking is Burmese', async () => {
    const context = await env.browser.newContext({
      viewport: { width: WIDTH, height: 740 },
      locale: 'th-TH',
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));

    // The queue page, switched to Burmese by its own switch; the choice holds for the next pages.
    await page.goto(`${env.base}/queue/?campaign=${campaignId}`);
    expect(await page.locator('#lang button').allInnerTexts()).toEqual(['ไทย', 'English', 'မြန်မာ']);
    await page.click('#lang [data-lang="my"]');
    // The Burmese words load first (a fetch), then the switch marks the choice.
    await page.locator('#lang [data-lang="my"][aria-pressed="true"]').waitFor({ timeout: 10_000 });
    await page.locator('#view-admitted').waitFor({ state: 'visible', timeout: 60_000 });
    expect(await text(page, '#view-admitted h2')).toBe('သင့်အလှည့် ရောက်ပါပြီ');
    expect(await text(page, '#continue')).toBe('ရက်ချိန်းယူရန် ပုံစံသို့');
    await expectDrawnInBurmese(page, 'queue-page');

    // The form: words in Burmese, names from the campaign in English (it has no Burmese).
    await page.click('#continue');
    await page.waitForURL(`**/book/?campaign=${campaignId}`);
    await page.locator('#view-choose').waitFor({ state: 'visible' });
    expect(await text(page, '#choose-title')).toBe('1. အုပ်စု၊ နေရာနှင့် အချိန်');
    await page.locator('#groups label', { hasText: 'Elderly aged 70 and over' }).click();
    await page.selectOption('#site', 'KTB');
    await page.locator('#day option[value="2021-08-02"]').waitFor({ state: 'attached' });
    await page.selectOption('#day', '2021-08-02');
    const nine = page.locator('#times label', { hasText: '09:00' });
    expect(await nine.innerText()).toContain('3 နေရာ ကျန်');
    await nine.click();
    await expectDrawnInBurmese(page, 'book-page-choose');
    await page.click('#view-choose button[type=submit]');

    await page.locator('#view-person').waitFor({ state: 'visible' });
    const citizenId = citizenIdFrom(`31013${String(Date.now()).slice(-7)}`);
    await page.fill('#firstName', 'Aung');
    await page.fill('#lastName', 'Min');
    await page.fill('#citizenId', citizenId);
    await page.fill('#birthDate', '1945-05-01');
    await page.fill('#phone', '081 234 5678');
    await page.check('#provinceOk');
    await expectDrawnInBurmese(page, 'book-page-person');
    await page.click('#view-person button[type=submit]');

    await page.locator('#view-confirm').waitFor({ state: 'visible' });
    expect(await text(page, '#c-site')).toBe('Krathum Baen Hospital');
    expect(await text(page, '#c-when')).toBe('Monday 2 Aug 2021၊ 09:00');
    await page.click('#submit');
    await page.locator('#outcome-title', { hasText: 'ရက်ချိန်း ရပါပြီ' }).waitFor({ timeout: 60_000 });
    const reference = await text(page, '#reference');
    await expectDrawnInBurmese(page, 'book-page-confirmed');
    // Stored as Burmese: its SMS, now and later, are written in Burmese.
    const booking = await prisma.booking.findUnique({ where: { reference } });
    expect(booking).toMatchObject({ campaignId, language: 'my', status: 'confirmed' });

    // The look-up page finds it, in Burmese.
    await page.goto(`${env.base}/lookup/?campaign=${campaignId}`);
    expect(await text(page, 'h1')).toBe('ရက်ချိန်း စစ်ရန်၊ ပယ်ဖျက်ရန် (သို့) ရွှေ့ရန်');
    await page.fill('#citizenId', citizenId);
    await page.fill('#birthDate', '1945-05-01');
    await page.click('#find button[type=submit]');
    await page.locator('#result').waitFor({ state: 'visible' });
    expect(await text(page, '#result-title')).toBe('သင့်ရက်ချိန်း');
    expect(await text(page, '#result-body')).toContain(reference);
    await expectDrawnInBurmese(page, 'lookup-page');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('reports the Myanmar letters as missing where no font has them', async () => {
    const fonts = fontsWithoutMyanmar();
    let browser: Browser | undefined;
    try {
      browser = await launchChromium(fonts.env);
      const context = await browser.newContext({ viewport: { width: WIDTH, height: 740 } });
      await context.addInitScript(() => localStorage.setItem('khiw:lang', 'my'));
      const page = await context.newPage();
      await page.goto(`${env.base}/lookup/?campaign=${campaignId}`);
      await page.locator('h1', { hasText: 'ရက်ချိန်း' }).waitFor();
      const glyphs = await missingMyanmarGlyphs(page);
      expect(glyphs.checked).toBeGreaterThanOrEqual(3);
      expect(glyphs.missing.map((m) => m.text)).toContain('ရက်ချိန်း စစ်ရန်၊ ပယ်ဖျက်ရန် (သို့) ရွှေ့ရန်');
    } finally {
      await browser?.close();
      fonts.remove();
    }
  });
});
