import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import net from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { freePort, uniqueNamespace } from '../../../test/support/env';
import { startService, type RunningService } from '../../../test/support/services';
import { GatewayConfig } from '../src/config';
import { generateSigningKey, Keyring, privateKeyPem } from '../src/waiting-room/tokens/keyring';
import { QueueTokens } from '../src/waiting-room/tokens/queue-tokens';
import { launchChromium } from './browser/browser-support';
import { closeRedis, deleteNamespace, publishSnapshot, testRedis } from './waiting-room-fixtures';

/**
 * HTTP hygiene of the public port, against a real gateway in production mode: security
 * headers and a CSP that every page lives with (in chromium), CORS closed but for a listed
 * partner, /metrics only on the internal METRICS_PORT, the server's timeouts, and the pages'
 * single retry of an idempotent request after a connection reset.
 */
const HEADERS_TIMEOUT_MS = 2000;
const PARTNER = 'https://partner.example';
const namespace = uniqueNamespace('http-hygiene');
const campaignId = `hyg-${namespace.slice(-6)}`;
const key = generateSigningKey('test-key');
const tokens = new QueueTokens(new Keyring(key), { ticketTtlSeconds: 3600 });
const opsToken = tokens.signOps({ subject: 'test-ops', role: 'ops', ttlSeconds: 600 });
const redis = testRedis();
let gateway: RunningService;
let metricsPort: number;
let base: string;
let browser: Browser;

beforeAll(async () => {
  await publishSnapshot(redis, namespace, campaignId);
  metricsPort = await freePort();
  gateway = await startService('gateway', namespace, {
    NODE_ENV: 'production',
    GATEWAY_SIGNING_KEY: privateKeyPem(key),
    GATEWAY_SIGNING_KEY_ID: 'test-key',
    BOOKING_REQUEST_ID_SECRET: 'http-hygiene-test-secret-0123456789',
    INTERNAL_API_TOKEN: 'http-hygiene-internal-token-0123',
    METRICS_PORT: String(metricsPort),
    CORS_ALLOWED_ORIGINS: `${PARTNER}, https://other-partner.example:8443`,
    HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
    WAITING_ROOM_POW_DIFFICULTY: '8',
  });
  base = `http://127.0.0.1:${gateway.port}`;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  const code = await gateway?.stop();
  await deleteNamespace(redis, namespace);
  await closeRedis(redis);
  expect(code).toBe(0);
});

const policyOf = (header: string | null) =>
  new Map(
    (header ?? '')
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...values]) => [name, values.join(' ')]),
  );

describe('security headers', () => {
  it.each([
    '/',
    '/queue/',
    '/queue/queue.js',
    '/book/',
    '/lookup/',
    '/staff/',
    '/agent/',
    '/ops/',
    `/api/campaigns/${campaignId}`,
  ])('%s: a CSP without inline script or style, nosniff, no referrer, never framed', async (path) => {
    const response = await fetch(`${base}${path}`);
    expect(response.status).toBe(200);
    const csp = policyOf(response.headers.get('content-security-policy'));
    expect(csp.get('script-src')).toBe("'self'");
    expect(csp.get('style-src')).toBe("'self'");
    expect(csp.get('default-src')).toBe("'self'");
    expect(csp.get('object-src')).toBe("'none'");
    expect(csp.get('frame-ancestors')).toBe("'none'");
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('x-powered-by')).toBeNull();
  });

  it('relaxes inline styles for bull-board at /ops/queues only, scripts still same-origin', async () => {
    const board = await fetch(`${base}/ops/queues`, { headers: { authorization: `Bearer ${opsToken}` } });
    expect(board.status).toBe(200);
    const csp = policyOf(board.headers.get('content-security-policy'));
    expect(csp.get('style-src')).toBe("'self' 'unsafe-inline'");
    expect(csp.get('script-src')).toBe("'self'");
    expect(csp.get('frame-ancestors')).toBe("'none'");
    // Not a prefix match on the string: /ops/queuesX (a 404, express's own strict CSP) is not the board.
    const other = await fetch(`${base}/ops/queuesX`);
    expect(other.status).toBe(404);
    expect(other.headers.get('content-security-policy')).not.toMatch(/unsafe-inline/);
  });
});

