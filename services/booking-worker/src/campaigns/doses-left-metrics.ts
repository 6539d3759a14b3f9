import { Gauge, refreshEvery, type Logger, type Refresh, type Registry } from '@khiw/observability';
import type { DosesLeftStore } from './doses-left-store';

/**
 * `khiw_campaign_doses_left{campaign,group}` and `khiw_campaign_doses_quota{campaign,group}`
 * (a campaign's total is their sum), read from PostgreSQL every `intervalMs`. Every worker
 * replica reports the same counters: aggregate replicas with max, not sum. A campaign that
 * closes (or is gone) leaves the series at the next read.
 */
export function watchDosesLeft({
  store,
  registry,
  logger,
  intervalMs = 2000,
}: {
  store: Pick<DosesLeftStore, 'groups'>;
  registry: Registry;
  logger: Logger;
  intervalMs?: number;
}): Refresh {
  const registers = [registry];
  const left = new Gauge({
    name: 'khiw_campaign_doses_left',
    help: 'Doses not yet booked, per campaign and priority group (campaign total = sum; max over replicas)',
    labelNames: ['campaign', 'group'],
    registers,
  });
  const quota = new Gauge({
    name: 'khiw_campaign_doses_quota',
    help: 'Doses of each priority group’s quota, per campaign (campaign total = sum)',
    labelNames: ['campaign', 'group'],
    registers,
  });
  return refreshEvery({
    what: 'doses left',
    intervalMs,
    logger,
    refresh: async () => {
      const groups = await store.groups();
      // Reset and set in one synchronous step: a scrape never sees the gauges half-filled.
      left.reset();
      quota.reset();
      for (const g of groups) {
        const labels = { campaign: g.campaignId, group: g.group };
        left.set(labels, Math.max(0, g.remaining));
        quota.set(labels, g.quota);
      }
    },
  });
}
