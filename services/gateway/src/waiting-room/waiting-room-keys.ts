import { campaignKey } from '@khiw/redis';

/**
 * The Redis keys of one campaign's waiting room. All share the `{campaignId}` hash tag
 * (campaignKey), so every Lua step touches one Redis Cluster slot.
 */
export function waitingRoomKeys(namespace: string, campaignId: string) {
  const key = (name: string) => campaignKey(namespace, campaignId, `wr:${name}`);
  return {
    /** hash: settings (outflowPerMinute, maxActive, paused, powDifficulty, familyGraceSeconds, opensAt), counters, flags */
    room: key('room'),
    /** hash: queue number -> ticket id */
    numbers: key('numbers'),
    /** list: ticket ids of the pre-queue, in arrival order, until the opening shuffle */
    pre: key('pre'),
    /** hash: ticket id -> queue number, for pre-queue tickets only */
    preNumbers: key('pre-numbers'),
    /** sorted set: queue number -> last seen (ms), for tickets still waiting */
    seen: key('seen'),
    /** sorted set: queue number -> claim deadline (ms) */
    unclaimed: key('unclaimed'),
    /** sorted set: queue number -> access expiry (ms) */
    access: key('access'),
    /** hash: queue number -> bookings used */
    grants: key('grants'),
    /** hash: standby token's ticket id -> bookings used (after sell-out) */
    standbyGrants: key('standby-grants'),
    /** set: queue numbers passed over while their ticket was away */
    skipped: key('skipped'),
    /** hash: minute since epoch -> admissions */
    rate: key('rate'),
    /** string with TTL: a proof-of-work challenge, single use */
    challenge: (challenge: string) => key(`pow:${challenge}`),
    /** The campaign snapshot published by the booking worker. */
    info: campaignKey(namespace, campaignId, 'info'),
  };
}
export type WaitingRoomKeys = ReturnType<typeof waitingRoomKeys>;

/** Every key of a room except the short-lived challenges (for clean-up in tests and ops). */
export function waitingRoomKeyList(keys: WaitingRoomKeys): string[] {
  return [
    keys.room,
    keys.numbers,
    keys.pre,
    keys.preNumbers,
    keys.seen,
    keys.unclaimed,
    keys.access,
    keys.grants,
    keys.standbyGrants,
    keys.skipped,
    keys.rate,
  ];
}

/** KEYS of `status-9.lua`, in its order (its header is the contract). */
export function statusScriptKeys(keys: WaitingRoomKeys) {
  return [
    keys.room,
    keys.numbers,
    keys.preNumbers,
    keys.seen,
    keys.unclaimed,
    keys.access,
    keys.grants,
    keys.skipped,
    keys.rate,
  ] as const;
}
