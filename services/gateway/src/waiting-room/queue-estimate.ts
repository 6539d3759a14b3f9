import type { RoomView } from './room-view';

/**
 * The ETA model (docs/waiting-room.md, "Honest ETA"):
 *   rate  = admissions per minute OBSERVED over the last few minutes in which people were
 *           waiting (falls back to the setting until 20 s of history exist), never above
 *           the current setting (an ops cut shows at once);
 *   away  = share of waiting tickets not seen for abandon-after: they are passed over at
 *           no cost, so only (1 - away) of the people ahead will use an admission;
 *   wait  = (ahead * (1 - away) + 1) / rate.
 */
export const MIN_HISTORY_MS = 20_000;
const MIN_SAMPLE_FOR_AWAY_SHARE = 20;

export interface AdmissionRate {
  /** Per minute, from history; null while there is too little. */
  observed: number | null;
  /** Per minute, what the estimate uses. */
  used: number;
}

export function admissionRate(view: RoomView): AdmissionRate {
  const buckets = view.rate.length;
  if (buckets === 0) return { observed: null, used: view.outflowPerMinute };
  const windowStart = (Math.floor(view.now / 60_000) - (buckets - 1)) * 60_000;
  const from = Math.max(windowStart, view.openedAt ?? 0, view.idleAt ?? 0);
  const elapsedMs = view.now - from;
  if (elapsedMs < MIN_HISTORY_MS) return { observed: null, used: view.outflowPerMinute };
  // Buckets before `from` hold admissions from before the idle spell: count only those after.
  const firstBucket = Math.floor(view.now / 60_000) - Math.floor(from / 60_000);
  const admitted = view.rate.slice(0, firstBucket + 1).reduce((a, b) => a + b, 0);
  const observed = admitted / (elapsedMs / 60_000);
  return { observed, used: Math.min(observed, view.outflowPerMinute) };
}

export function awayShare(view: RoomView): number {
  if (view.waitingSeen < MIN_SAMPLE_FOR_AWAY_SHARE) return 0;
  return Math.min(1, view.waitingAway / view.waitingSeen);
}

/** Seconds until `queueNumber` is let in; null when nothing is moving (outflow 0). */
export function estimateWaitSeconds(view: RoomView, queueNumber: number): number | null {
  const perSecond = admissionRate(view).used / 60;
  if (perSecond <= 0) return null;
  const ahead = Math.max(0, queueNumber - view.serving - 1);
  return Math.ceil((ahead * (1 - awayShare(view)) + 1) / perSecond);
}

/** Before opening: until the opening plus, on average, half the pre-queue ahead. */
export function estimatePrequeueWaitSeconds(view: RoomView): number | null {
  const untilOpen = Math.max(0, Math.ceil((view.opensAt - view.now) / 1000));
  const perSecond = view.outflowPerMinute / 60;
  if (perSecond <= 0) return null;
  return untilOpen + Math.ceil(view.prequeue / 2 / perSecond);
}

export const MIN_POLL_SECONDS = 2;
export const MAX_POLL_SECONDS = 60;

/**
 * When to ask again: about a tenth of the expected wait, 2 s near the front, 60 s far back,
 * ±20% jitter so clients that joined together do not poll together.
 */
export function pollAfterSeconds(
  position: number,
  waitSeconds: number | null,
  random: () => number = Math.random,
): number {
  if (waitSeconds === null) return 30;
  const base = position <= 20 ? MIN_POLL_SECONDS : waitSeconds / 10;
  const jittered = base * (0.8 + 0.4 * random());
  return Math.round(Math.min(MAX_POLL_SECONDS, Math.max(MIN_POLL_SECONDS, jittered)));
}

/** Pre-queue: wake up right after the opening, spread over 10 s so the front is not a spike. */
export function prequeuePollAfterSeconds(view: RoomView, random: () => number = Math.random): number {
  const untilOpen = Math.max(0, (view.opensAt - view.now) / 1000);
  const spread = untilOpen < 60 ? untilOpen + 1 + 10 * random() : untilOpen / 2;
  return Math.round(Math.min(MAX_POLL_SECONDS, Math.max(MIN_POLL_SECONDS, spread)));
}
