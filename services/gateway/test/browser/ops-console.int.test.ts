import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, BrowserContext } from 'playwright-core';
import { REPO_ROOT } from '../../../../infra/local/services';
import { createTopics, deleteTopics } from '../../../../infra/local/kafka-admin';
import { eventually, freePort, sampleCampaign, uniqueNamespace } from '../../../../test/support/env';
import { startService, type RunningService } from '../../../../test/support/services';
import { generateSigningKey, Keyring, privateKeyPem } from '../../src/waiting-room/tokens/keyring';
import { QueueTokens } from '../../src/waiting-room/tokens/queue-tokens';
import { client, type Json } from '../booking-fixtures';
import { closeRedis, deleteNamespace, testRedis } from '../waiting-room-fixtures';
import { launchChromium, SCREENSHOTS } from './browser-support';
import {
  columns,
  expectUsable,
  figure,
  GRID,
  numberOf as number,
  OverviewWatch,
  Residents,
  updatedAt,
} from './ops-console-support';

const INTERNAL_TOKEN = 'internal-token-for-tests-0123456789';

/**
 * The ops console (services/gateway/public/ops) in Debian chromium against the four real
 * services (gateway, booking worker with its outbox relay, roster, notification through
 * Kannel): residents join with proof of work, are admitted and book, SMS go out, and the
 * console's figures move with the overview API; at tablet width an operator pauses the room
 * from the console and admission stops, with the pause in the audit log under their name.
 */
