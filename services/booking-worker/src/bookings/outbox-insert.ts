import type { Prisma } from '@khiw/db';
import type { OutboxRow } from './booking-events';

/**
 * The one statement that writes booking.outbox_events, shared by the stores: $1..$5 are the
 * column arrays of outboxInsertValues. A row whose id exists already is left alone (a retried
 * rejection writes the same event id).
 */
export const OUTBOX_INSERT_SQL = `
  INSERT INTO booking.outbox_events (id, topic, key, type, payload)
  SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::jsonb[])
  ON CONFLICT (id) DO NOTHING`;

export function outboxInsertValues(rows: OutboxRow[]): unknown[] {
  return [
    rows.map((r) => r.id),
    rows.map((r) => r.topic),
    rows.map((r) => r.key),
    rows.map((r) => r.type),
    rows.map((r) => JSON.stringify(r.payload)),
  ];
}

/** Inserts outbox rows through Prisma (a client or a transaction), in one statement. */
export async function insertOutbox(db: Prisma.TransactionClient, rows: OutboxRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db.$executeRawUnsafe(OUTBOX_INSERT_SQL, ...outboxInsertValues(rows));
}
