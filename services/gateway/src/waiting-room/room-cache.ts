import { CampaignSnapshot, campaignId as campaignIdSchema } from '@khiw/contracts';
import { KhiwError } from '@khiw/errors';
import type { Logger } from '@khiw/observability';
import { SnapshotReader } from '../campaigns/snapshot-reader';
import { parseRoomView, type RoomView } from './room-view';
import { waitingRoomKeys, type WaitingRoomKeys } from './waiting-room-keys';
import type { WaitingRoomRedis } from './waiting-room-scripts';

export interface WaitingRoomOptions {
  /** Settings a room starts with; ops change them live (PATCH .../waiting-room). */
  defaults: {
    outflowPerMinute: number;
    maxActive: number;
    powDifficulty: number;
    familyGraceSeconds: number;
  };
  claimWindowMs: number;
  accessTtlMs: number;
  abandonAfterMs: number;
  maxBookings: number;
  /** Most away places passed over in one admission step. */
  maxSkipPerStep: number;
  /** Longest elapsed time one admission step may turn into budget. */
  maxStepMs: number;
  /** Minutes of admission history behind the observed rate. */
  rateMinutes: number;
  /** How old a cached view may be for status and join answers. */
  viewMaxAgeMs: number;
  challengeTtlSeconds: number;
}

export interface RoomEntry {
  view: RoomView;
  snapshot: CampaignSnapshot;
  fetchedAt: number;
}

/**
 * This replica's cache of each campaign's waiting room: its view (the view-6 step) and the
 * booking worker's campaign snapshot, read at most every viewMaxAgeMs so per-request work
 * stays one Lua step; and the room's first-use set-up (settings seeded from the defaults and
 * the snapshot's opensAt, never overwriting ops' changes). Also the keys and Redis commands
 * every part of the waiting room shares.
 */
export class RoomCache {
  private readonly entries = new Map<string, RoomEntry>();
  private readonly inFlight = new Map<string, Promise<RoomEntry>>();
  private readonly prepared = new Set<string>();
  private readonly snapshots: SnapshotReader<typeof CampaignSnapshot>;

  constructor(
    readonly redis: WaitingRoomRedis,
    readonly namespace: string,
    readonly options: WaitingRoomOptions,
    logger: Logger,
  ) {
    this.snapshots = new SnapshotReader(CampaignSnapshot, 'campaign snapshot', logger);
  }

  keys(campaignId: string): WaitingRoomKeys {
    return waitingRoomKeys(this.namespace, campaignId);
  }

  /**
   * A fresh enough view and snapshot; CAMPAIGN_NOT_FOUND when no campaign has that id,
   * TEMPORARILY_UNAVAILABLE when its snapshot breaks the contract.
   */
  async get(campaignId: string, maxAgeMs = this.options.viewMaxAgeMs): Promise<RoomEntry> {
    const entry = this.entries.get(campaignId);
    if (entry && maxAgeMs > 0 && Date.now() - entry.fetchedAt <= maxAgeMs) return entry;
    return this.loadShared(campaignId);
  }

  async view(campaignId: string, maxAgeMs?: number): Promise<RoomView> {
    return (await this.get(campaignId, maxAgeMs)).view;
  }

  /**
   * A view read after this call began, so it shows every write made before it (an ops
   * change, a sold-out mark, an admission step). A load already in flight may have read
   * Redis before those writes: wait for it, then join or start a later one.
   */
  async refresh(campaignId: string): Promise<RoomEntry> {
    const running = this.inFlight.get(campaignId);
    if (running) await running.catch(() => undefined);
    return this.loadShared(campaignId);
  }

  /** Join the load in flight, or start one: concurrent readers share one Redis round. */
  private loadShared(campaignId: string): Promise<RoomEntry> {
    const running = this.inFlight.get(campaignId);
    if (running) return running;
    const work = this.load(campaignId).finally(() => this.inFlight.delete(campaignId));
    this.inFlight.set(campaignId, work);
    return work;
  }

  /** Forget a room (its keys were deleted): the next use seeds its settings again. */
  forget(campaignId: string): void {
    this.entries.delete(campaignId);
    this.prepared.delete(campaignId);
  }

  private async load(campaignId: string): Promise<RoomEntry> {
    if (!campaignIdSchema.safeParse(campaignId).success) {
      throw new KhiwError('CAMPAIGN_NOT_FOUND', 'no such campaign');
    }
    const keys = this.keys(campaignId);
    const snapshot = this.snapshots.read(campaignId, await this.redis.get(keys.info));
    if (!snapshot) {
      this.forget(campaignId);
      throw new KhiwError('CAMPAIGN_NOT_FOUND', `no campaign ${campaignId}`);
    }
    if (!this.prepared.has(campaignId)) {
      const { defaults } = this.options;
      await this.redis
        .multi()
        .hsetnx(keys.room, 'opensAt', Date.parse(snapshot.opensAt))
        .hsetnx(keys.room, 'outflowPerMinute', defaults.outflowPerMinute)
        .hsetnx(keys.room, 'maxActive', defaults.maxActive)
        .hsetnx(keys.room, 'powDifficulty', defaults.powDifficulty)
        .hsetnx(keys.room, 'familyGraceSeconds', defaults.familyGraceSeconds)
        .hsetnx(keys.room, 'paused', 0)
        .exec();
      this.prepared.add(campaignId);
    }
    const json = await this.redis.wrView(
      keys.room,
      keys.pre,
      keys.seen,
      keys.unclaimed,
      keys.access,
      keys.rate,
      this.options.abandonAfterMs,
      this.options.rateMinutes,
    );
    const entry = {
      view: parseRoomView(campaignId, json, this.options.defaults.familyGraceSeconds),
      snapshot,
      fetchedAt: Date.now(),
    };
    this.entries.set(campaignId, entry);
    return entry;
  }
}
