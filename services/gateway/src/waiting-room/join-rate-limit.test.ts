import { describe, expect, it } from '@jest/globals';
import type { Request, Response } from 'express';
import { JoinRateLimit, networkOf, type JoinBudget, type JoinLimits } from './join-rate-limit';

const DEFAULTS: JoinLimits = {
  joinsPerMinute: 6000,
  unredeemedChallengesPerMinute: 1200,
  failedJoinsPerMinute: 600,
};

interface Answer {
  passed: boolean;
  status?: number;
  retryAfter?: string;
  code?: string;
}

/** Runs a middleware on a request from `ip` and says what it did. */
function through(handler: JoinRateLimit['join'], ip: string): Answer {
  const answer: Answer = { passed: false };
  const headers: Record<string, string> = {};
  const res = {
    setHeader: (name: string, value: string) => (headers[name.toLowerCase()] = value),
    status(code: number) {
      answer.status = code;
      return this;
    },
    json(body: { error: { code: string } }) {
      answer.code = body.error.code;
      answer.retryAfter = headers['retry-after'];
      return this;
    },
  };
  void handler({ ip } as Request, res as unknown as Response, () => (answer.passed = true));
  return answer;
}

function setup(limits: Partial<JoinLimits> = {}) {
  const time = { now: 5_000_000 };
  const refused: JoinBudget[] = [];
  const limit = new JoinRateLimit(
    { ...DEFAULTS, ...limits },
    { now: () => time.now, onRefused: (b) => refused.push(b) },
  );
  /** One resident: a challenge, then a join that takes a new place with it. */
  const resident = (ip: string) => {
    const challenge = through(limit.challenge, ip);
    if (!challenge.passed) return challenge;
    const join = through(limit.join, ip);
    if (join.passed) limit.redeemed({ ip } as Request);
    return join;
  };
  return { limit, time, refused, resident };
}

describe('JoinRateLimit with the default budgets', () => {
  it('lets 2,000 residents behind one carrier-NAT address in within a second (the old 600/min let 300)', () => {
    const { resident, refused } = setup();
    const answers = Array.from({ length: 2000 }, () => resident('203.0.113.7'));
    expect(answers.filter((a) => a.passed).length).toBe(2000);
    expect(refused).toEqual([]);
  });

  it('sustains 6,000 joins a minute from one address, then answers 429 with Retry-After', () => {
    const { resident, time } = setup();
    let passed = 0;
    for (let second = 0; second < 120; second++) {
      for (let i = 0; i < 100; i++) if (resident('203.0.113.7').passed) passed++;
      time.now += 1000;
    }
    // 100 a second for two minutes: the budget's drain rate, so every one fits.
    expect(passed).toBe(12_000);
    const { resident: hammer } = setup();
    const answers = Array.from({ length: 10_000 }, () => hammer('198.51.100.1'));
    expect(answers.filter((a) => a.passed).length).toBe(6000);
    expect(answers[6000]).toMatchObject({
      passed: false,
      status: 429,
      code: 'RATE_LIMITED',
      retryAfter: '1',
    });
  });

  it('counts rejoins (refreshes) as joins, but never a status poll (no middleware there)', () => {
    const { limit } = setup({ joinsPerMinute: 10 });
    for (let i = 0; i < 10; i++) expect(through(limit.join, '203.0.113.7').passed).toBe(true);
    expect(through(limit.join, '203.0.113.7')).toMatchObject({ status: 429 });
    expect(through(limit.challenge, '203.0.113.7').passed).toBe(true);
  });

  it('refuses challenges fetched and never redeemed past 1,200, and a redeemed one gives its unit back', () => {
    const { limit, refused } = setup();
    let fetched = 0;
    while (through(limit.challenge, '198.51.100.2').passed) fetched++;
    expect(fetched).toBe(1200);
    expect(refused).toEqual(['challenges']);
    limit.redeemed({ ip: '198.51.100.2' } as Request);
    expect(through(limit.challenge, '198.51.100.2').passed).toBe(true);
    expect(through(limit.challenge, '198.51.100.2')).toMatchObject({ status: 429, retryAfter: '1' });
  });

  it('stops a network that keeps failing the work: after 600 failures, no challenge and no join', () => {
    const { limit, resident, refused, time } = setup();
    const ip = '198.51.100.3';
    let failures = 0;
    while (through(limit.join, ip).passed) {
      limit.failed({ ip } as Request);
      failures++;
    }
    expect(failures).toBe(600);
    expect(through(limit.challenge, ip)).toMatchObject({ status: 429, retryAfter: '1' });
    expect(refused).toEqual(['failures', 'failures']);
    // Its neighbour on another address is not touched.
    expect(resident('198.51.100.4').passed).toBe(true);
    // A failure drains in 0.1 s (600 a minute): the network may try again, and is stopped again.
    time.now += 1000;
    expect(resident(ip).passed).toBe(true);
  });

  it('is off when the join budget is 0, whatever the others say', () => {
    const { limit } = setup({ joinsPerMinute: 0, unredeemedChallengesPerMinute: 1, failedJoinsPerMinute: 1 });
    for (let i = 0; i < 50; i++) {
      expect(through(limit.challenge, '198.51.100.5').passed).toBe(true);
      limit.failed({ ip: '198.51.100.5' } as Request);
      expect(through(limit.join, '198.51.100.5').passed).toBe(true);
    }
  });
});

describe('networkOf', () => {
  it('keeps an IPv4 address whole (a carrier pool is many addresses of one /24)', () => {
    expect(networkOf('203.0.113.7')).toBe('203.0.113.7');
    expect(networkOf('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(networkOf('::FFFF:203.0.113.7')).toBe('203.0.113.7');
  });

  it('groups IPv6 by /64, however the address is written', () => {
    const net = '2001:db8:0:1::/64';
    for (const ip of [
      '2001:db8:0:1::1',
      '2001:db8:0:1:abcd:ef01:2345:6789',
      '2001:0DB8:0000:0001::ff',
      '2001:db8::1:0:0:0:9',
    ])
      expect(networkOf(ip)).toBe(net);
    expect(networkOf('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(networkOf('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(networkOf('64:ff9b::192.0.2.1')).toBe('64:ff9b:0:0::/64');
  });

  it('leaves what is not an address as it is', () => {
    for (const text of ['unknown', 'ff::ff::ff', '1:2:3']) expect(networkOf(text)).toBe(text);
  });
});
