/** The replay's bookkeeping: the crowd's answers summed over generators, and its clean-up. */
import type { PrismaClient } from '@khiw/db';
import { deleteCampaign } from '../booking-bench/campaigns';
import { quantile } from './report';
import type { Endpoint, FlowStats } from './resident-flow';

export function summarizeStats(all: FlowStats[]): {
  codes: Record<string, number>;
  networkErrors: number;
  requests: number;
  latencyLine: string;
} {
  const codes: Record<string, number> = {};
  const latencies = new Map<Endpoint, number[]>();
  const counts = new Map<Endpoint, number>();
  let networkErrors = 0;
  let requests = 0;
  for (const s of all) {
    networkErrors += s.networkErrors;
    for (const [k, v] of Object.entries(s.codes)) codes[k] = (codes[k] ?? 0) + v;
    for (const [endpoint, list] of Object.entries(s.latencies) as Array<[Endpoint, number[]]>) {
      requests += s.requests[endpoint];
      counts.set(endpoint, (counts.get(endpoint) ?? 0) + s.requests[endpoint]);
      latencies.set(endpoint, (latencies.get(endpoint) ?? []).concat(list));
    }
  }
  const latencyLine = [...latencies]
    .filter(([, list]) => list.length > 0)
    .map(([endpoint, list]) => {
      const sorted = list.sort((a, b) => a - b);
      return `${endpoint} ${counts.get(endpoint)!.toLocaleString('en')} requests ${Math.round(quantile(sorted, 0.5))}/${Math.round(quantile(sorted, 0.99))}`;
    })
    .join(', ');
  return { codes, networkErrors, requests, latencyLine };
}

/** Deletes a replay campaign's rows in every service's tables (bench database only). */
export async function cleanUp(prisma: PrismaClient, campaignId: string): Promise<void> {
  const byBooking = (table: string, column = 'booking_id') =>
    prisma.$executeRawUnsafe(
      `DELETE FROM ${table} WHERE ${column} IN (SELECT id FROM booking.bookings WHERE campaign_id = $1)`,
      campaignId,
    );
  await prisma.$executeRawUnsafe(
    `DELETE FROM notification.delivery_reports WHERE sms_id IN (SELECT id FROM notification.sms_messages WHERE campaign_id = $1)`,
    campaignId,
  );
  await prisma.$executeRawUnsafe(`DELETE FROM notification.sms_messages WHERE campaign_id = $1`, campaignId);
  await prisma.$executeRawUnsafe(
    `DELETE FROM notification.outbox_events WHERE key IN (SELECT id::text FROM booking.bookings WHERE campaign_id = $1)`,
    campaignId,
  );
  await byBooking('roster.sms_states');
  await prisma.$executeRawUnsafe(`DELETE FROM roster.entries WHERE campaign_id = $1`, campaignId);
  await deleteCampaign(prisma, campaignId);
}