describe('CORS', () => {
  const preflight = (origin: string) =>
    fetch(`${base}/api/queue/status`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization',
      },
    });

  it('answers a listed partner origin, with its own origin and no credentials', async () => {
    const answer = await preflight(PARTNER);
    expect(answer.status).toBe(204);
    expect(answer.headers.get('access-control-allow-origin')).toBe(PARTNER);
    expect(answer.headers.get('access-control-allow-headers')).toMatch(/authorization/i);
    expect(answer.headers.get('access-control-allow-credentials')).toBeNull();
    const get = await fetch(`${base}/api/campaigns/${campaignId}`, { headers: { origin: PARTNER } });
    expect(get.headers.get('access-control-allow-origin')).toBe(PARTNER);
    expect(get.headers.get('vary')).toMatch(/origin/i);
  });

  it('gives any other origin no Access-Control-Allow-Origin, on the preflight and on the request', async () => {
    for (const origin of [
      'https://evil.example',
      'https://partner.example.evil',
      'null',
      'http://partner.example',
    ]) {
      // Not handled as CORS: express answers the OPTIONS itself (200 with Allow), no CORS headers.
      const answer = await preflight(origin);
      expect(answer.status).toBe(200);
      expect(answer.headers.get('access-control-allow-origin')).toBeNull();
      expect(answer.headers.get('access-control-allow-headers')).toBeNull();
      const get = await fetch(`${base}/api/campaigns/${campaignId}`, { headers: { origin } });
      expect(get.status).toBe(200);
      expect(get.headers.get('access-control-allow-origin')).toBeNull();
    }
  });

  it('is closed when no partner is configured', () => {
    const config = GatewayConfig.parse({});
    expect(config.CORS_ALLOWED_ORIGINS).toEqual([]);
    expect(GatewayConfig.safeParse({ CORS_ALLOWED_ORIGINS: '*' }).success).toBe(false);
    expect(GatewayConfig.safeParse({ CORS_ALLOWED_ORIGINS: 'https://a.example/path' }).success).toBe(false);
  });
});

describe('/metrics and /internal in production', () => {
  it('serves /metrics on METRICS_PORT only, never on the public port; /internal is not there', async () => {
    const onPublic = await fetch(`${base}/metrics`);
    expect(onPublic.status).toBe(404);
    expect(await onPublic.text()).not.toMatch(/khiw_/);
    const internal = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(internal.status).toBe(200);
    expect(await internal.text()).toMatch(/^khiw_readiness_check_up\{check="redis",service="gateway"\} 1$/m);
    for (const path of ['/internal/appointments/lookup', '/internal/registry/vaccinated']) {
      expect((await fetch(`${base}${path}`, { method: 'POST' })).status).toBe(404);
    }
    // The metrics listener serves nothing else (no pages, no API).
    expect((await fetch(`http://127.0.0.1:${metricsPort}/api/campaigns/${campaignId}`)).status).toBe(404);
  });

  it('refuses to start in production without METRICS_PORT', () => {
    const result = GatewayConfig.safeParse({ NODE_ENV: 'production' });
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((issue) => issue.path.join('.'))).toContain('METRICS_PORT');
  });
});

describe('server timeouts', () => {
  /** Opens a socket, runs `use`, resolves with what the server sent and when it closed. */
  const raw = (use: (socket: net.Socket) => void) =>
    new Promise<{ received: string; closedAfterMs: number }>((resolve) => {
      const socket = net.connect(gateway.port, '127.0.0.1');
      let received = '';
      let openedAt = 0;
      socket.on('connect', () => {
        openedAt = Date.now();
        use(socket);
      });
      socket.on('data', (chunk) => (received += chunk.toString('latin1')));
      socket.on('error', () => undefined);
      socket.on('close', () => resolve({ received, closedAfterMs: Date.now() - openedAt }));
    });

  it('closes a socket that never sends a byte, and answers 408 to headers that never end', async () => {
    const [silent, slow] = await Promise.all([
      raw(() => undefined),
      raw((socket) => {
        socket.write('GET / HTTP/1.1\r\nHost: x\r\n');
        const drip = setInterval(() => socket.writable && socket.write('X-A: b\r\n'), 300);
        socket.on('close', () => clearInterval(drip));
      }),
    ]);
    expect(silent.received).toBe('');
    expect(silent.closedAfterMs).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 100);
    expect(silent.closedAfterMs).toBeLessThan(HEADERS_TIMEOUT_MS + 3000);
    expect(slow.received).toMatch(/^HTTP\/1\.1 408 /);
    expect(slow.closedAfterMs).toBeLessThan(HEADERS_TIMEOUT_MS + 3000);
  });

  it('keeps an idle keep-alive connection past the headers timeout and says for how long', async () => {
    const answers: string[] = [];
    const result = await raw((socket) => {
      const ask = () => socket.write(`GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n`);
      socket.on('data', (chunk) => {
        answers.push(chunk.toString('latin1'));
        // Idle for longer than the headers timeout, then reuse the socket.
        if (answers.length === 1) setTimeout(ask, HEADERS_TIMEOUT_MS + 1500);
        else socket.end();
      });
      ask();
    });
    expect(answers).toHaveLength(2);
    expect(answers[1]).toMatch(/^HTTP\/1\.1 200 /);
    // 65 s: longer than the 60 s idle timeout of an AWS ALB or nginx in front.
    expect(answers[0]).toMatch(/\r\nKeep-Alive: timeout=65\r\n/i);
    expect(result.closedAfterMs).toBeGreaterThan(HEADERS_TIMEOUT_MS + 1500);
  });
});

