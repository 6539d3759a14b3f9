import { describe, expect, it } from '@jest/globals';
import { createLogger, createMetricsRegistry } from '@khiw/observability';
import type { GroupDoses } from './doses-left-store';
import { watchDosesLeft } from './doses-left-metrics';

describe('watchDosesLeft', () => {
  it('sets doses left and quota per campaign and group, and drops a campaign no longer listed', async () => {
    const registry = createMetricsRegistry('booking-worker');
    let rows: GroupDoses[] = [
      { campaignId: 'c1', group: 'elderly', quota: 100, remaining: 40 },
      { campaignId: 'c1', group: 'general', quota: 50, remaining: 0 },
      { campaignId: 'c2', group: 'general', quota: 10, remaining: 10 },
    ];
    const refresh = watchDosesLeft({
      store: { groups: async () => rows },
      registry,
      logger: createLogger({ service: 'test', level: 'silent' }),
      intervalMs: 60_000,
    });
    await refresh.now();
    const text = await registry.metrics();
    expect(text).toContain('khiw_campaign_doses_left{campaign="c1",group="elderly",service="booking-worker"} 40');
    expect(text).toContain('khiw_campaign_doses_left{campaign="c1",group="general",service="booking-worker"} 0');
    expect(text).toContain('khiw_campaign_doses_quota{campaign="c2",group="general",service="booking-worker"} 10');

    rows = rows.filter((r) => r.campaignId === 'c1');
    await refresh.now();
    await refresh.close();
    const after = await registry.metrics();
    expect(after).not.toContain('campaign="c2"');
    expect(after).toContain('khiw_campaign_doses_left{campaign="c1",group="elderly",service="booking-worker"} 40');
  });
});
