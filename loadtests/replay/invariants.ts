/**
 * What must hold at the end of every replay, read from PostgreSQL and fakesmsc: no slot,
 * group or campaign total over capacity (counted from the booking rows, not only the
 * counters); exactly one confirmation SMS per confirmed booking, accepted by Kannel and seen
 * at the SMSC; the roster holds exactly the bookings; everyone who got a 202 has a decision.
 */
import type { PrismaClient } from '@khiw/db';
import { readFakesmscMessages } from '../../infra/local/fakesmsc-log';
import type { BookingTimes } from './report';
import type { PersonRecord } from './resident-flow';

export interface Invariant {
  name: string;
  ok: boolean;
  detail: string;
}

type Row = Record<string, number>;

export async function bookingTimes(
  prisma: PrismaClient,
  campaignId: string,
  opening: number,
): Promise<BookingTimes[]> {
  const rows = await prisma.$queryRawUnsafe<
    Array<{ id: string; created: Date; sent: Date | null; delivered: Date | null; roster: Date | null }>
  >(
    `SELECT b.id, b.created_at AS created, m.sent_at AS sent, m.delivered_at AS delivered, e.created_at AS roster
       FROM booking.bookings b
       LEFT JOIN notification.sms_messages m ON m.dedupe_key = 'confirmation:' || b.id
       LEFT JOIN roster.entries e ON e.booking_id = b.id
      WHERE b.campaign_id = $1 AND b.status = 'confirmed'`,
    campaignId,
  );
  const rel = (d: Date | null) => (d ? d.getTime() - opening : null);
  return rows.map((r) => ({
    bookingId: r.id,
    created: r.created.getTime() - opening,
    smsSent: rel(r.sent),
    smsDelivered: rel(r.delivered),
    roster: rel(r.roster),
  }));
}

export async function checkInvariants(
  prisma: PrismaClient,
  campaignId: string,
  records: PersonRecord[],
  fakesmscLog: string,
): Promise<Invariant[]> {
  const one = async (sql: string) => (await prisma.$queryRawUnsafe<Row[]>(sql, campaignId))[0]!;
  const over = await one(
    `SELECT
       (SELECT count(*) FROM booking.slots s WHERE s.campaign_id = $1 AND (s.booked > s.capacity OR
          (SELECT count(*) FROM booking.bookings b WHERE b.campaign_id = $1 AND b.slot_id = s.id AND b.status = 'confirmed') > s.capacity))::int AS slots,
       (SELECT count(*) FROM booking.priority_groups g WHERE g.campaign_id = $1 AND (g.booked > g.quota OR
          (SELECT count(*) FROM booking.bookings b WHERE b.campaign_id = $1 AND b.group_code = g.code AND b.status = 'confirmed') > g.quota))::int AS groups,
       (SELECT count(*) FROM booking.campaigns c WHERE c.id = $1 AND (c.booked_doses > c.total_doses OR
          (SELECT count(*) FROM booking.bookings b WHERE b.campaign_id = $1 AND b.status = 'confirmed') > c.total_doses))::int AS total,
       (SELECT count(*) FROM (SELECT citizen_id FROM booking.bookings WHERE campaign_id = $1 AND status = 'confirmed'
          GROUP BY citizen_id HAVING count(*) > 1) d)::int AS doubled`,
  );
  const sms = await one(
    `SELECT
       (SELECT count(*) FROM booking.bookings WHERE campaign_id = $1 AND status = 'confirmed')::int AS bookings,
       (SELECT count(*) FROM notification.sms_messages WHERE campaign_id = $1 AND kind = 'confirmation')::int AS messages,
       (SELECT count(*) FROM notification.sms_messages WHERE campaign_id = $1 AND kind = 'confirmation'
          AND status IN ('sent', 'delivered'))::int AS accepted,
       (SELECT count(*) FROM booking.bookings b WHERE b.campaign_id = $1 AND b.status = 'confirmed'
          AND NOT EXISTS (SELECT 1 FROM roster.entries e WHERE e.booking_id = b.id))::int AS missing_roster,
       (SELECT count(*) FROM roster.entries e WHERE e.campaign_id = $1 AND e.status = 'confirmed'
          AND NOT EXISTS (SELECT 1 FROM booking.bookings b WHERE b.id = e.booking_id AND b.status = 'confirmed'))::int AS extra_roster`,
  );
  const phones = new Set(
    (
      await prisma.$queryRawUnsafe<Array<{ phone: string }>>(
        `SELECT DISTINCT phone FROM booking.bookings WHERE campaign_id = $1`,
        campaignId,
      )
    ).map((r) => r.phone),
  );
  const atSmsc = (await readFakesmscMessages(fakesmscLog)).filter((m) => phones.has(m.to)).length;
  const undecided = records.filter((r) => r.accepts > 0 && r.decided === 0).length;
  return [
    { name: 'no slot over capacity', ok: over.slots === 0, detail: `${over.slots} slots over` },
    { name: 'no group over quota', ok: over.groups === 0, detail: `${over.groups} groups over` },
    { name: 'campaign total within doses', ok: over.total === 0, detail: `${over.total} over` },
    { name: 'one booking per person', ok: over.doubled === 0, detail: `${over.doubled} people booked twice` },
    {
      name: 'one SMS per confirmed booking, accepted by Kannel, at the SMSC',
      ok: sms.messages === sms.bookings && sms.accepted === sms.bookings && atSmsc === sms.bookings,
      detail: `${sms.bookings} bookings, ${sms.messages} confirmation messages, ${sms.accepted} accepted, ${atSmsc} at fakesmsc`,
    },
    {
      name: 'roster equals bookings',
      ok: sms.missing_roster === 0 && sms.extra_roster === 0,
      detail: `${sms.missing_roster} bookings missing, ${sms.extra_roster} entries extra`,
    },
    { name: 'everyone with a 202 has a decision', ok: undecided === 0, detail: `${undecided} without` },
  ];
}
