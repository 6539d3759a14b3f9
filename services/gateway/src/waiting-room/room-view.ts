/** A picture of one waiting room, read by the view-6 step once per tick. */
export interface RoomView {
  campaignId: string;
  /** Redis clock when read (ms). */
  now: number;
  opensAt: number;
  opened: boolean;
  openedAt: number | null;
  final: 'sold_out' | 'closed' | null;
  paused: boolean;
  outflowPerMinute: number;
  maxActive: number;
  powDifficulty: number;
  /** How long a place stays held after a booking, for the next family member's (s). */
  familyGraceSeconds: number;
  /** The serving counter: every number up to it has been let in (or passed over while away). */
  serving: number;
  /** The last number given out. */
  lastNumber: number;
  prequeue: number;
  waitingSeen: number;
  waitingAway: number;
  unclaimed: number;
  inForm: number;
  idleAt: number | null;
  /** Admissions per minute, current (partial) minute first. */
  rate: number[];
  totals: {
    joins: number;
    admitted: number;
    skipped: number;
    returned: number;
    expiredUnclaimed: number;
    expiredAccess: number;
    /** Places freed after bookings: released, all bookings spent, or the grace ran out. */
    finished: number;
    /** Of those, released by the page (the resident said done). */
    released: number;
    /** Of those, lapsed after the family grace (booked, then left without saying). */
    graceLapsed: number;
  };
}

const int = (value: unknown, fallback = 0): number => {
  const n = Number(value);
  return Number.isFinite(n) ? n : fallback;
};

export function parseRoomView(campaignId: string, json: string, familyGraceSeconds = 0): RoomView {
  const raw = JSON.parse(json) as Record<string, unknown>;
  const final = raw.final === 'sold_out' || raw.final === 'closed' ? raw.final : null;
  return {
    campaignId,
    now: int(raw.now, Date.now()),
    opensAt: int(raw.opensAt),
    opened: raw.opened === '1',
    openedAt: raw.openedAt === undefined ? null : int(raw.openedAt),
    final,
    paused: raw.paused === '1',
    outflowPerMinute: int(raw.outflowPerMinute),
    maxActive: int(raw.maxActive),
    powDifficulty: int(raw.powDifficulty),
    familyGraceSeconds: int(raw.familyGraceSeconds, familyGraceSeconds),
    serving: int(raw.serving),
    lastNumber: int(raw.next),
    prequeue: int(raw.prequeue),
    waitingSeen: int(raw.waitingSeen),
    waitingAway: int(raw.waitingAway),
    unclaimed: int(raw.unclaimed),
    inForm: int(raw.inForm),
    idleAt: raw.idleAt === undefined ? null : int(raw.idleAt),
    rate: Array.isArray(raw.rate) ? raw.rate.map((v) => int(v)) : [],
    totals: {
      joins: int(raw.joins),
      admitted: int(raw.admittedTotal),
      skipped: int(raw.skippedTotal),
      returned: int(raw.returnedTotal),
      expiredUnclaimed: int(raw.expiredUnclaimed),
      expiredAccess: int(raw.expiredAccess),
      finished: int(raw.finishedTotal),
      released: int(raw.releasedTotal),
      graceLapsed: int(raw.graceLapsedTotal),
    },
  };
}

export type PublicQueueState = 'prequeue' | 'open' | 'paused' | 'sold_out' | 'closed';

export function publicState(view: RoomView): PublicQueueState {
  if (view.final) return view.final;
  if (!view.opened && view.now < view.opensAt) return 'prequeue';
  return view.paused ? 'paused' : 'open';
}
