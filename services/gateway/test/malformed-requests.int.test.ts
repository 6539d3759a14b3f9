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
});
