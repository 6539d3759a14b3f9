/**
 * What the baseline run reads from PostgreSQL: the moment the last dose went, and overbooking
 * afterwards, by the counters and, independently, by the booking rows themselves (a counter
 * that agrees with its own guard proves nothing if the rows say otherwise).
 */
import type { PrismaClient } from '@khiw/db';

export interface Overbooking {
  /** Slots overbooked by either measure (union of the two below). */
  slots: number;
  groups: number;
  /** 1 when the campaign is over its total doses by either measure. */
  total: number;
  /** booked > capacity / quota / total_doses on the counters. */
  byCounters: { slots: number; groups: number; total: number };
  /** More confirmed booking rows than capacity / quota / total_doses. */
  byRows: { slots: number; groups: number; total: number };
}

const n = (value: unknown) => Number(value ?? 0);

export async function overbooking(prisma: PrismaClient, campaignId: string): Promise<Overbooking> {
  const [slots] = await prisma.$queryRawUnsafe<{ counters: bigint; rows: bigint; either: bigint }[]>(
    `SELECT count(*) FILTER (WHERE sl.booked > sl.capacity) AS counters,
            count(*) FILTER (WHERE coalesce(b.n, 0) > sl.capacity) AS rows,
            count(*) FILTER (WHERE sl.booked > sl.capacity OR coalesce(b.n, 0) > sl.capacity) AS either
       FROM booking.slots sl
       LEFT JOIN (SELECT slot_id, count(*) AS n FROM booking.bookings
                   WHERE campaign_id = $1 AND status = 'confirmed' GROUP BY slot_id) b ON b.slot_id = sl.id
      WHERE sl.campaign_id = $1`,
    campaignId,
  );
  const [groups] = await prisma.$queryRawUnsafe<{ counters: bigint; rows: bigint; either: bigint }[]>(
    `SELECT count(*) FILTER (WHERE g.booked > g.quota) AS counters,
            count(*) FILTER (WHERE coalesce(b.n, 0) > g.quota) AS rows,
            count(*) FILTER (WHERE g.booked > g.quota OR coalesce(b.n, 0) > g.quota) AS either
       FROM booking.priority_groups g
       LEFT JOIN (SELECT group_code, count(*) AS n FROM booking.bookings
                   WHERE campaign_id = $1 AND status = 'confirmed' GROUP BY group_code) b ON b.group_code = g.code
      WHERE g.campaign_id = $1`,
    campaignId,
  );
  const [total] = await prisma.$queryRawUnsafe<{ counters: boolean; rows: boolean }[]>(
    `SELECT c.booked_doses > c.total_doses AS counters,
            (SELECT count(*) FROM booking.bookings WHERE campaign_id = $1 AND status = 'confirmed') > c.total_doses AS rows
       FROM booking.campaigns c WHERE c.id = $1`,
    campaignId,
  );
  const byCounters = {
    slots: n(slots?.counters),
    groups: n(groups?.counters),
    total: total?.counters ? 1 : 0,
  };
  const byRows = { slots: n(slots?.rows), groups: n(groups?.rows), total: total?.rows ? 1 : 0 };
  return {
    slots: n(slots?.either),
    groups: n(groups?.either),
    total: byCounters.total || byRows.total,
    byCounters,
    byRows,
  };
}

/** Citizens with a confirmed booking: more than the 201s when a phone gave up on a request that committed. */
export async function confirmedCitizens(prisma: PrismaClient, campaignId: string): Promise<Set<string>> {
  const rows = await prisma.$queryRawUnsafe<{ citizen_id: string }[]>(
    `SELECT citizen_id FROM booking.bookings WHERE campaign_id = $1 AND status = 'confirmed'`,
    campaignId,
  );
  return new Set(rows.map((r) => r.citizen_id));
}

/**
 * Polls the campaign's counters every 50 ms (a primary-key read: MVCC, it never waits for the
 * bookings' row lock) and remembers the first moment booked_doses reached total_doses.
 */
export function watchLastDose(prisma: PrismaClient, campaignId: string, startedAt: number) {
  let goneAtMs: number | null = null;
  let stopped = false;
  const loop = (async () => {
    while (!stopped && goneAtMs === null) {
      try {
        const [row] = await prisma.$queryRawUnsafe<{ booked: number; total: number }[]>(
          `SELECT booked_doses AS booked, total_doses AS total FROM booking.campaigns WHERE id = $1`,
          campaignId,
        );
        if (row && row.booked >= row.total) goneAtMs = Math.round(performance.now() - startedAt);
      } catch {
        // A missed sample only blurs the moment by 50 ms; the run must not fail for it.
      }
      if (goneAtMs === null) await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  return {
    async stop(): Promise<number | null> {
      stopped = true;
      await loop;
      return goneAtMs;
    },
  };
}
