/** The bench's copies of the sample campaign in its database: loaded, made endless, deleted. */
import { ensureDatabase, migrate, type PrismaClient } from '@khiw/db';
import { LoadCampaign } from '../../services/booking-worker/src/campaigns/load-campaign.usecase';
import { sampleCampaign } from '../../test/support/env';

/** Creates and migrates the bench database if need be; says what it did. */
export async function prepareDatabase(url: string): Promise<string> {
  const created = await ensureDatabase(url);
  const result = await migrate(url);
  return `database ${new URL(url).pathname.slice(1)}: ${created ? 'created, ' : ''}${result.applied.length} migrations applied, ${result.alreadyApplied.length} already`;
}

export async function loadCampaign(prisma: PrismaClient, id: string): Promise<void> {
  await new LoadCampaign(prisma).execute(
    sampleCampaign(id, { name: { th: 'ทดสอบภาระ', en: `Benchmark ${id}` } }),
  );
}

/** The pgbench copy never runs out: every guarded UPDATE finds room. */
export async function raiseCapacities(prisma: PrismaClient, id: string): Promise<void> {
  const big = 1_000_000_000;
  await prisma.$transaction([
    prisma.$executeRawUnsafe(`UPDATE booking.campaigns SET total_doses = $2 WHERE id = $1`, id, big),
    prisma.$executeRawUnsafe(`UPDATE booking.priority_groups SET quota = $2 WHERE campaign_id = $1`, id, big),
    prisma.$executeRawUnsafe(`UPDATE booking.slots SET capacity = $2 WHERE campaign_id = $1`, id, big),
  ]);
}

export async function deleteCampaign(prisma: PrismaClient, id: string): Promise<void> {
  // Bench data only: one statement at a time (no transaction to time out).
  await prisma.$executeRawUnsafe(`DELETE FROM booking.outbox_events WHERE payload->>'campaignId' = $1`, id);
  for (const table of [
    'bookings',
    'standby_entries',
    'slots',
    'sites',
    'priority_groups',
    'campaign_channels',
  ])
    await prisma.$executeRawUnsafe(`DELETE FROM booking.${table} WHERE campaign_id = $1`, id);
  await prisma.$executeRawUnsafe(`DELETE FROM booking.campaigns WHERE id = $1`, id);
}
