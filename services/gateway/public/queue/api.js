// The gateway's waiting-room API (DESIGN.md section 4).
import { campaignPath, request } from '../shared/http.js';

export const api = {
  challenge: (campaignId) => request(`${campaignPath(campaignId)}/queue/challenge`),
  join: (campaignId, body, ticket) =>
    request(`${campaignPath(campaignId)}/queue`, { method: 'POST', body, token: ticket }),
  status: (ticket) => request('/api/queue/status', { token: ticket }),
  /** Public and CDN-cacheable: the serving counter and outflow, to move the position between polls. */
  roomState: (campaignId) => request(`${campaignPath(campaignId)}/queue/state`, { timeoutMs: 5000 }),
};
