import { CampaignSnapshot } from '@khiw/contracts';
import { campaignIndexKey, campaignKey, type Redis } from '@khiw/redis';

/**
 * An open campaign's snapshot, as the booking worker would publish it (the gateway reads it),
 * checked against the contract here so that a change to it fails the bench at once.
 */
export async function publishSnapshot(redis: Redis, namespace: string, campaignId: string): Promise<void> {
  const snapshot = CampaignSnapshot.parse({
    id: campaignId,
    name: { th: 'แคมเปญทดสอบภาระ', en: 'Benchmark campaign' },
    vaccine: 'sinopharm',
    timezone: 'Asia/Bangkok',
    opensAt: new Date(Date.now() - 60_000).toISOString(),
    state: 'open',
    totalDoses: 1_000_000,
    remainingDoses: 1_000_000,
    standbySize: 0,
    standbyCount: 0,
    eligibility: {},
    groups: [],
    sites: [],
    publishedAt: new Date().toISOString(),
  });
  await redis
    .multi()
    .set(campaignKey(namespace, campaignId, 'info'), JSON.stringify(snapshot))
    .sadd(campaignIndexKey(namespace), campaignId)
    .exec();
}