describe('the pages in chromium', () => {
  /** Every CSP violation and console error of a page, with what a violation blocked. */
  async function visit(
    path: string,
    wait: (page: Page) => Promise<unknown>,
    headers?: Record<string, string>,
  ) {
    const context = await browser.newContext({ extraHTTPHeaders: headers });
    const page = await context.newPage();
    const problems: string[] = [];
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (event) =>
        console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI}`),
      );
    });
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(`${base}${path}`);
    await wait(page);
    await context.close();
    return problems;
  }

  it.each([
    ['/', (page: Page) => page.locator(`a[href="/queue/?campaign=${campaignId}"]`).first().waitFor()],
    // Joins with proof of work: the module worker runs under the policy.
    [
      `/queue/?campaign=${campaignId}`,
      (page: Page) => page.locator('#queue-number').filter({ hasText: /\d/ }).waitFor(),
    ],
    [`/book/?campaign=${campaignId}`, (page: Page) => page.waitForLoadState('networkidle')],
    [`/lookup/?campaign=${campaignId}`, (page: Page) => page.waitForLoadState('networkidle')],
    ['/staff/', (page: Page) => page.waitForLoadState('networkidle')],
    ['/agent/', (page: Page) => page.waitForLoadState('networkidle')],
    ['/ops/', (page: Page) => page.waitForLoadState('networkidle')],
  ])('%s runs with no CSP violation', async (path, wait) => {
    const problems = await visit(path, wait);
    expect(problems.filter((p) => /Content Security Policy|CSP violation|Refused to/i.test(p))).toEqual([]);
  });

  it('bull-board at /ops/queues renders under its own policy; only its Google Fonts are refused', async () => {
    const problems = await visit(
      '/ops/queues',
      (page) =>
        page
          .getByText(/booking/i)
          .first()
          .waitFor(),
      { authorization: `Bearer ${opsToken}` },
    );
    const violations = problems.filter((p) => /Content Security Policy|CSP violation|Refused to/i.test(p));
    expect(violations.filter((p) => !/fonts\.googleapis\.com/.test(p))).toEqual([]);
    // The listener does see violations: the refused Google Fonts stylesheet is one.
    expect(violations.some((p) => /fonts\.googleapis\.com/.test(p))).toBe(true);
  });

  it('retries an idempotent request once after a connection reset, and nothing else', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${base}/`);
    const plan: Record<string, string[]> = {};
    const sent: Record<string, number> = {};
    await page.route('**/api/probe/**', async (route) => {
      const name = new URL(route.request().url()).pathname.split('/').pop()!;
      sent[name] = (sent[name] ?? 0) + 1;
      const next = plan[name]?.shift();
      if (next === 'reset') await route.abort('connectionreset');
      else await route.fulfill({ status: 200, contentType: 'application/json', body: '{"ok":true}' });
    });
    Object.assign(plan, {
      get: ['reset', 'ok'],
      twice: ['reset', 'reset', 'ok'],
      post: ['reset', 'ok'],
      keyed: ['reset', 'ok'],
    });
    // A string, not a function: the page imports its own module (jest would compile import()).
    const outcomes = await page.evaluate(`(async () => {
      const { request } = await import('/shared/http.js');
      const outcome = (promise) => promise.then((answer) => answer, (error) => ({ failedWith: error.status }));
      return {
        get: await outcome(request('/api/probe/get')),
        twice: await outcome(request('/api/probe/twice')),
        post: await outcome(request('/api/probe/post', { method: 'POST', body: {} })),
        keyed: await outcome(request('/api/probe/keyed', { method: 'POST', body: {}, idempotent: true })),
      };
    })()`);
    await context.close();
    expect(outcomes).toEqual({
      get: { ok: true },
      twice: { failedWith: 0 },
      post: { failedWith: 0 },
      keyed: { ok: true },
    });
    expect(sent).toEqual({ get: 2, twice: 2, post: 1, keyed: 2 });
  });
});
