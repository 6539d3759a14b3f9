import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser } from 'playwright-core';
import {
  KTB,
  newCampaignId,
  person,
  SKH,
  slot,
  tinyCampaign,
} from '../../../booking-worker/test/worker-fixtures';
import { gatewayWithWorker } from '../gateway-with-worker';
import { launchChromium, SCREENSHOTS } from './browser-support';

/**
 * The organisation page (services/gateway/public/organisation) in Debian chromium at tablet
 * and desktop widths, against a real gateway and booking worker: an HR officer signs in with
 * the organisation's token, uploads a small list, watches the progress reach done, reads the
 * refused rows with their reasons and downloads every row's result; a broken file shows its
 * bad lines and books nobody.
 */
const env = gatewayWithWorker('org-page');
const campaignId = newCampaignId('org-page');
const token = env.tokens.signOps({
  subject: 'wat-arun',
  role: 'organisation',
  campaign: campaignId,
  ttlSeconds: 900,
});
const HEADER = 'citizen_id,first_name,last_name,birth_date,phone,group,site,slot,province_code';
let browser: Browser;

function list(): string {
  const rows = [0, 1, 2, 3].map((i) => {
    const who = person();
    const site = i % 2 ? SKH : KTB;
    return [who.citizenId, 'สมศรี', 'มีสุข', who.birthDate, who.phone, 'g1', site, slot(site), '74'].join(',');
  });
  const young = person({ birthDate: '2016-01-01' });
  rows.push(
    [young.citizenId, 'เด็กชาย', 'เล็ก', young.birthDate, young.phone, 'g1', SKH, slot(SKH), '74'].join(','),
  );
  rows.push(rows[0]!.replace('สมศรี', 'สมศรีซ้ำ'));
  return `\uFEFF${[HEADER, ...rows].join('\r\n')}\r\n`;
}

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await env.loadThroughGateway(tinyCampaign(campaignId, { totalDoses: 40, quotas: [20, 20], capacity: 10 }));
  const cap = await env.call('PUT', `/api/admin/campaigns/${campaignId}/organisations/wat-arun`, {
    token: env.opsToken,
    body: { name: 'วัดอรุณ', cap: 100 },
  });
  expect(cap.status).toBe(200);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

describe('organisation page in a browser', () => {
  it.each([
    ['tablet', 768, 1024],
    ['desktop', 1366, 768],
  ])(
    'uploads a list at %s width: progress to done, refused rows, results download',
    async (name, width, height) => {
      const context = await browser.newContext({
        viewport: { width, height },
        locale: 'th-TH',
        acceptDownloads: true,
      });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(`http://127.0.0.1:${env.gatewayPort()}/organisation/#token=${token}`);
      await page.locator('#desk').waitFor({ state: 'visible' });
      expect(page.url()).not.toContain('token=');
      expect(await page.locator('#who').innerText()).toBe(`wat-arun · ${campaignId}`);

      await page.setInputFiles('#file', {
        name: 'staff.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from(list(), 'utf8'),
      });
      await page.click('#send');
      await page.locator('#state', { hasText: 'เสร็จแล้ว' }).waitFor({ timeout: 30_000 });
      expect(await page.locator('#state').innerText()).toBe('เสร็จแล้ว ทั้งหมด 6 แถว');
      expect(await page.locator('#progress').evaluate((p: HTMLProgressElement) => [p.value, p.max])).toEqual([
        6, 6,
      ]);
      expect(await page.locator('#count-booked').innerText()).toBe('4');
      expect(await page.locator('#count-refused').innerText()).toBe('2');
      const refused = page.locator('#refused tbody tr');
      expect(await refused.count()).toBe(2);
      expect(await refused.nth(0).locator('td').first().innerText()).toBe('6');
      expect(await refused.nth(0).locator('td.reason').innerText()).toMatch(/birth_date: .*INVALID_INPUT/);
      expect(await refused.nth(1).locator('td.reason').innerText()).toMatch(/บรรทัด 2.*DUPLICATE_IN_LIST/);
      // Tablet: the citizen ID column shows; the table fits the screen either way.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      await page.screenshot({
        path: path.join(SCREENSHOTS, `organisation-page-${name}.png`),
        fullPage: true,
      });

      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
      const file = readFileSync((await download.path())!);
      expect([...file.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const lines = file.toString('utf8').trim().split('\r\n');
      expect(lines).toHaveLength(7);
      expect(lines.filter((l) => l.includes(',booked,'))).toHaveLength(4);

      // English, then a broken file: its bad line listed, nothing booked.
      await page.click('#lang');
      const before = await env.prisma.booking.count({ where: { campaignId } });
      await page.setInputFiles('#file', {
        name: 'broken.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from(`${HEADER}\r\n1,2,3\r\n`, 'utf8'),
      });
      await page.click('#send');
      await page.locator('#lines li').first().waitFor();
      expect(await page.locator('#error').innerText()).toContain('nothing was booked');
      expect(await page.locator('#lines li').first().innerText()).toMatch(/^Line 2: This row has 3 fields/);
      expect(await env.prisma.booking.count({ where: { campaignId } })).toBe(before);
      expect(errors).toEqual([]);
      await context.close();
    },
  );
});
