import type { Logger } from '@khiw/observability';
import { campaignIndexKey } from '@khiw/redis';
import { openWaitingRoom } from './prequeue-shuffle';
import { finalStateOfSnapshot, markSoldOut } from './sold-out';
import type { WaitingRoomMetrics } from './waiting-room-metrics';
import type { RoomCache } from './room-cache';

export interface AdmissionStep {
  admitted: number;
  passedOver: number;
  expiredUnclaimed: number;
  expiredAccess: number;
  serving: number;
  /** Places lapsed after the family grace, with a booking made (not counted expiredAccess). */
  finishedAfterGrace: number;
}

/**
 * Every replica runs this loop; the admit-7 step is atomic and budgets by Redis' clock, so
 * two or twenty loops together admit exactly what one would. Each tick, per campaign:
 * follow the snapshot's sold-out/closed, open (shuffle) once the opening time has come,
 * admit, refresh the view. A Redis outage only stops admission (fail closed).
 */
export class AdmissionLoop {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly rooms: RoomCache,
    private readonly logger: Logger,
    private readonly metrics: WaitingRoomMetrics,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    if (this.timer || this.closed) return;
    this.timer = setInterval(() => {
      if (!this.running) this.running = this.tick().finally(() => (this.running = undefined));
    }, this.intervalMs);
  }

  /** Safe to call twice; waits for a tick in progress. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  async tick(): Promise<void> {
    let campaignIds: string[];
    try {
      campaignIds = await this.rooms.redis.smembers(campaignIndexKey(this.rooms.namespace));
    } catch (err) {
      this.logger.warn({ err }, 'admission paused: cannot list campaigns');
      return;
    }
    for (const campaignId of campaignIds) {
      try {
        await this.step(campaignId);
      } catch (err) {
        this.logger.warn({ err, campaignId }, 'admission step failed');
      }
    }
  }

  async step(campaignId: string): Promise<AdmissionStep> {
    const { redis, namespace, options } = this.rooms;
    const keys = this.rooms.keys(campaignId);
    const { view, snapshot } = await this.rooms.get(campaignId, 0);
    const final = finalStateOfSnapshot(snapshot);
    if (final && !view.final && (await markSoldOut(redis, namespace, campaignId, final))) {
      this.logger.info({ campaignId, final }, 'waiting room closed: the campaign says so');
    }
    if (!view.opened && view.now >= view.opensAt) {
      const code = await openWaitingRoom(redis, keys);
      this.logger.info({ campaignId, prequeue: view.prequeue, code }, 'waiting room opening');
    }
    const [admitted, passedOver, expiredUnclaimed, expiredAccess, serving, finishedAfterGrace] = (
      await redis.wrAdmit(
        keys.room,
        keys.seen,
        keys.unclaimed,
        keys.access,
        keys.skipped,
        keys.rate,
        keys.grants,
        options.claimWindowMs,
        options.abandonAfterMs,
        options.maxSkipPerStep,
        options.maxStepMs,
      )
    ).map(Number) as [number, number, number, number, number, number];
    this.metrics.admitted.inc(admitted);
    this.metrics.passedOver.inc(passedOver);
    this.metrics.expired.inc({ kind: 'unclaimed' }, expiredUnclaimed);
    this.metrics.expired.inc({ kind: 'access' }, expiredAccess);
    this.metrics.placesFreed.inc({ reason: 'grace' }, finishedAfterGrace);
    const fresh = (await this.rooms.refresh(campaignId)).view;
    this.metrics.serving.set({ campaign: campaignId }, fresh.serving);
    this.metrics.waiting.set({ campaign: campaignId }, fresh.lastNumber - fresh.serving + fresh.prequeue);
    this.metrics.active.set({ campaign: campaignId }, fresh.unclaimed + fresh.inForm);
    return { admitted, passedOver, expiredUnclaimed, expiredAccess, serving, finishedAfterGrace };
  }
}
