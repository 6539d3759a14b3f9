import { expect } from '@jest/globals';
import type { Page } from 'playwright-core';
import { slotId } from '@khiw/contracts';
import { eventually } from '../../../../test/support/env';
import { solveProofOfWork } from '../../src/waiting-room/proof-of-work';
import { decided, nextCitizenId, type Json, type client } from '../booking-fixtures';

/** The small slot grid the test campaign gets: three sites, two days, two times. */
export const GRID = { firstDay: '2021-08-02', days: 2, times: ['09:00', '10:00'], capacityPerSlotPerSite: 5 };
const SITES = ['SKH', 'KTB', 'BPH'];

/** Residents through the real gateway: the queue with proof of work, admission, a booking. */
export class Residents {
  constructor(
    private readonly call: ReturnType<typeof client>,
    private readonly campaignId: string,
  ) {}

  /** Challenge, proof of work, join; the ticket. */
  async join(): Promise<string> {
    const { body: challenge } = await this.call('GET', `/api/campaigns/${this.campaignId}/queue/challenge`);
    const nonce = solveProofOfWork(challenge.challenge, challenge.difficulty);
    const joined = await this.call('POST', `/api/campaigns/${this.campaignId}/queue`, {
      body: { challenge: challenge.challenge, nonce },
    });
    if (joined.status !== 201) throw new Error(`join: ${joined.status} ${JSON.stringify(joined.body)}`);
    return joined.body.ticket as string;
  }

  /** Polls the ticket's status until admitted; the access token. */
  admitted(ticket: string): Promise<string> {
    return eventually(
      async () => {
        const { body } = await this.call('GET', '/api/queue/status', { token: ticket });
        return body.state === 'admitted' ? (body.accessToken as string) : undefined;
      },
      60_000,
      'admission',
      250,
    );
  }

  /** Books one dose (the i-th spreads over sites and times); resolves when the worker has decided. */
  async book(accessToken: string, i: number): Promise<Json> {
    const site = SITES[i % SITES.length]!;
    const time = GRID.times[Math.floor(i / SITES.length) % GRID.times.length]!;
    const answer = await this.call('POST', '/api/bookings', {
      token: accessToken,
      body: {
        citizenId: nextCitizenId(),
        firstName: 'สมหญิง',
        lastName: `ทดสอบ${'กขคงจฉชซ'[i % 8]}`,
        birthDate: '1948-05-01',
        phone: `089${String(1_000_000 + Math.floor(Math.random() * 8_999_999))}`,
        groupCode: 'elderly70',
        provinceCode: '74',
        siteId: site,
        slotId: slotId(site, GRID.firstDay, time),
      },
    });
    if (answer.status !== 202) throw new Error(`booking: ${answer.status} ${JSON.stringify(answer.body)}`);
    return decided(this.call, answer.body.requestId, 60_000);
  }
}

/** One figure's `data-value` on the page (null when the page has no such figure). */
export const figure = (page: Page, name: string) =>
  page.locator(`[data-figure="${name}"]`).first().getAttribute('data-value');
export const numberOf = async (page: Page, name: string) => Number(await figure(page, name));
/** When the server wrote the answer on screen. */
export const updatedAt = async (page: Page) =>
  Date.parse((await page.locator('#updated').getAttribute('data-at'))!);

/** The panels of the first row side by side: how many columns the layout gave this width. */
export const columns = (page: Page) =>
  page.evaluate(() => {
    const tops = Array.from(document.querySelectorAll('.panel')).map((p) => p.getBoundingClientRect().top);
    return tops.filter((top) => Math.abs(top - tops[0]!) < 2).length;
  });

