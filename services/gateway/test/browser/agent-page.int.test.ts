import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Producer } from 'kafkajs';
import type { Browser, Page } from 'playwright-core';
import { createPrismaClient } from '@khiw/db';
import { qualifyTopic } from '@khiw/kafka';
import { createTopics, deleteTopics } from '../../../../infra/local/kafka-admin';
import { eventually, TEST_DATABASE_URL, uniqueNamespace } from '../../../../test/support/env';
import { startService, type RunningService } from '../../../../test/support/services';
import {
  bookingQueue,
  newCampaignId,
  person,
  SKH,
  slot,
  tinyCampaign,
  workerClient,
  type Person,
} from '../../../booking-worker/test/worker-fixtures';
import { connectedProducer, testKafka } from '../../../roster/test/roster-fixtures';
import { generateSigningKey, Keyring, privateKeyPem } from '../../src/waiting-room/tokens/keyring';
import { QueueTokens } from '../../src/waiting-room/tokens/queue-tokens';
import { closeRedis, deleteNamespace, testRedis } from '../waiting-room-fixtures';
import { launchChromium, SCREENSHOTS } from './browser-support';

const INTERNAL_TOKEN = 'internal-token-for-agent-page-0123';

/**
 * The agent page (services/gateway/public/agent) in Debian chromium against the real gateway,
 * booking worker and roster. The worker's own outbox relay is off (its outbox table is shared
 * by every test run on this database); this file relays THIS campaign's outbox rows to Kafka
 * itself, as the relay would, so the roster learns of the bookings the page makes: search
 * finds them and the agent's day count goes up.
 */
