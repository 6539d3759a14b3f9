import net from 'node:net';
import { describe, expect, it } from '@jest/globals';
import { newCampaignId, tinyCampaign } from '../../booking-worker/test/worker-fixtures';
import { expectProblem, gatewayWithWorker } from './gateway-with-worker';

/**
 * The holes found by hand in issue 13, closed: each malformed request gets a 4xx with the
 * JSON error envelope against a real gateway and worker, never a 500 or express's HTML.
 */
const env = gatewayWithWorker('malformed');
const b64 = (value: string) => Buffer.from(value).toString('base64url');
/** A token whose header is fine and whose claims are not JSON (jws.decode threw on it). */
const notJsonClaims = `${b64(JSON.stringify({ alg: 'ES256', typ: 'JWT', kid: 'test-key' }))}.${b64('{oops')}.c2ln`;

describe('malformed requests get the envelope', () => {
  const campaignId = newCampaignId('gw-bad');

  it('answers a token whose claims are not JSON with 401 on every route that takes a token', async () => {
    await env.loadThroughGateway(tinyCampaign(campaignId));
    const routes: [string, string, unknown?][] = [
      ['GET', '/api/queue/status'],
      ['POST', `/api/campaigns/${campaignId}/queue`, {}],
      ['POST', '/api/bookings', { campaignId }],
      ['POST', '/api/bookings', {}],
      ['GET', `/api/admin/campaigns/${campaignId}/stats`],
      ['PATCH', `/api/admin/campaigns/${campaignId}/waiting-room`, { paused: true }],
      ['POST', '/api/appointments/00000000-0000-4000-8000-000000000000/cancel', {}],
      ['GET', '/api/staff/me'],
    ];
    for (const [method, path, body] of routes) {
      const answer = await env.call(method, path, { token: notJsonClaims, body });
      expect({ path, status: answer.status }).toEqual({ path, status: 401 });
      expect(answer.body.error.code).toMatch(/^TOKEN_/);
    }
  });

  it('answers an undecodable path parameter with 400, not 500', async () => {
    for (const path of [
      '/api/campaigns/%ff',
      '/api/campaigns/%ff/queue/challenge',
      '/api/campaigns/%E0%A4/sites/SKH/slots',
      '/api/bookings/requests/%ff',
      '/api/appointments/%ff/cancel',
    ]) {
      const answer = await env.call(path.endsWith('cancel') ? 'POST' : 'GET', path, { body: undefined });
      expect({ path, status: answer.status }).toEqual({ path, status: 400 });
      expectProblem(answer, 400, 'INVALID_INPUT');
    }
  });

  it('answers an address under /api that no route takes with the JSON 404', async () => {
    for (const path of ['/api/bookings/requests/', '/api/nothing-here', '/api/campaigns/x/y/z']) {
      const answer = await env.call('GET', path);
      expect(answer.headers.get('content-type')).toMatch(/application\/json/);
      expectProblem(answer, 404, 'NOT_FOUND');
    }
  });

  it('says a campaign past its opening is open, not scheduled', async () => {
    const answer = await env.call('GET', `/api/campaigns/${campaignId}`);
    expect(answer.status).toBe(200);
    expect(Date.parse(answer.body.opensAt as string)).toBeLessThan(Date.now());
    expect(answer.body.state).toBe('open');
  });

  it('answers what the HTTP parser refuses (headers over 16 KiB, not HTTP) with the envelope, and closes', async () => {
    const raw = (request: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = net.connect(env.gatewayPort(), '127.0.0.1', () => socket.write(request));
        let text = '';
        socket.on('data', (chunk) => (text += chunk.toString('utf8')));
        socket.on('end', () => resolve(text));
        socket.on('error', reject);
      });
    const cases: [string, number, string][] = [
      [
        `GET /api/queue/status HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
        431,
        'HEADERS_TOO_LARGE',
      ],
      ['NOT HTTP AT ALL\r\n\r\n', 400, 'MALFORMED_REQUEST'],
    ];
    for (const [request, status, code] of cases) {
      const text = await raw(request);
      const [head, body] = text.split('\r\n\r\n');
      expect(head).toMatch(new RegExp(`^HTTP/1.1 ${status} `));
      expect(head).toMatch(/content-type: application\/json/i);
      const parsed = JSON.parse(body!) as { error: { code: string; message: { th: string; en: string } } };
      expect(parsed.error.code).toBe(code);
      expect(parsed.error.message.th.length).toBeGreaterThan(0);
    }
  });
});
