// Each site's slots as last read, kept fresh while the form is open: a time that fills up
// shows full before the submit, not as a SLOT_FULL after it (issue 14).
import { slotsByDay } from '../shared/choice-controls.js';
import { ApiError, backoff, campaignPath } from '../shared/http.js';

const bySite = new Map(); // siteId → { days, slots, total, loading, readAt }
let maxAge = 5; // the gateway's Cache-Control max-age: never read more often than it caches

export const siteSlots = (siteId) => bySite.get(siteId);
export const slotOf = (siteId, slotId) => bySite.get(siteId)?.slots?.find((s) => s.id === slotId);
export const loadingSlots = (siteId) =>
  bySite.set(siteId, { ...(bySite.get(siteId) ?? { days: new Map(), total: 0 }), loading: true });

// Times the worker answered SLOT_FULL for: newer than any figure published before that answer.
const taken = new Set();
export function markTaken(siteId, slotId) {
  taken.add(slotId);
  if (bySite.has(siteId)) storeSlots(siteId, bySite.get(siteId).slots ?? []);
}

export function storeSlots(siteId, published) {
  const slots = published.map((s) => (taken.has(s.id) ? { ...s, remaining: 0 } : s));
  const total = slots.reduce((sum, s) => sum + Math.max(0, s.remaining), 0);
  bySite.set(siteId, { days: slotsByDay(slots), slots, total, readAt: Date.now() });
}

/**
 * One read. `cache: 'default'` (the poll) lets the browser and a CDN answer within max-age and
 * revalidate by ETag after it; 'no-cache' (just before a submit) asks the gateway.
 */
export async function readSlots(campaignId, siteId, cache = 'default') {
  let response;
  try {
    response = await fetch(`${campaignPath(campaignId)}/sites/${encodeURIComponent(siteId)}/slots`, {
      headers: { Accept: 'application/json' },
      cache,
      signal: AbortSignal.timeout?.(5000),
    });
  } catch {
    throw new ApiError(0);
  }
  if (!response.ok) {
    const retryAfter = Number(response.headers.get('Retry-After') || NaN);
    throw new ApiError(response.status, undefined, Number.isFinite(retryAfter) ? retryAfter : undefined);
  }
  const age = /max-age=(\d+)/.exec(response.headers.get('Cache-Control') ?? '');
  if (age) maxAge = Math.min(60, Number(age[1]));
  const answer = await response.json();
  storeSlots(siteId, answer.slots ?? []);
}

// 5-7.5 s with the gateway's max-age=5: a crowd on the form does not poll in step.
const pace = () => Math.max(5, maxAge) * 1000 * (1 + Math.random() / 2);

/**
 * Reads `wanted()`'s site (null: nothing to watch, e.g. the tab is hidden) every `pace`, and
 * tells `fresh(siteId)`. Failures are quiet: the next read comes later, after Retry-After.
 */
export function watchSlots(campaignId, wanted, fresh) {
  let timer = 0;
  let busy = false;
  const tick = async () => {
    if (busy) return;
    busy = true;
    clearTimeout(timer);
    let delay = pace();
    const siteId = wanted();
    if (siteId) {
      try {
        await readSlots(campaignId, siteId);
        fresh(siteId);
      } catch (error) {
        delay = Math.max(delay, backoff(3, error.retryAfterSeconds));
      }
    }
    busy = false;
    timer = setTimeout(tick, delay);
  };
  timer = setTimeout(tick, pace());
  // Back on the tab after a while: read now rather than show what may be minutes old.
  document.addEventListener('visibilitychange', () => {
    const siteId = wanted();
    if (siteId && Date.now() - (bySite.get(siteId)?.readAt ?? 0) > pace()) void tick();
  });
}
