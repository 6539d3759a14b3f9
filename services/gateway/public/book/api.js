// The gateway's booking API (DESIGN.md section 4).
import { request } from '../shared/http.js';

export { ApiError, backoff, jitter, request, sleep } from '../shared/http.js';

const enc = encodeURIComponent;

export const api = {
  campaign: (campaignId) => request(`/api/campaigns/${enc(campaignId)}`),
  slots: (campaignId, siteId) => request(`/api/campaigns/${enc(campaignId)}/sites/${enc(siteId)}/slots`),
  book: (token, body) => request('/api/bookings', { method: 'POST', token, body }),
  requestStatus: (requestId) => request(`/api/bookings/requests/${enc(requestId)}`),
};
