import { describe, expect, it } from '@jest/globals';
import { generateSigningKey, Keyring } from './keyring';
import { accessTokenCampaign, QueueTokens } from './queue-tokens';

const tokens = new QueueTokens(new Keyring(generateSigningKey()), { ticketTtlSeconds: 600 });
const access = tokens.signAccess({
  ticketId: 't1',
  campaignId: 'camp-a',
  queueNumber: 3,
  maxBookings: 5,
  expiresAtMs: Date.now() + 60_000,
});

// The booking route and POST /api/queue/release both find the campaign this way.
describe('accessTokenCampaign', () => {
  it("takes the body's campaignId when sent, so another campaign's token is refused as such", () => {
    expect(accessTokenCampaign(access, { campaignId: 'camp-b' })).toBe('camp-b');
  });

  it("falls back to the token's audience when the body names none (or nothing usable)", () => {
    expect(accessTokenCampaign(access, undefined)).toBe('camp-a');
    expect(accessTokenCampaign(access, { campaignId: 42 })).toBe('camp-a');
    expect(accessTokenCampaign(access, { campaignId: '../x' })).toBe('camp-a');
  });

  it('refuses a token that names no campaign as TOKEN_INVALID', () => {
    let thrown: unknown;
    try {
      accessTokenCampaign('not-a-token', {});
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: 'TOKEN_INVALID' });
  });
});
