// The gateway's waiting-room API (DESIGN.md section 4), with errors sorted into
// "try again later" (network, 429, 5xx) and "the answer is no" (4xx).

export class ApiError extends Error {
  /**
   * @param {number} status HTTP status, 0 for a network failure or timeout
   * @param {{ code?: string, message?: { th: string, en: string } } | undefined} problem
   * @param {number | undefined} retryAfterSeconds from the Retry-After header
   */
  constructor(status, problem, retryAfterSeconds) {
    super(problem?.message?.en || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  get retriable() {
    return this.status === 0 || this.status === 408 || this.status === 429 || this.status >= 500;
  }
}

async function request(path, { method = 'GET', ticket, body, timeoutMs = 15000 } = {}) {
  const headers = { Accept: 'application/json' };
  if (ticket) headers.Authorization = `Bearer ${ticket}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
      signal: typeof AbortSignal.timeout === 'function' ? AbortSignal.timeout(timeoutMs) : undefined,
    });
  } catch {
    throw new ApiError(0, undefined, undefined);
  }
  let json;
  try {
    json = await response.json();
  } catch {
    json = undefined;
  }
  if (!response.ok) {
    const retryAfter = Number(response.headers.get('Retry-After'));
    throw new ApiError(response.status, json?.error, Number.isFinite(retryAfter) ? retryAfter : undefined);
  }
  return json;
}

const campaignPath = (campaignId) => `/api/campaigns/${encodeURIComponent(campaignId)}`;

export const api = {
  campaign: (campaignId) => request(campaignPath(campaignId)),
  challenge: (campaignId) => request(`${campaignPath(campaignId)}/queue/challenge`),
  join: (campaignId, body, ticket) =>
    request(`${campaignPath(campaignId)}/queue`, { method: 'POST', body, ticket }),
  status: (ticket) => request('/api/queue/status', { ticket }),
  /** Public and CDN-cacheable: the serving counter and outflow, to move the position between polls. */
  roomState: (campaignId) => request(`${campaignPath(campaignId)}/queue/state`, { timeoutMs: 5000 }),
};
