import { admissionRate, awayShare, estimateWaitSeconds } from './queue-estimate';
import { publicState } from './room-view';
import type { RoomCache } from './room-cache';
import { settingsOf } from './waiting-room-settings';

export interface WaitingRoomStatsCommand {
  campaignId: string;
}

/** `GET /api/admin/campaigns/:campaignId/stats`: what ops watch during a surge. */
export class WaitingRoomStats {
  constructor(private readonly rooms: RoomCache) {}

  async execute({ campaignId }: WaitingRoomStatsCommand) {
    const { view } = await this.rooms.refresh(campaignId);
    const rate = admissionRate(view);
    const waitingWithNumber = view.lastNumber - view.serving;
    return {
      campaignId,
      state: publicState(view),
      settings: settingsOf(view),
      servingNumber: view.serving,
      lastNumber: view.lastNumber,
      waiting: waitingWithNumber + view.prequeue,
      prequeue: view.prequeue,
      active: view.unclaimed + view.inForm,
      admittedNotClaimed: view.unclaimed,
      inBookingForm: view.inForm,
      admittedPerMinute: {
        observed: rate.observed === null ? null : round(rate.observed),
        usedForEstimates: round(rate.used),
        lastMinutes: view.rate,
      },
      abandoned: {
        waitingButAway: view.waitingAway,
        awayShare: round(awayShare(view)),
        passedOver: view.totals.skipped,
        returnedAfterPassedOver: view.totals.returned,
        expiredUnclaimed: view.totals.expiredUnclaimed,
        expiredAccess: view.totals.expiredAccess,
      },
      // Places handed back after bookings: how active places turn over while people book.
      freedAfterBooking: {
        total: view.totals.finished,
        released: view.totals.released,
        afterGrace: view.totals.graceLapsed,
      },
      totals: view.totals,
      etaLastPersonSeconds: waitingWithNumber > 0 ? estimateWaitSeconds(view, view.lastNumber) : 0,
      at: new Date(view.now).toISOString(),
    };
  }
}

const round = (n: number) => Math.round(n * 100) / 100;