describe('agent page in a browser', () => {
  const namespace = uniqueNamespace('agent-page');
  const campaignId = newCampaignId('agent-page');
  const key = generateSigningKey('agent-page');
  const tokens = new QueueTokens(new Keyring(key), { ticketTtlSeconds: 3600 });
  const redis = testRedis();
  const queue = bookingQueue(namespace);
  const prisma = createPrismaClient(TEST_DATABASE_URL, { poolSize: 2 });
  let producer: Producer;
  let relay: NodeJS.Timeout | undefined;
  let worker: RunningService;
  let roster: RunningService;
  let gateway: RunningService;
  let browser: Browser;
  let base = '';

  /** This campaign's unpublished outbox rows, published in order and marked, like the relay. */
  async function relayOnce(): Promise<void> {
    const rows = await prisma.$queryRaw<{ id: string; topic: string; key: string; payload: unknown }[]>`
      SELECT id::text, topic, key, payload FROM booking.outbox_events
      WHERE published_at IS NULL AND payload->>'campaignId' = ${campaignId} ORDER BY seq`;
    for (const row of rows) {
      await producer.send({
        topic: qualifyTopic(namespace, row.topic),
        acks: -1,
        messages: [{ key: row.key, value: JSON.stringify(row.payload) }],
      });
      await prisma.$executeRaw`UPDATE booking.outbox_events SET published_at = now() WHERE id = ${row.id}::uuid`;
    }
  }

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    await createTopics(namespace);
    producer = await connectedProducer(testKafka());
    worker = await startService('booking-worker', namespace, {
      INTERNAL_API_TOKEN: INTERNAL_TOKEN,
      OUTBOX_RELAY_ENABLED: 'false',
      SNAPSHOT_INTERVAL_MS: '100',
      DATABASE_POOL_SIZE: '4',
    });
    roster = await startService('roster', namespace, { INTERNAL_API_TOKEN: INTERNAL_TOKEN });
    gateway = await startService('gateway', namespace, {
      GATEWAY_SIGNING_KEY: privateKeyPem(key),
      GATEWAY_SIGNING_KEY_ID: key.kid,
      BOOKING_API_URL: `http://127.0.0.1:${worker.port}`,
      ROSTER_API_URL: `http://127.0.0.1:${roster.port}`,
      INTERNAL_API_TOKEN: INTERNAL_TOKEN,
      BOOKING_API_TIMEOUT_MS: '15000',
      WAITING_ROOM_ADMISSION_LOOP: 'false',
    });
    base = `http://127.0.0.1:${gateway.port}`;
    const load = await workerClient(() => `http://127.0.0.1:${worker.port}`, INTERNAL_TOKEN)(
      'PUT',
      `/internal/campaigns/${campaignId}`,
      tinyCampaign(campaignId, { totalDoses: 40, quotas: [20, 20], times: ['09:00', '10:00'], capacity: 10 }),
    );
    if (load.status !== 200) throw new Error(`campaign load: ${load.status} ${JSON.stringify(load.body)}`);
    await eventually(
      async () => ((await fetch(`${base}/api/campaigns/${campaignId}`)).status === 200 ? true : undefined),
      60_000,
      'the campaign snapshot at the gateway',
    );
    const tick = () => {
      relay = setTimeout(() => void relayOnce().finally(() => relay && tick()), 250);
    };
    tick();
    browser = await launchChromium();
  });

  afterAll(async () => {
    const timer = relay;
    relay = undefined;
    clearTimeout(timer);
    await browser?.close();
    const codes = [];
    if (gateway) codes.push(await gateway.stop());
    if (roster) codes.push(await roster.stop());
    if (worker) codes.push(await worker.stop());
    await producer?.disconnect();
    await queue.obliterate({ force: true });
    await queue.close();
    await deleteNamespace(redis, namespace);
    await closeRedis(redis);
    await prisma.$disconnect();
    await deleteTopics(namespace).catch(() => undefined);
    expect(codes.every((code) => code === 0)).toBe(true);
  });

  const value = (page: Page, id: string) => page.inputValue(`#${id}`);
  const focused = (page: Page) => page.evaluate(() => document.activeElement?.id);
  /** '+66891234567' → '0891234567', as people say it. */
  const national = (phone: string) => `0${phone.slice(3)}`;
  /** '1960-05-01' → '01052503': day, month, Buddhist Era year, as read off the card. */
  const cardDigits = (iso: string) => {
    const [y, m, d] = iso.split('-');
    return `${d}${m}${Number(y) + 543}`;
  };

  /** One person from the first field to Enter, by keyboard only. */
  async function typePerson(page: Page, who: Person, { siteTab = true } = {}) {
    expect(await focused(page)).toBe('citizenId');
    await page.keyboard.type(who.citizenId);
    for (const text of [who.firstName, who.lastName, cardDigits(who.birthDate), national(who.phone), '74']) {
      await page.keyboard.press('Tab');
      await page.keyboard.type(text);
    }
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('groupCode');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Tab');
    if (siteTab) {
      expect(await focused(page)).toBe('siteId');
      // Arrow keys to the counter's hospital (the first site listed is another).
      for (let i = 0; i < 5 && (await value(page, 'siteId')) !== SKH; i++)
        await page.keyboard.press('ArrowDown');
      await page.keyboard.press('Tab');
    }
    expect(await focused(page)).toBe('slotId');
    await page.waitForFunction(
      () => (document.getElementById('slotId') as HTMLSelectElement).options.length > 1,
    );
    if (!(await value(page, 'slotId'))) await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('language');
    await page.keyboard.press('Enter');
  }

  async function expectBooked(page: Page, who: Person) {
    // The previous person's answer stays until this one's comes.
    await page
      .locator('#answer.booked', { hasText: `${who.firstName} ${who.lastName}` })
      .waitFor({ timeout: 30_000 });
    const [row] = await prisma.$queryRaw<{ id: string; reference: string; entered_by: string }[]>`
      SELECT id::text, reference, entered_by FROM booking.bookings
      WHERE campaign_id = ${campaignId} AND citizen_id = ${who.citizenId} AND status = 'confirmed'`;
    expect(row).toBeDefined();
    await page.waitForFunction(
      (ref) => document.getElementById('answer-reference')?.textContent === ref,
      row!.reference,
    );
    const answer = await page.locator('#answer').innerText();
    expect(answer).toContain(`${who.firstName} ${who.lastName}`);
    expect(answer).toContain('โรงพยาบาลสมุทรสาคร');
    // Cleared for the next person, the cursor back on the first field.
    for (const id of [
      'citizenId',
      'firstName',
      'lastName',
      'birthDate',
      'phone',
      'provinceCode',
      'groupCode',
    ])
      expect(await value(page, id)).toBe('');
    expect(await focused(page)).toBe('citizenId');
    return row!;
  }

  const todayText = (page: Page) => page.locator('#today').innerText();

  for (const [label, viewport] of [
    ['desktop 1366x768', { width: 1366, height: 768 }],
    ['tablet 768x1024', { width: 768, height: 1024 }],
  ] as const) {
    it(`books, refuses, finds, cancels and prints at ${label}, by keyboard`, async () => {
      const subject = `agent-${viewport.width}`;
      const agent = tokens.signOps({ subject, role: 'agent', channel: 'call_center', ttlSeconds: 600 });
      const context = await browser.newContext({ viewport, locale: 'th-TH' });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(`${base}/agent/?campaign=${campaignId}#token=${agent}`);
      await page.locator('#desk').waitFor({ state: 'visible' });
      expect(page.url()).not.toContain('token=');
      expect(await page.locator('#who').innerText()).toBe(`${subject} · คอลเซ็นเตอร์`);
      await page.waitForFunction(() => /บันทึก 0 ราย/.test(document.getElementById('today')!.textContent!));
      expect(await page.locator('#siteId').isDisabled()).toBe(false);

      // Two people in a row, by keyboard only.
      const first = person({ firstName: 'บุญมี', lastName: 'มีสุข' });
      const second = person({ firstName: 'สมศรี', lastName: 'ใจงาม' });
      await typePerson(page, first);
      const firstRow = await expectBooked(page, first);
      expect(firstRow.entered_by).toBe(`agent:${subject}`);
      await page.screenshot({ path: path.join(SCREENSHOTS, `agent-page-${viewport.width}-booked.png`) });
      await typePerson(page, second);
      const secondRow = await expectBooked(page, second);
      // The answer is on screen without scrolling, at both widths.
      const box = (await page.locator('#answer').boundingBox())!;
      expect(box.y + box.height).toBeLessThanOrEqual(viewport.height);
      expect(secondRow.reference).not.toBe(firstRow.reference);

      // The day's count catches up once the roster has the two bookings.
      await page.waitForFunction(
        () => /บันทึก 2 ราย/.test(document.getElementById('today')!.textContent!),
        null,
        {
          timeout: 30_000,
        },
      );

      // The slip: printed alone, the reference large, no citizen ID or phone on it.
      await page.emulateMedia({ media: 'print' });
      expect(await page.locator('#slip').isVisible()).toBe(true);
      expect(await page.locator('#entry').isVisible()).toBe(false);
      const slip = await page.locator('#slip').innerText();
      expect(slip).toContain(secondRow.reference);
      expect(slip).toContain('สมศรี ใจงาม');
      expect(slip).toContain('Samut Sakhon Hospital');
      expect(slip).toMatch(/2564 เวลา 09:00 น\./);
      expect(slip).toMatch(/Monday,? 2 August 2021 at 09:00/);
      expect(slip).not.toContain(second.citizenId);
      expect(slip).not.toContain(national(second.phone));
      await page.screenshot({ path: path.join(SCREENSHOTS, `agent-page-${viewport.width}-slip.png`) });
      // On A6 (the page's @page size) the slip is one page.
      const pdf = (await page.pdf({ preferCSSPageSize: true })).toString('latin1');
      expect(pdf.match(/\/Type\s*\/Page\b/g)).toHaveLength(1);
      expect(pdf).toMatch(/\/MediaBox\s*\[0 0 29[78](\.\d+)? 4(19|20)(\.\d+)?\]/);
      await page.emulateMedia({ media: 'screen' });
      // Emulated print media hides the form and so drops its focus (a real print does not).
      await page.focus('#citizenId');

      // Refused: the Thai and English message, the field marked and focused, nothing cleared.
      const wrong = person();
      await typePerson(page, { ...wrong, citizenId: '1234567890123' });
      await page.locator('#answer.refused').waitFor({ timeout: 30_000 });
      const refusal = await page.locator('#answer-body').innerText();
      expect(refusal).toMatch(/[\u0E00-\u0E7F]/);
      expect(refusal).toMatch(/[A-Za-z]{3}/);
      expect(await page.getAttribute('#citizenId', 'aria-invalid')).toBe('true');
      expect(await page.locator('#err-citizenId').isVisible()).toBe(true);
      expect(await focused(page)).toBe('citizenId');
      expect(await value(page, 'firstName')).toBe(wrong.firstName);
      expect(await todayText(page)).toContain('บันทึก 2 ราย');

      // Search by citizen ID finds the first booking; cancel it after a confirm step.
      await page.fill('#q', first.citizenId);
      await page.press('#q', 'Enter');
      const item = page.locator(`li[data-booking="${firstRow.id}"]`);
      await item.waitFor({ timeout: 30_000 });
      expect(await item.innerText()).toContain(firstRow.reference);
      await item.getByRole('button', { name: 'ยกเลิกนัด' }).click();
      expect((await bookingStatus(firstRow.id)).status).toBe('confirmed');
      await item.getByRole('button', { name: 'ยืนยัน ยกเลิก' }).click();
      await item.locator('.status-cancelled').waitFor({ timeout: 30_000 });
      expect(await bookingStatus(firstRow.id)).toEqual({
        status: 'cancelled',
        cancelled_by: `agent:${subject}`,
      });
      await page.waitForFunction(
        () => /คงอยู่ 1\)/.test(document.getElementById('today')!.textContent!),
        null,
        {
          timeout: 30_000,
        },
      );

      // Search by phone, then move the second person to 10:00 with their ID and birth date.
      await page.fill('#q', national(second.phone));
      await page.press('#q', 'Enter');
      const other = page.locator(`li[data-booking="${secondRow.id}"]`);
      await other.waitFor({ timeout: 30_000 });
      await other.getByRole('button', { name: 'เลื่อนนัด' }).click();
      await other.locator('form.move select option').nth(0).waitFor({ state: 'attached' });
      await other.locator('form.move input').first().fill(second.citizenId);
      expect(await other.locator('form.move input').nth(1).inputValue()).toBe(second.birthDate);
      await other.locator('form.move select').selectOption(slot(SKH, '10:00'));
      await other.getByRole('button', { name: 'บันทึกเวลาใหม่' }).click();
      await other.locator('form.move').waitFor({ state: 'detached', timeout: 30_000 });
      expect(await other.innerText()).toContain('10:00');
      const [moved] = await prisma.$queryRaw<{ slot_id: string }[]>`
        SELECT slot_id FROM booking.bookings WHERE id = ${secondRow.id}::uuid`;
      expect(moved!.slot_id).toBe(slot(SKH, '10:00'));

      // Both widths: nothing wider than the screen.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
        viewport.width,
      );
      await page.screenshot({
        path: path.join(SCREENSHOTS, `agent-page-${viewport.width}-search.png`),
        fullPage: true,
      });

      // A walk-in counter at SKH: its site only, not even a stop for the Tab key.
      const counter = tokens.signOps({
        subject: `desk-${viewport.width}`,
        role: 'agent',
        channel: 'walk_in',
        site: SKH,
        ttlSeconds: 600,
      });
      const desk = await context.newPage();
      desk.on('pageerror', (error) => errors.push(error.message));
      await desk.goto(`${base}/agent/?campaign=${campaignId}#token=${counter}`);
      await desk.locator('#desk').waitFor({ state: 'visible' });
      expect(await desk.locator('#who').innerText()).toBe(
        `desk-${viewport.width} · จุดลงทะเบียนหน้างาน · โรงพยาบาลสมุทรสาคร`,
      );
      expect(await desk.locator('#siteId').isDisabled()).toBe(true);
      expect(await desk.inputValue('#siteId')).toBe(SKH);
      expect(await desk.locator('#siteId option:not([disabled])').count()).toBe(1);
      const walkIn = person();
      await typePerson(desk, walkIn, { siteTab: false });
      const walkInRow = await expectBooked(desk, walkIn);
      expect(walkInRow.entered_by).toBe(`agent:desk-${viewport.width}`);
      expect(errors).toEqual([]);
      await context.close();
    });
  }

  async function bookingStatus(id: string) {
    const [row] = await prisma.$queryRaw<{ status: string; cancelled_by: string | null }[]>`
      SELECT status, cancelled_by FROM booking.bookings WHERE id = ${id}::uuid`;
    return row!;
  }
});
