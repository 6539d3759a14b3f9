/**
 * The bookings of loadtests/booking.bench.ts: the jobs a round submits, and the invariants
 * checked on the rows afterwards.
 */
import type { BookingRequestJob } from '@khiw/contracts';
import { citizenIdFrom } from '../../test/support/env';

/** A raw query on the bench's database. */
export type Query = <T>(sql: string, ...params: unknown[]) => Promise<T[]>;

/** N distinct eligible people: groups by quota (shuffled), slots round-robin within capacity. */
export async function makeJobs(q: Query, campaignId: string, count: number): Promise<BookingRequestJob[]> {
  const groups = await q<{ code: string; quota: number }>(
    `SELECT code, quota FROM booking.priority_groups WHERE campaign_id = $1 ORDER BY sort_order`,
    campaignId,
  );
  const slots = await q<{ id: string; site_id: string }>(
    `SELECT id, site_id FROM booking.slots WHERE campaign_id = $1 ORDER BY starts_at, site_id`,
    campaignId,
  );
  const bag = groups.flatMap((g) => Array.from({ length: g.quota }, () => g.code));
  for (let i = bag.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [bag[i], bag[j]] = [bag[j]!, bag[i]!];
  }
  const base = Math.floor(Math.random() * 9e10);
  const submittedAt = new Date().toISOString();
  return Array.from({ length: count }, (_, i) => {
    const citizenId = citizenIdFrom(`1${String(base + i).padStart(11, '0')}`);
    const slot = slots[i % slots.length]!;
    return {
      schemaVersion: 1,
      requestId: `${campaignId}.${citizenId}`,
      campaignId,
      citizenId,
      firstName: 'สมชาย',
      lastName: 'ทดสอบภาระ',
      birthDate: `${1941 + (i % 60)}-0${1 + (i % 9)}-1${i % 10}`,
      phone: `+6689${String(i % 10_000_000).padStart(7, '0')}`,
      groupCode: bag[i % bag.length]!,
      siteId: slot.site_id,
      slotId: slot.id,
      provinceCode: '74',
      channel: 'web',
      language: 'th',
      submittedAt,
    } satisfies BookingRequestJob;
  });
}

/**
 * What must hold after a round: `expected` confirmed, no slot, group or campaign over capacity,
 * every counter equal to its rows, one BookingConfirmed outbox row per confirmed booking, and
 * the standby list filled by the surplus of `requests` over `expected`.
 */
export async function checkInvariants(
  q: Query,
  {
    campaignId,
    expected,
    requests,
    standby,
  }: { campaignId: string; expected: number; requests: number; standby: number },
) {
  const one = async (sql: string) =>
    Number(Object.values((await q<Record<string, bigint>>(sql, campaignId))[0]!)[0]);
  const confirmed = await one(
    `SELECT count(*) FROM booking.bookings WHERE campaign_id = $1 AND status = 'confirmed'`,
  );
  const checks: [string, boolean][] = [];
  checks.push([`confirmed bookings = ${confirmed} (expected ${expected})`, confirmed === expected]);
  const slotsOver = await one(
    `SELECT count(*) FROM booking.slots WHERE campaign_id = $1 AND booked > capacity`,
  );
  const slotsOff = await one(`
    SELECT count(*) FROM booking.slots sl
    LEFT JOIN (SELECT slot_id, count(*) AS n FROM booking.bookings WHERE campaign_id = $1 AND status = 'confirmed'
               GROUP BY slot_id) b ON b.slot_id = sl.id
    WHERE sl.campaign_id = $1 AND sl.booked <> coalesce(b.n, 0)`);
  checks.push([
    `slots over capacity: ${slotsOver}; slot counters ≠ bookings: ${slotsOff}`,
    !slotsOver && !slotsOff,
  ]);
  const groupsOver = await one(
    `SELECT count(*) FROM booking.priority_groups WHERE campaign_id = $1 AND booked > quota`,
  );
  const groupsOff = await one(`
    SELECT count(*) FROM booking.priority_groups g
    LEFT JOIN (SELECT group_code, count(*) AS n FROM booking.bookings WHERE campaign_id = $1 AND status = 'confirmed'
               GROUP BY group_code) b ON b.group_code = g.code
    WHERE g.campaign_id = $1 AND g.booked <> coalesce(b.n, 0)`);
  checks.push([
    `groups over quota: ${groupsOver}; group counters ≠ bookings: ${groupsOff}`,
    !groupsOver && !groupsOff,
  ]);
  const [campaign] = await q<{ booked_doses: number; total_doses: number; state: string }>(
    `SELECT booked_doses, total_doses, state FROM booking.campaigns WHERE id = $1`,
    campaignId,
  );
  checks.push([
    `campaign booked_doses ${campaign!.booked_doses} / total ${campaign!.total_doses}, state ${campaign!.state}`,
    campaign!.booked_doses <= campaign!.total_doses && campaign!.booked_doses === confirmed,
  ]);
  // outbox_events has no index on key: count them per key once, then join (hash join).
  const events = await one(`
    SELECT count(*) FROM booking.bookings b
    LEFT JOIN (SELECT key, count(*) AS n FROM booking.outbox_events
               WHERE type = 'BookingConfirmed' AND payload->>'campaignId' = $1 GROUP BY key) o
      ON o.key = b.id::text
    WHERE b.campaign_id = $1 AND b.status = 'confirmed' AND coalesce(o.n, 0) <> 1`);
  checks.push([
    `confirmed bookings without exactly one BookingConfirmed outbox row: ${events}`,
    events === 0,
  ]);
  if (requests > expected) {
    const standbyExpected = Math.min(requests - expected, 10_000);
    checks.push([`standby: ${standby} (expected ${standbyExpected})`, standby === standbyExpected]);
  }
  return {
    lines: checks.map(([text, ok]) => `${ok ? 'ok  ' : 'FAIL'} ${text}`),
    ok: checks.every(([, ok]) => ok),
  };
}
