import { describe, expect, it } from '@jest/globals';
import { eventually } from '../../../../test/support/env';
import { waitingRoomKeys } from '../../src/waiting-room/waiting-room-keys';
import { bookPageEnv, type Phone } from './book-page-support';

/**
 * Issue 14, on the booking page in chromium against the real gateway: once the resident is
 * done, the page hands the active place back (`POST /api/queue/release`) so the next person
 * in the queue gets in now. The outcomes are seeded into the tab's session (the form that
 * leads to them is book-page.int.test.ts'); the place and its release are the real ones.
 */
describe('booking page hands the active place back', () => {
  const env = bookPageEnv('book-release', { sample: {} });
  const campaignId = env.ids.sample;
  const releasedTotal = async () =>
    Number((await env.redis.hget(waitingRoomKeys(env.namespace, campaignId).room, 'releasedTotal')) ?? 0);

  /** The outcome step after `people` were booked, as the page shows it after a reload. */
  async function outcomeAfter({ page }: Phone, people: number): Promise<void> {
    await page.evaluate(
      ({ id, people }) => {
        const results = Array.from({ length: people }, (_, i) => ({
          requestId: `r${i}`,
          status: 'confirmed',
          name: `คนที่ ${i + 1}`,
          booking: { reference: `REF${i}`, siteId: 'SKH', startsAt: '2021-08-02T02:00:00.000Z' },
        }));
        const session = { choice: {}, person: {}, pending: null, results, last: `r${people - 1}` };
        sessionStorage.setItem(`khiw:book:${id}`, JSON.stringify(session));
      },
      { id: campaignId, people },
    );
    await page.reload();
    await page.locator('#view-outcome').waitFor({ state: 'visible' });
  }

  it('releases the place when the resident says done, and offers no more family bookings', async () => {
    const phone = await env.admittedPhone(campaignId, 360);
    const { page } = phone;
    await outcomeAfter(phone, 1);
    expect(await page.locator('#family').isVisible()).toBe(true);
    expect(await page.locator('#release').innerText()).toContain('คืนสิทธิ์');
    expect(await releasedTotal()).toBe(0);

    await page.click('#release');
    await page.locator('#released').waitFor({ state: 'visible' });
    expect(await page.locator('#family-row').isHidden()).toBe(true);
    await eventually(async () => (await releasedTotal()) === 1, 5000, 'the release');
    // A reload remembers it: no family booking offered on a place handed back.
    await page.reload();
    await page.locator('#released').waitFor({ state: 'visible' });
    expect(await page.locator('#family-row').isHidden()).toBe(true);
    expect(phone.errors).toEqual([]);
    await phone.context.close();
  });

  it('releases it by itself once nobody else can be booked on the token', async () => {
    const phone = await env.admittedPhone(campaignId, 360);
    await outcomeAfter(phone, 5);
    await eventually(async () => (await releasedTotal()) === 2, 5000, 'the automatic release');
    expect(await phone.page.locator('#family-row').isHidden()).toBe(true);
    expect(await phone.page.locator('#released').isHidden()).toBe(true);
    expect(phone.errors).toEqual([]);
    await phone.context.close();
  });
});