/** Usable at `width`: nothing sticks out sideways (wide tables scroll inside their panel). */
export async function expectUsable(page: Page, width: number) {
  const outside = await page.evaluate((w) => {
    const wide = Array.from(document.querySelectorAll('body *')).filter(
      (el) => el.getBoundingClientRect().right > w + 1 && !el.closest('.scroll'),
    );
    return wide
      .slice(0, 5)
      .map((el) => `${el.tagName}#${el.id}.${el.className}: ${el.getBoundingClientRect().right}`);
  }, width);
  expect(outside).toEqual([]);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
  for (const id of ['h-room', 'h-booking', 'h-sms', 'h-deps', 'h-controls', 'h-audit']) {
    expect(await page.locator(`#${id}`).isVisible()).toBe(true);
  }
}

/**
 * What the ops console must show for one `GET /api/admin/ops/overview` answer, by the
 * page's `data-figure` names (the value as the page's `data-value` writes it: '' for null).
 * Kept beside the test, from the contract, so a figure the page drops or mislabels fails.
 */
export function expectedFigures(o: Json): Record<string, string> {
  const f: Record<string, unknown> = {};
  const room = o.room ?? {};
  const settings = room.settings ?? {};
  Object.assign(f, {
    'room.state': room.state,
    'room.waiting': room.waiting,
    'room.prequeue': room.prequeue,
    'room.active': room.active,
    'room.admittedPerMinute.set': settings.outflowPerMinute,
    'room.admittedPerMinute.observed': room.admittedPerMinute?.observed,
    'room.etaLastPersonSeconds': room.etaLastPersonSeconds,
    'room.awayShare': room.abandoned?.awayShare,
    'room.admittedTotal': room.totals?.admitted,
    'room.joins': room.totals?.joins,
    'room.servingNumber': room.servingNumber,
    'room.lastNumber': room.lastNumber,
    'room.maxActive': settings.maxActive,
    'room.powDifficulty': settings.powDifficulty,
    'room.opensAt': settings.opensAt,
    'doses.remaining': o.campaign?.remainingDoses,
    'doses.total': o.campaign?.totalDoses,
    'booking.outboxAgeSeconds': o.booking?.outboxAgeSeconds,
    'sms.oldestUnsentSeconds': o.sms?.oldestUnsentSeconds,
    'roster.lagSeconds': o.roster?.lagSeconds,
  });
  for (const g of o.doses?.groups ?? []) {
    f[`doses.group.${g.code}`] = g.remaining;
    f[`doses.groupQuota.${g.code}`] = g.quota;
  }
  for (const s of o.doses?.sites ?? []) {
    f[`doses.site.${s.id}`] = s.remaining;
    for (const d of s.days ?? []) f[`doses.day.${s.id}.${d.date}`] = d.remaining;
  }
  for (const state of ['waiting', 'active', 'delayed', 'failed']) {
    f[`booking.queue.${state}`] = o.booking?.queue?.[state];
    f[`sms.queue.${state}`] = o.sms?.queue?.[state];
  }
  const perSecond: Record<string, number> = o.booking?.decisionsPerSecond ?? {};
  const outcomes = Object.keys(perSecond).sort();
  for (const outcome of outcomes) f[`booking.decisionsPerSecond.${outcome}`] = perSecond[outcome];
  f['booking.decisionsPerSecond.total'] = outcomes.length
    ? outcomes.reduce((sum, outcome) => sum + (perSecond[outcome] ?? 0), 0)
    : null;
  for (const what of ['sent', 'delivered', 'failed']) f[`sms.perMinute.${what}`] = o.sms?.perMinute?.[what];
  const lag: Record<string, number | null> = {};
  for (const { group, lag: behind } of o.kafka?.consumerLag ?? []) {
    lag[group] = typeof behind === 'number' ? (lag[group] ?? 0) + behind : (lag[group] ?? null);
  }
  for (const [group, behind] of Object.entries(lag)) f[`kafka.lag.${group}`] = behind;
  for (const d of o.dependencies ?? []) f[`dependency.${d.name}`] = d.ok;
  for (const r of o.replicas ?? []) {
    const id = `replica.${r.service}.${r.instance}`;
    Object.assign(f, {
      [`${id}.ready`]: r.ready,
      [`${id}.version`]: r.version,
      [`${id}.uptime`]: r.uptimeSeconds,
      [`${id}.lastSeen`]: r.lastSeenSeconds,
    });
  }
  return Object.fromEntries(
    Object.entries(f).map(([name, value]) => [
      name,
      value === null || value === undefined ? '' : String(value),
    ]),
  );
}

