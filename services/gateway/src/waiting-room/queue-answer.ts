import type { CampaignSnapshot } from '@khiw/contracts';
import {
  estimatePrequeueWaitSeconds,
  estimateWaitSeconds,
  pollAfterSeconds,
  prequeuePollAfterSeconds,
} from './queue-estimate';
import type { RoomView } from './room-view';

export type ResidentState = 'prequeue' | 'waiting' | 'admitted' | 'sold_out' | 'closed' | 'expired';

/** What join and status answer (DESIGN.md section 4, extended; see docs/waiting-room.md). */
export interface QueueAnswer {
  state: ResidentState;
  queueNumber: number | null;
  /** 1 = next in; 0 once admitted; null before a number is drawn or after the end. */
  position: number | null;
  aheadCount: number | null;
  estimatedWaitSeconds: number | null;
  pollAfterSeconds: number;
  servingNumber: number;
  opensAt: string;
  paused: boolean;
  /** Present when the client must store a new ticket (number drawn at opening, or renewed). */
  ticket?: string;
  accessToken?: string;
  accessExpiresAt?: string;
  maxBookings?: number;
  standbyOffered?: boolean;
  /** After sell-out, while the standby list has room: an access token to sign up for it. */
  standbyAccessToken?: string;
}

const base = (view: RoomView) => ({
  servingNumber: view.serving,
  opensAt: new Date(view.opensAt).toISOString(),
  paused: view.paused,
});

export function prequeueAnswer(view: RoomView): QueueAnswer {
  return {
    state: 'prequeue',
    queueNumber: null,
    position: null,
    aheadCount: null,
    estimatedWaitSeconds: estimatePrequeueWaitSeconds(view),
    pollAfterSeconds: prequeuePollAfterSeconds(view),
    ...base(view),
  };
}

/** `serving` from the status step itself (fresher than the view's). */
export function waitingAnswer(view: RoomView, queueNumber: number, serving: number): QueueAnswer {
  const position = Math.max(1, queueNumber - serving);
  const eta = estimateWaitSeconds({ ...view, serving }, queueNumber);
  return {
    state: 'waiting',
    queueNumber,
    position,
    aheadCount: position - 1,
    estimatedWaitSeconds: eta,
    pollAfterSeconds: pollAfterSeconds(position, eta),
    ...base(view),
    servingNumber: serving,
  };
}

export function admittedAnswer(
  view: RoomView,
  queueNumber: number,
  grant: { accessToken: string; expiresAtMs: number; maxBookings: number },
): QueueAnswer {
  return {
    state: 'admitted',
    queueNumber,
    position: 0,
    aheadCount: 0,
    estimatedWaitSeconds: 0,
    pollAfterSeconds: 30,
    ...base(view),
    accessToken: grant.accessToken,
    accessExpiresAt: new Date(grant.expiresAtMs).toISOString(),
    maxBookings: grant.maxBookings,
  };
}

export function endAnswer(
  view: RoomView,
  state: 'sold_out' | 'closed' | 'expired',
  queueNumber: number | null,
  snapshot: Pick<CampaignSnapshot, 'standbySize' | 'standbyCount'>,
): QueueAnswer {
  return {
    state,
    queueNumber,
    position: null,
    aheadCount: null,
    estimatedWaitSeconds: null,
    // Nothing will change for this ticket: ask rarely (the page may stop asking).
    pollAfterSeconds: 300,
    ...base(view),
    ...(state === 'sold_out' && { standbyOffered: standbyOffered(snapshot) }),
  };
}

/** Standby is offered while the standby list has room. */
export function standbyOffered(snapshot: Pick<CampaignSnapshot, 'standbySize' | 'standbyCount'>): boolean {
  return snapshot.standbySize > 0 && snapshot.standbyCount < snapshot.standbySize;
}
