// The gateway's API: "try again later" (network, 429, 5xx) or "the answer is no" (4xx).

export class ApiError extends Error {
  constructor(status, problem, retryAfterSeconds) {
    super(problem?.message?.en || `HTTP ${status}`);
    this.status = status; // 0: network
    /** `{ code, message: {th, en}, fields?: {name: {th, en}} }` */
    this.problem = problem;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  get retriable() {
    return this.status === 0 || this.status === 408 || this.status === 429 || this.status >= 500;
  }
}

const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD']);

/**
 * `as: 'blob'` for a download. An idempotent request (GET, or a POST the server deduplicates:
 * `idempotent: true`) is sent once more when the connection is reset under it (fetch's
 * TypeError; not a timeout): a reused keep-alive socket that a proxy was closing.
 */
export async function request(
  path,
  {
    method = 'GET',
    token,
    body,
    timeoutMs = 15000,
    as = 'json',
    idempotent = IDEMPOTENT_METHODS.has(method),
  } = {},
) {
  const headers = { Accept: as === 'json' ? 'application/json' : '*/*' };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const send = () =>
    fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
      signal: typeof AbortSignal.timeout === 'function' ? AbortSignal.timeout(timeoutMs) : undefined,
    });
  let response;
  try {
    response = await send().catch((error) => {
      if (!idempotent || !(error instanceof TypeError)) throw error;
      return send();
    });
  } catch {
    throw new ApiError(0, undefined, undefined);
  }
  if (response.ok && as === 'blob') return response.blob();
  let json;
  try {
    json = await response.json();
  } catch {
    json = undefined;
  }
  if (!response.ok) {
    const retryAfter = Number(response.headers.get('Retry-After') || NaN);
    // The gateway wraps problems as { error: {...} }; accept a bare problem too.
    const problem = json?.error && typeof json.error === 'object' ? json.error : json;
    throw new ApiError(response.status, problem, Number.isFinite(retryAfter) ? retryAfter : undefined);
  }
  return json;
}

/** The connection note while retrying. */
export const troubleOf = (error) => (error?.status === 0 ? 'reconnecting' : 'busy');

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Exponential backoff with full jitter, capped at 30 s, never sooner than Retry-After. */
export const backoff = (attempt, retryAfter) =>
  Math.max(
    (retryAfter ?? 0) * 1000,
    Math.random() * Math.min(30_000, 1000 * 2 ** Math.min(attempt, 5)) + 500,
  );

/** ±10 %, so a crowd told "2 s" does not come back together. */
export const jitter = (seconds) => Math.max(1000, seconds * 1000 * (0.9 + Math.random() * 0.2));

/** Retries `load` until done (true) or told no (false). */
export async function retryUntilAnswered(load, show) {
  for (let attempt = 0; ; attempt++) {
    try {
      await load();
      show('');
      return true;
    } catch (error) {
      if (error instanceof ApiError && !error.retriable) return false;
      show('reconnecting');
      await sleep(backoff(attempt, error.retryAfterSeconds));
    }
  }
}

// The campaign routes every resident page reads.
export const campaignPath = (campaignId) => `/api/campaigns/${encodeURIComponent(campaignId)}`;

export const fetchCampaign = (campaignId) => request(campaignPath(campaignId));

export const fetchSlots = (campaignId, siteId) =>
  request(`${campaignPath(campaignId)}/sites/${encodeURIComponent(siteId)}/slots`);

/** Retried through network trouble; null once the gateway says there is none. */
export async function loadCampaign(campaignId, showConnection) {
  let campaign = null;
  const found = await retryUntilAnswered(async () => {
    campaign = await fetchCampaign(campaignId);
  }, showConnection);
  return found ? campaign : null;
}