/** Every figure on the page: `data-figure` → `data-value`. */
export function pageFigures(page: Page): Promise<Record<string, string>> {
  return page.evaluate(() =>
    Object.fromEntries(
      Array.from(document.querySelectorAll<HTMLElement>('[data-figure]')).map((el) => [
        el.dataset.figure!,
        el.dataset.value ?? '',
      ]),
    ),
  );
}

/** Seconds that tick on their own (uptime, last report): a few seconds apart still agree. */
const TICKING = /\.(uptime|lastSeen)$/;

/**
 * Reads the overview API every `everyMs` in the background, as a second operator would, so a
 * page figure can be checked against what the API answered in the last 2 s.
 */
export class OverviewWatch {
  private readonly answers: { at: number; figures: Record<string, string> }[] = [];
  private running = false;
  private loop: Promise<void> = Promise.resolve();
  latest: Json | null = null;

  constructor(
    private readonly call: ReturnType<typeof client>,
    private readonly path: string,
    private readonly token: string,
    private readonly everyMs = 200,
  ) {}

  start(): void {
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        const answer = await this.call('GET', this.path, { token: this.token }).catch(() => null);
        if (answer?.status === 200) {
          this.latest = answer.body;
          this.answers.push({ at: Date.now(), figures: expectedFigures(answer.body) });
          while (this.answers.length && this.answers[0]!.at < Date.now() - 30_000) this.answers.shift();
        }
        await new Promise((resolve) => setTimeout(resolve, this.everyMs));
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /**
   * The figures of `page` that no API answer of the last 2 s supports: a word or flag must be
   * one the API gave; a number must lie within what it gave (the page's answer may fall
   * between two of ours while a surge moves it).
   */
  async lagging(page: Page): Promise<string[]> {
    const shown = await pageFigures(page);
    const now = Date.now();
    const recent = this.answers.filter((a) => a.at >= now - 2000 && a.at <= now);
    if (recent.length < 2) return ['(fewer than two API answers in the last 2 s)'];
    const names = new Set(recent.flatMap((a) => Object.keys(a.figures)));
    const wrong: string[] = [];
    for (const name of names) {
      const given = recent.map((a) => a.figures[name]).filter((v): v is string => v !== undefined);
      const value = shown[name];
      if (value === undefined) {
        wrong.push(`${name}: not on the page (API ${given.at(-1)})`);
        continue;
      }
      if (given.includes(value)) continue;
      const numbers = given.filter((v) => v !== '').map(Number);
      const n = value === '' ? NaN : Number(value);
      const slack = TICKING.test(name) ? 5 : 0;
      if (
        numbers.length &&
        numbers.every(Number.isFinite) &&
        Number.isFinite(n) &&
        n >= Math.min(...numbers) - slack &&
        n <= Math.max(...numbers) + slack
      ) {
        continue;
      }
      wrong.push(`${name}: page ${JSON.stringify(value)}, API ${JSON.stringify([...new Set(given)])}`);
    }
    return wrong;
  }

  /** Every figure of the page agrees with an API answer of the last 2 s (checked until it does, for `ms`). */
  async expectPageCurrent(page: Page, ms = 8000): Promise<void> {
    let last: string[] = [];
    await eventually(
      async () => {
        last = await this.lagging(page);
        return last.length === 0;
      },
      ms,
      'the page to show the figures the API gave within 2 s',
      250,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${last.slice(0, 20).join('\n')}`);
    });
  }
}