describe('ops console in a browser', () => {
  const namespace = uniqueNamespace('ops-console');
  const campaignId = `ops-console-${namespace.slice(-6)}`;
  const key = generateSigningKey('ops-console');
  const tokens = new QueueTokens(new Keyring(key), { ticketTtlSeconds: 3600 });
  const operator = 'ops-somchai';
  const opsToken = tokens.signOps({ subject: operator, role: 'ops', ttlSeconds: 1200 });
  const staffToken = tokens.signOps({ subject: 'nurse-b', role: 'staff', ttlSeconds: 600, site: 'SKH' });
  const redis = testRedis();
  const services: RunningService[] = [];
  let gateway: RunningService;
  let browser: Browser;
  let base = '';
  const call = client(() => base);
  let watch: OverviewWatch;

  beforeAll(async () => {
    await createTopics(namespace);
    const worker = await startService('booking-worker', namespace, {
      INTERNAL_API_TOKEN: INTERNAL_TOKEN,
      SNAPSHOT_INTERVAL_MS: '500',
      DATABASE_POOL_SIZE: '4',
    });
    const notificationPort = await freePort();
    const [roster, notification] = await Promise.all([
      startService('roster', namespace),
      startService('notification', namespace, {
        PORT: String(notificationPort),
        DLR_BASE_URL: `http://127.0.0.1:${notificationPort}`,
      }),
    ]);
    gateway = await startService('gateway', namespace, {
      GATEWAY_SIGNING_KEY: privateKeyPem(key),
      GATEWAY_SIGNING_KEY_ID: key.kid,
      BOOKING_API_URL: `http://127.0.0.1:${worker.port}`,
      ROSTER_API_URL: `http://127.0.0.1:${roster!.port}`,
      INTERNAL_API_TOKEN: INTERNAL_TOKEN,
      // Real proof of work (small), ten admissions a second: a surge the eye can follow.
      WAITING_ROOM_OUTFLOW_PER_MINUTE: '600',
      WAITING_ROOM_POW_DIFFICULTY: '8',
      WAITING_ROOM_TICK_MS: '200',
    });
    services.push(gateway, worker, roster!, notification!);
    base = `http://127.0.0.1:${gateway.port}`;
    const loaded = await call('PUT', `/api/admin/campaigns/${campaignId}`, {
      token: opsToken,
      body: sampleCampaign(campaignId, {
        opensAt: new Date(Date.now() - 60_000).toISOString(),
        slotGrid: GRID,
      }),
    });
    expect(loaded.status).toBe(200);
    await eventually(
      async () => (await call('GET', `/api/campaigns/${campaignId}`)).status === 200,
      30_000,
      'campaign snapshot published',
    );
    watch = new OverviewWatch(call, `/api/admin/ops/overview?campaignId=${campaignId}`, opsToken);
    // The overview answers once every service has reported (heartbeats every 2 s).
    await eventually(
      async () => {
        const { status, body } = await call('GET', `/api/admin/ops/overview?campaignId=${campaignId}`, {
          token: opsToken,
        });
        const seen = new Set((body.replicas ?? []).map((r: Json) => r.service));
        return status === 200 && seen.size === 4;
      },
      30_000,
      'all four services in the overview',
    );
    watch.start();
    browser = await launchChromium();
  });

  afterAll(async () => {
    await watch?.stop();
    await browser?.close();
    const codes = await Promise.all(services.map(async (s) => [s.name, await s.stop()] as const));
    await deleteTopics(namespace).catch(() => undefined);
    await deleteNamespace(redis, namespace);
    await closeRedis(redis);
    expect(codes.filter(([, code]) => code !== 0)).toEqual([]);
  });

  const residents = new Residents(call, campaignId);

  async function openConsole(width: number, height: number, token?: string) {
    const context = await browser.newContext({ viewport: { width, height }, locale: 'th-TH' });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const hash = token ? `#token=${token}` : '';
    await page.goto(`${base}/ops/?campaign=${campaignId}${hash}`);
    return { context, page, errors };
  }

  async function cookieOf(context: BrowserContext) {
    return (await context.cookies(`${base}/ops/queues`)).find((c) => c.name === 'khiw_ops');
  }

  it('at desktop width follows a real surge (joins, admissions, bookings, SMS) within 2 s of the overview API', async () => {
    const { context, page, errors } = await openConsole(1280, 900, opsToken);
    await page.locator('#console').waitFor({ state: 'visible' });
    expect(page.url()).not.toContain('token=');
    expect(await page.locator('#who').innerText()).toContain(operator);
    // Signing in handed bull-board its cookie; the link is there.
    expect(await cookieOf(context)).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/ops' });
    expect(await page.locator('#queues-link').getAttribute('href')).toBe('/ops/queues');
    // The console shows as soon as the token is accepted; the campaign list fills just after.
    await eventually(
      async () => (await page.inputValue('#campaign')) === campaignId,
      10_000,
      'campaign chosen',
    );
    await eventually(async () => (await figure(page, 'room.state')) === 'open', 15_000, 'room open');
    expect(await columns(page)).toBeGreaterThanOrEqual(3);
    await expectUsable(page, 1280);
    await watch.expectPageCurrent(page);
    const before = {
      joins: await number(page, 'room.joins'),
      admitted: await number(page, 'room.admittedTotal'),
      doses: await number(page, 'doses.remaining'),
      group: await number(page, 'doses.group.elderly70'),
      web: await number(page, 'channels.booked.web'),
    };

    // The surge: 24 residents join at once, are admitted, and 12 of them book.
    const joining = 24;
    const booking = 12;
    const tickets = await Promise.all(Array.from({ length: joining }, () => residents.join()));
    await eventually(
      async () => (await number(page, 'room.joins')) === before.joins + joining,
      5000,
      'the console to count the joins',
    );
    const accessTokens = await Promise.all(tickets.map((ticket) => residents.admitted(ticket)));
    await eventually(
      async () => (await number(page, 'room.admittedTotal')) >= before.admitted + joining,
      5000,
      'the console to count the admissions',
    );
    await watch.expectPageCurrent(page);
    const outcomes = await Promise.all(
      accessTokens.slice(0, booking).map((token, i) => residents.book(token, i)),
    );
    expect(outcomes.map((o) => o.status)).toEqual(Array(booking).fill('confirmed'));
    await eventually(
      async () =>
        (await number(page, 'doses.remaining')) === before.doses - booking &&
        (await number(page, 'doses.group.elderly70')) === before.group - booking,
      10_000,
      'the console to count the doses booked',
    );
    // Per channel (issue 11): the web took them all; the roster's site-day-channel table is drawn.
    await eventually(
      async () => (await number(page, 'channels.booked.web')) === before.web + booking,
      10_000,
      'the console to count the web channel',
    );
    expect(await page.locator('#channel-days-head th').count()).toBeGreaterThanOrEqual(3);
    // Decisions per second are a 10 s window: the console shows the burst while it lasts.
    await eventually(
      async () => (await number(page, 'booking.decisionsPerSecond.confirmed')) > 0,
      10_000,
      'confirmed decisions per second on the console',
      100,
    );
    // The confirmations reach the SMS gateway through Kafka and the notification service.
    await eventually(
      async () => (await number(page, 'sms.perMinute.sent')) > 0,
      60_000,
      'SMS sent per minute on the console',
      100,
    );
    await watch.expectPageCurrent(page);
    expect(await page.locator('[data-figure^="kafka.lag."]').count()).toBeGreaterThan(0);
    expect(
      await page.locator('[data-figure^="replica."][data-figure$=".ready"]').count(),
    ).toBeGreaterThanOrEqual(4);
    for (const dependency of ['redis', 'postgres', 'kafka', 'kannel']) {
      expect(await figure(page, `dependency.${dependency}`)).toBe('true');
    }
    // Thousands separated as Thai writes them.
    expect(await page.locator('[data-figure="doses.total"]').innerText()).toBe('30,000');
    // The charts of the last 30 minutes (history asked every 10 s) draw the surge too.
    await eventually(
      async () =>
        Number(await figure(page, 'history.smsSentPerMinute')) > 0 &&
        Number(await page.locator('#chart-waiting').getAttribute('data-points')) > 1,
      20_000,
      'the surge in the history charts',
    );
    expect(await page.locator('#chart-smsSentPerMinute svg path.line').getAttribute('d')).toMatch(
      /^M[\d.]+,[\d.]+L/,
    );
    expect(await page.locator('#chart-smsSentPerMinute svg').getAttribute('aria-label')).toMatch(
      /^SMS ส่ง\/นาที ย้อนหลัง 30 นาที: ล่าสุด [\d,.]+ สูงสุด [\d,.]+$/,
    );

    await page.screenshot({ path: path.join(SCREENSHOTS, 'ops-console-desktop.png'), fullPage: true });
    if (process.env.KHIW_SCREENSHOT === '1') {
      // For docs/operations.md (written in English): the console in English.
      await page.click('#lang');
      await eventually(
        async () => (await page.locator('#h-room').innerText()) === 'Waiting room',
        5000,
        'English',
      );
      mkdirSync(path.join(REPO_ROOT, 'docs/img'), { recursive: true });
      await page.screenshot({ path: path.join(REPO_ROOT, 'docs/img/ops-console.png'), fullPage: true });
    }
    expect(errors).toEqual([]);
    await context.close();
  });

  it('at tablet width pauses admission from the console: admission stops and the audit log names the operator', async () => {
    const { context, page, errors } = await openConsole(768, 1024);
    // Signing in by pasting the token, as an operator does.
    await page.locator('#sign-in').waitFor({ state: 'visible' });
    await page.fill('#token', opsToken);
    await page.click('#sign-in button[type=submit]');
    await page.locator('#console').waitFor({ state: 'visible' });
    await eventually(async () => (await figure(page, 'room.state')) === 'open', 15_000, 'room open');
    expect(await columns(page)).toBe(2);
    await expectUsable(page, 768);
    await watch.expectPageCurrent(page);

    // English, then the pause names its effect from the figures on screen.
    await page.click('#lang');
    await eventually(
      async () => (await page.locator('#h-room').innerText()) === 'Waiting room',
      5000,
      'English',
    );
    await page.click('#ctl-pause');
    const dialog = page.locator('#confirm');
    await dialog.waitFor({ state: 'visible' });
    expect(await page.locator('#confirm-effect').innerText()).toMatch(
      /^pauses admission: [\d,]+ people wait$/,
    );
    await page.click('#confirm-yes');
    await dialog.waitFor({ state: 'hidden' });
    await eventually(
      async () => (await figure(page, 'room.state')) === 'paused',
      5000,
      'paused on the console',
    );
    expect(await page.locator('#control-result').innerText()).toContain('done');
    expect(await page.locator('#ctl-pause').innerText()).toBe('Resume admission');

    // Residents keep coming; nobody is let in.
    const stats = () => call('GET', `/api/admin/campaigns/${campaignId}/stats`, { token: opsToken });
    const admittedBefore = (await stats()).body.totals.admitted as number;
    const newcomers = 5;
    await Promise.all(Array.from({ length: newcomers }, () => residents.join()));
    await eventually(
      async () => (await number(page, 'room.waiting')) >= newcomers,
      5000,
      'the newcomers waiting on the console',
    );
    // Four more answers on screen (each a poll paced by the server), admission still stands.
    const since = await updatedAt(page);
    await eventually(async () => (await updatedAt(page)) >= since + 4000, 15_000, 'four seconds of polls');
    expect(await number(page, 'room.admittedTotal')).toBe(admittedBefore);
    expect(await number(page, 'room.waiting')).toBeGreaterThanOrEqual(newcomers);
    const after = (await stats()).body;
    expect({ state: after.state, admitted: after.totals.admitted }).toEqual({
      state: 'paused',
      admitted: admittedBefore,
    });
    await watch.expectPageCurrent(page);

    // The audit log: the pause, under the operator's name, on the page and in the API.
    const row = page.locator('#audit tr', { hasText: 'paused: false → true' }).first();
    await eventually(async () => (await row.count()) > 0, 5000, 'the pause in the audit table').catch(
      async (error: Error) => {
        throw new Error(`${error.message}: ${(await page.locator('#audit tr').allInnerTexts()).join(' | ')}`);
      },
    );
    const cells = await row.locator('td').allInnerTexts();
    expect(cells[1]).toBe(operator);
    expect(cells[3]).toBe('paused: false → true');
    const audit = await call('GET', `/api/admin/campaigns/${campaignId}/audit?limit=50`, { token: opsToken });
    expect(audit.body.entries[0]).toMatchObject({
      operator,
      action: 'waiting-room.update',
      campaignId,
      detail: { changes: { paused: { before: false, after: true } } },
    });
    await page.screenshot({ path: path.join(SCREENSHOTS, 'ops-console-tablet.png'), fullPage: true });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('says "stale since" while the server fails, never asks twice at once, and recovers', async () => {
    const { context, page, errors } = await openConsole(1280, 900, opsToken);
    // An answer on screen (the panels exist with empty figures before the first one).
    await eventually(
      async () => Boolean(await page.locator('#updated').getAttribute('data-at')),
      15_000,
      'first figures',
    );
    // The gateway in trouble: every overview answers 503 after a moment.
    let inflight = 0;
    let most = 0;
    const asked: number[] = [];
    await page.route('**/api/admin/ops/overview?**', async (route) => {
      asked.push(Date.now());
      most = Math.max(most, ++inflight);
      await new Promise((resolve) => setTimeout(resolve, 300));
      inflight--;
      await route.fulfill({
        status: 503,
        contentType: 'application/json',
        body: JSON.stringify({
          error: { code: 'TEMPORARILY_UNAVAILABLE', message: { th: 'ระบบไม่ว่าง', en: 'Busy' } },
        }),
      });
    });
    const stale = page.locator('#stale');
    await stale.waitFor({ state: 'visible' });
    await eventually(async () => asked.length >= 4, 30_000, 'four failed polls');
    const updatedText = /(\d\d:\d\d:\d\d)/.exec(await page.locator('#updated').innerText())![1];
    expect(await stale.innerText()).toBe(`ข้อมูลค้างตั้งแต่ ${updatedText} น. เซิร์ฟเวอร์ไม่ตอบ กำลังลองใหม่`);
    expect(await page.locator('#panels').getAttribute('class')).toContain('is-stale');
    // The last figures stay on screen; one request at a time, never sooner than the backoff floor.
    expect(await figure(page, 'room.state')).not.toBeNull();
    expect(most).toBe(1);
    const gaps = asked.slice(1).map((at, i) => at - asked[i]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(300 + 500 - 50);

    // The handler of a poll still in flight finishes first: nothing answers a request twice.
    await page.unrouteAll({ behavior: 'wait' });
    await stale.waitFor({ state: 'hidden', timeout: 40_000 });
    expect(await page.locator('#panels').getAttribute('class')).not.toContain('is-stale');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('refuses a staff token with a message that says an ops token is needed', async () => {
    const { context, page, errors } = await openConsole(768, 1024, staffToken);
    const refusal = page.locator('#sign-in-error');
    await refusal.waitFor({ state: 'visible' });
    expect(await refusal.innerText()).toBe('โทเคนนี้เป็นของเจ้าหน้าที่หน้างาน (staff) ใช้คอนโซลนี้ไม่ได้ ต้องใช้โทเคน ops');
    expect(await page.locator('#console').isVisible()).toBe(false);
    expect(await cookieOf(context)).toBeUndefined();
    // The API says the same to the staff token.
    const answer = await call('GET', `/api/admin/ops/overview?campaignId=${campaignId}`, {
      token: staffToken,
    });
    expect(answer.status).toBe(403);
    expect(errors).toEqual([]);
    await context.close();
  });
});
