import { describe, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { eventually } from '../../../../test/support/env';
import { admittedAccessToken, client, decided, nextCitizenId, validBooking } from '../booking-fixtures';
import { bookPageEnv } from './book-page-support';

/**
 * The booking form in a rush (issue 14), in chromium against the real gateway and worker: the
 * slot figures go stale while a person chooses and types. The page reads them again by itself,
 * shows a time that filled up as full before anything is sent, offers the next free times at
 * the SAME site for the person to pick, and once the doses are gone offers the standby list:
 * in every case with the details already entered kept, so only a confirm is left.
 */
const SITE_NAME = { KTB: 'โรงพยาบาลกระทุ่มแบน', SKH: 'โรงพยาบาลสมุทรสาคร' };
const sites = () =>
  Object.entries(SITE_NAME).map(([id, th]) => ({ id, name: { th, en: id }, kind: 'hospital' }));
const grid = (times: string[], capacity: number) => ({
  firstDay: '2021-08-02',
  days: 1,
  times,
  capacityPerSlotPerSite: capacity,
});

describe('booking page in a rush', () => {
  const env = bookPageEnv('book-rush', {
    // Two sites, three times of two places each, doses to spare.
    slots: { sites: sites(), slotGrid: grid(['09:00', '10:00', '11:00'], 2) },
    // Two doses (one per group), one place per time, a standby list of 5.
    standby: {
      totalDoses: 2,
      standbySize: 5,
      groups: [
        { code: 'elderly70', name: { th: 'ผู้สูงอายุ 70 ปีขึ้นไป', en: 'Elderly aged 70 and over' }, quota: 1 },
        { code: 'disabled', name: { th: 'ผู้พิการ', en: 'People with disabilities' }, quota: 1 },
      ],
      sites: sites(),
      slotGrid: grid(['09:00', '10:00'], 1),
    },
  });
  const call = client(() => env.base);
  const text = (page: Page, selector: string) => page.locator(selector).innerText();

  /** Other residents take places through the API while the page is open. */
  async function othersBook(campaignId: string, slots: string[], groupCode = 'elderly70') {
    const token = await admittedAccessToken(call, campaignId);
    for (const slotId of slots) {
      const body = validBooking({ groupCode, siteId: slotId.slice(0, 3), slotId, provinceCode: '74' });
      const submitted = await call('POST', '/api/bookings', { token, body });
      expect(submitted.status).toBe(202);
      expect(await decided(call, submitted.body.requestId)).toMatchObject({ status: 'confirmed' });
    }
  }

  /** The gateway's own figure for a slot (the page is not asked). */
  async function remaining(campaignId: string, slotId: string): Promise<number> {
    const answer = await call('GET', `/api/campaigns/${campaignId}/sites/${slotId.slice(0, 3)}/slots`);
    return (answer.body.slots as Array<{ id: string; remaining: number }>).find((s) => s.id === slotId)!
      .remaining;
  }

  async function choose(page: Page, siteId: string, time: string) {
    await page.locator('#groups label', { hasText: 'ผู้สูงอายุ 70 ปีขึ้นไป' }).click();
    await page.selectOption('#site', siteId);
    await page.locator('#day option[value="2021-08-02"]').waitFor({ state: 'attached' });
    await page.selectOption('#day', '2021-08-02');
    await page.locator('#times label', { hasText: `${time} น.` }).click();
  }

  async function fillPerson(page: Page) {
    await page.locator('#view-person').waitFor({ state: 'visible' });
    await page.fill('#firstName', 'สมศรี');
    await page.fill('#lastName', 'มีสุข');
    await page.fill('#citizenId', nextCitizenId());
    await page.fill('#birthDate', '1948-03-14');
    await page.fill('#phone', '081 234 5678');
    await page.check('#provinceOk');
    await page.click('#view-person button[type=submit]');
    await page.locator('#view-confirm').waitFor({ state: 'visible' });
  }

  /** The bodies of the page's `POST /api/bookings`. */
  function submitsOf(page: Page, onSubmit: () => void = () => undefined) {
    const submits: Array<Record<string, unknown>> = [];
    page.on('request', (r) => {
      if (r.method() !== 'POST' || !r.url().endsWith('/api/bookings')) return;
      submits.push(JSON.parse(r.postData() ?? '{}') as Record<string, unknown>);
      onSubmit();
    });
    return submits;
  }

  /** The page reads the slots from this stale copy until told otherwise. */
  async function staleSlots(page: Page, campaignId: string, siteId: string) {
    const path = `/api/campaigns/${campaignId}/sites/${siteId}/slots`;
    const body = await (await fetch(`${env.base}${path}`)).text();
    const copy = { on: true };
    await page.route(`**${path}`, (route) =>
      copy.on ? route.fulfill({ status: 200, contentType: 'application/json', body }) : route.continue(),
    );
    return copy;
  }

  it('shows a time that filled up while the person chose as full, and before the submit offers the next free times at the same site', async () => {
    const campaignId = env.ids.slots;
    const { context, page, errors } = await env.admittedPhone(campaignId, 360);
    const submits = submitsOf(page);
    await choose(page, 'KTB', '09:00');
    const nine = page.locator('#times input[value="KTB-20210802-0900"]');
    expect(await nine.isChecked()).toBe(true);

    // Both places at 09:00 go to others while this person is still on the step: the page reads
    // the figures again by itself, greys 09:00 out, un-picks it and says so.
    await othersBook(campaignId, ['KTB-20210802-0900', 'KTB-20210802-0900']);
    await page.locator('#times input[value="KTB-20210802-0900"]:disabled').waitFor({ timeout: 30_000 });
    expect(await nine.isChecked()).toBe(false);
    expect(await text(page, '#err-slotId')).toContain('รอบเวลาที่ท่านเลือกเพิ่งเต็ม กรุณาเลือกรอบเวลาอื่น');
    expect(await page.locator('#times label', { hasText: '09:00 น.' }).innerText()).toContain('เต็มแล้ว');
    await page.click('#view-choose button[type=submit]');
    expect(await page.locator('#view-choose').isVisible()).toBe(true);

    // 10:00 then; and while the person types, 10:00 fills up as well.
    await page.locator('#times label', { hasText: '10:00 น.' }).click();
    await page.click('#view-choose button[type=submit]');
    await fillPerson(page);
    await othersBook(campaignId, ['KTB-20210802-1000', 'KTB-20210802-1000']);
    await eventually(
      async () => (await remaining(campaignId, 'KTB-20210802-1000')) === 0 || undefined,
      10_000,
      '10:00 full at the gateway',
    );

    // Confirm: the page looks once more before sending (unless its own poll got there first
    // and took the button away), sends nothing, and offers what is still free at the same site
    // (11:00 at KTB; never a time at SKH) for the person to pick.
    await page
      .locator('#submit')
      .click({ timeout: 5000 })
      .catch(() => undefined);
    await page.locator('#confirm-offer button').first().waitFor({ state: 'visible' });
    expect(await text(page, '#confirm-offer')).toContain('รอบที่ยังว่างในสถานที่เดียวกัน');
    expect(await page.locator('#confirm-offer button').allInnerTexts()).toEqual([
      'จันทร์ 2 ส.ค. 2564 เวลา 11:00 น. (เหลือ 2 ที่)',
    ]);
    expect(await page.locator('#submit').isHidden()).toBe(true);
    expect(submits).toHaveLength(0);
    await page.locator('#confirm-offer button', { hasText: '11:00' }).click();
    expect(await text(page, '#c-when')).toBe('จันทร์ 2 ส.ค. 2564 เวลา 11:00 น.');
    expect(await text(page, '#c-site')).toBe(SITE_NAME.KTB);
    await page.click('#submit');
    await page.locator('#outcome-title', { hasText: 'จองสำเร็จ' }).waitFor({ timeout: 60_000 });
    expect(submits).toHaveLength(1);
    expect(submits[0]).toMatchObject({ siteId: 'KTB', slotId: 'KTB-20210802-1100' });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('after SLOT_FULL, offers the next free times at the same site and keeps the person: pick one, confirm', async () => {
    const campaignId = env.ids.slots;
    const { context, page, errors } = await env.admittedPhone(campaignId, 360);
    await choose(page, 'SKH', '09:00');
    await page.click('#view-choose button[type=submit]');
    await fillPerson(page);
    // The page's copy of the figures is stale (a cache) while SKH 09:00 fills up: the submit
    // goes out and the worker answers SLOT_FULL.
    const stale = await staleSlots(page, campaignId, 'SKH');
    const submits = submitsOf(page, () => (stale.on = false));
    await othersBook(campaignId, ['SKH-20210802-0900', 'SKH-20210802-0900']);
    await page.click('#submit');
    await page.locator('#outcome-offer button').first().waitFor({ state: 'visible', timeout: 60_000 });
    expect(await text(page, '#outcome-title')).toBe('ไม่สามารถจองได้');
    expect(await page.locator('#outcome-offer button').allInnerTexts()).toEqual([
      'จันทร์ 2 ส.ค. 2564 เวลา 10:00 น. (เหลือ 2 ที่)',
      'จันทร์ 2 ส.ค. 2564 เวลา 11:00 น. (เหลือ 2 ที่)',
    ]);

    // The person picks 10:00 and is at the confirm step with everything else as entered.
    await page.locator('#outcome-offer button', { hasText: '10:00' }).click();
    await page.locator('#view-confirm').waitFor({ state: 'visible' });
    expect(await text(page, '#c-when')).toBe('จันทร์ 2 ส.ค. 2564 เวลา 10:00 น.');
    expect(await text(page, '#c-site')).toBe(SITE_NAME.SKH);
    await page.click('#submit');
    await page.locator('#outcome-title', { hasText: 'จองสำเร็จ' }).waitFor({ timeout: 60_000 });
    expect(submits).toHaveLength(2);
    expect(submits[1]).toEqual({ ...submits[0], slotId: 'SKH-20210802-1000' });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('after an outcome that finds the doses gone, joins the standby list with the details already entered: the person only confirms', async () => {
    const campaignId = env.ids.standby;
    const { context, page, errors } = await env.admittedPhone(campaignId, 360);
    await choose(page, 'KTB', '09:00');
    await page.click('#view-choose button[type=submit]');
    await fillPerson(page);
    const entered = await text(page, '#summary');

    // Another resident takes KTB 09:00 (the other group's only dose); this page's figures are
    // stale, so its submit goes out and is answered SLOT_FULL while one dose is still left...
    const stale = await staleSlots(page, campaignId, 'KTB');
    const submits = submitsOf(page, () => (stale.on = false));
    await othersBook(campaignId, ['KTB-20210802-0900'], 'disabled');
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/api/bookings/requests/**', async (route) => {
      await held;
      await route.continue();
    });
    await page.click('#submit');
    await page.locator('#view-pending').waitFor({ state: 'visible' });
    const requestId = await page.evaluate(
      (id) => JSON.parse(sessionStorage.getItem(`khiw:book:${id}`) ?? '{}').pending.requestId as string,
      campaignId,
    );
    expect(await decided(call, requestId)).toMatchObject({ status: 'rejected', reason: 'SLOT_FULL' });
    // ...and the last dose goes before the page hears of it: the campaign is sold out.
    await othersBook(campaignId, ['SKH-20210802-0900']);
    await eventually(
      async () => (await call('GET', `/api/campaigns/${campaignId}`)).body.remainingDoses === 0 || undefined,
      10_000,
      'the sell-out published',
    );
    release();

    // The outcome offers the standby list with the same details, not an empty form.
    await page.locator('#standby-join').waitFor({ state: 'visible', timeout: 30_000 });
    expect(await text(page, '#outcome-title')).toBe('ไม่สามารถจองได้');
    expect(await text(page, '#outcome-offer')).toContain('ไม่ต้องกรอกใหม่');
    await page.click('#standby-join');
    await page.locator('#view-confirm').waitFor({ state: 'visible' });
    expect(await text(page, '#summary')).toBe(entered);
    expect(await text(page, '#submit')).toBe('ยืนยันลงชื่อสำรอง');
    expect(await page.locator('#standby-note').isVisible()).toBe(true);
    await page.click('#submit');
    await page.locator('#outcome-title', { hasText: 'ลงชื่อสำรองแล้ว' }).waitFor({ timeout: 60_000 });
    expect(await text(page, '#outcome-body')).toContain('ลำดับสำรองของท่าน: 1');
    // The same person and choice, sent again without anything typed twice.
    expect(submits).toHaveLength(2);
    expect(submits[1]).toEqual(submits[0]);
    expect(errors).toEqual([]);
    await context.close();
  });
});
