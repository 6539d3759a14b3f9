import { Prisma, type PrismaClient } from '@khiw/db';
import type { SmsKind, SmsNotificationEventType } from '@khiw/contracts';
import { GroupCommit } from '../group-commit';
import { uuidFrom } from '../uuid-from';

/** A message to record before its job is queued. */
export interface NewSms {
  id: string;
  bookingId: string;
  campaignId: string;
  kind: SmsKind;
  dedupeKey: string;
  phone: string;
  text: string;
  language: string;
  segments: number;
  provider: string;
  causedAt: Date | null;
  /** Reminders only: the row starts 'scheduled' and waits for this moment. */
  dueAt: Date | null;
}

export interface ClaimedSms {
  id: string;
  bookingId: string;
  campaignId: string;
  kind: SmsKind;
  phone: string;
  text: string;
  segments: number;
  causedAt: Date | null;
}

export type Claim =
  | { outcome: 'claimed'; sms: ClaimedSms }
  /** Sent, delivered, failed or cancelled already; or no such row (a duplicate by dedupe key). */
  | { outcome: 'done'; status: string }
  /** A reminder whose time has not come (its job ran early). */
  | { outcome: 'not-due'; dueAt: Date }
  /** A previous attempt handed it to the gateway and did not live to record the answer. */
  | { outcome: 'in-doubt'; sendingAt: Date };

/** Event id of a notification event: the same message and type always give the same id. */
export const notificationEventId = (smsId: string, type: SmsNotificationEventType): string =>
  uuidFrom(`${smsId}|${type}`);

const iso = (d: Date) => d.toISOString();

/**
 * notification.sms_messages: the record of every message and the only place its state
 * changes. Each change that the roster should hear about writes its notification event to
 * notification.outbox_events in the same statement, so a status and its event never disagree.
 *
 * Status moves forward only: scheduled/queued → sending → sent → delivered, or → failed, and
 * scheduled → cancelled. A message leaves 'sending' for 'sent' whichever comes first, the
 * sender's record of the gateway's answer or the gateway's own delivery report.
 */
export class SmsLedger {
  private readonly claims = new GroupCommit<string, ClaimedSms | undefined>((ids) => this.claimMany(ids));
  private readonly sends = new GroupCommit<{ smsId: string; providerMessageId?: string }, boolean>((items) =>
    this.markSentMany(items),
  );
  private readonly reports = new GroupCommit<DeliveryReportInput, DeliveryReportResult>((items) =>
    this.recordDeliveryReportsInRounds(items),
  );

  constructor(private readonly prisma: PrismaClient) {}

  /**
   * Records messages; a message whose id or dedupe key is known already is left as it is,
   * except a cancelled reminder for the same appointment, which is scheduled again (a booking
   * moved away and back, or events replayed after a crash).
   */
  async record(all: NewSms[]): Promise<void> {
    // One statement cannot insert the same key twice (a redelivered event in the same batch);
    // the first event for a key is the one that counts, as if they had come one by one.
    const byKey = new Map<string, NewSms>();
    for (const m of all) if (!byKey.has(m.dedupeKey)) byKey.set(m.dedupeKey, m);
    const messages = [...byKey.values()];
    if (messages.length === 0) return;
    const col = <T>(pick: (m: NewSms) => T) => messages.map(pick);
    await this.prisma.$executeRaw`
      INSERT INTO notification.sms_messages AS m
        (id, booking_id, campaign_id, kind, dedupe_key, phone, text, language, segments, status,
         provider, caused_at, due_at)
      SELECT u.id, u.booking_id, u.campaign_id, u.kind, u.dedupe_key, u.phone, u.text, u.language,
             u.segments, CASE WHEN u.due_at IS NULL THEN 'queued' ELSE 'scheduled' END,
             u.provider, u.caused_at, u.due_at
      FROM unnest(
        ${col((m) => m.id)}::uuid[], ${col((m) => m.bookingId)}::uuid[], ${col((m) => m.campaignId)}::text[],
        ${col((m) => m.kind)}::text[], ${col((m) => m.dedupeKey)}::text[], ${col((m) => m.phone)}::text[],
        ${col((m) => m.text)}::text[], ${col((m) => m.language)}::text[], ${col((m) => m.segments)}::int[],
        ${col((m) => m.provider)}::text[], ${col((m) => m.causedAt)}::timestamptz[], ${col((m) => m.dueAt)}::timestamptz[]
      ) AS u(id, booking_id, campaign_id, kind, dedupe_key, phone, text, language, segments, provider,
             caused_at, due_at)
      ON CONFLICT (dedupe_key) DO UPDATE SET status = 'scheduled', updated_at = now()
        WHERE m.kind = 'reminder' AND m.status = 'cancelled'`;
  }

  /**
   * The language of the booking's confirmation (or promotion) message, if there is one: later
   * messages of the booking speak it too, whatever the event that causes them carries.
   */
  async bookingLanguage(bookingId: string): Promise<string | undefined> {
    const [row] = await this.prisma.$queryRaw<{ language: string }[]>`
      SELECT language FROM notification.sms_messages
      WHERE booking_id = ${bookingId}::uuid AND kind IN ('confirmation', 'promotion')
      ORDER BY created_at LIMIT 1`;
    return row?.language;
  }

  /** Cancels a booking's reminders still waiting (all, or all but `keepDedupeKey`); returns their ids. */
  async cancelReminders(bookingId: string, keepDedupeKey?: string): Promise<string[]> {
    const rows = await this.prisma.$queryRaw<{ id: string }[]>`
      UPDATE notification.sms_messages SET status = 'cancelled', updated_at = now()
      WHERE booking_id = ${bookingId}::uuid AND kind = 'reminder' AND status = 'scheduled'
        AND dedupe_key IS DISTINCT FROM ${keepDedupeKey ?? null}
      RETURNING id::text`;
    return rows.map((r) => r.id);
  }

  /**
   * Takes a message for sending: queued (or scheduled and due) → sending. A message stuck in
   * 'sending' longer than `inDoubtAfterMs` with no delivery report is taken again: the gateway
   * would have reported it by then had it accepted it.
   */
  async claim(smsId: string, inDoubtAfterMs: number): Promise<Claim> {
    const fast = await this.claims.submit(smsId);
    if (fast) return { outcome: 'claimed', sms: fast };
    const claimed = await this.prisma.$queryRaw<ClaimedSms[]>`
      UPDATE notification.sms_messages m
      SET status = 'sending', sending_at = now(), attempts = attempts + 1, updated_at = now()
      WHERE id = ${smsId}::uuid
        AND (status = 'queued'
          OR (status = 'scheduled' AND due_at <= now() + interval '1 second')
          OR (status = 'sending' AND sending_at < now() - make_interval(secs => ${inDoubtAfterMs / 1000})
              AND NOT EXISTS (SELECT 1 FROM notification.delivery_reports r WHERE r.sms_id = m.id)))
      RETURNING ${CLAIMED_COLUMNS}`;
    if (claimed[0]) return { outcome: 'claimed', sms: claimed[0] };

    const [row] = await this.prisma.$queryRaw<
      { status: string; dueAt: Date | null; sendingAt: Date | null; reported: boolean }[]
    >`
      SELECT status, due_at AS "dueAt", sending_at AS "sendingAt",
             EXISTS (SELECT 1 FROM notification.delivery_reports r WHERE r.sms_id = m.id) AS reported
      FROM notification.sms_messages m WHERE id = ${smsId}::uuid`;
    if (!row) return { outcome: 'done', status: 'unknown' };
    if (row.status === 'scheduled' && row.dueAt) return { outcome: 'not-due', dueAt: row.dueAt };
    if (row.status === 'sending') {
      // The gateway reported on it, so it has it: record it as sent instead of sending again.
      if (row.reported) {
        await this.markSent(smsId, {});
        return { outcome: 'done', status: 'sent' };
      }
      return { outcome: 'in-doubt', sendingAt: row.sendingAt ?? new Date() };
    }
    return { outcome: 'done', status: row.status };
  }

  /** The gateway accepted it: sending → sent, and SmsSent. False if it had moved on already. */
  markSent(smsId: string, { providerMessageId }: { providerMessageId?: string }): Promise<boolean> {
    return this.sends.submit({ smsId, providerMessageId });
  }

  /** Claims the queued (or due) messages among `ids` in one statement; the rest take the slow path. */
  private async claimMany(ids: string[]): Promise<(ClaimedSms | undefined)[]> {
    // Rows are locked in id order by every batched statement, so two batches never deadlock.
    const rows = await this.prisma.$queryRaw<ClaimedSms[]>`
      WITH l AS (
        SELECT id FROM notification.sms_messages WHERE id = ANY(${ids}::uuid[]) ORDER BY id FOR UPDATE
      )
      UPDATE notification.sms_messages m
      SET status = 'sending', sending_at = now(), attempts = attempts + 1, updated_at = now()
      FROM l WHERE m.id = l.id
        AND (m.status = 'queued' OR (m.status = 'scheduled' AND m.due_at <= now() + interval '1 second'))
      RETURNING ${CLAIMED_COLUMNS_OF_M}`;
    const byId = new Map(rows.map((r) => [r.id, r]));
    // A job id twice in one batch (it cannot be, BullMQ locks it) would be claimed once.
    return ids.map((id) => {
      const row = byId.get(id);
      byId.delete(id);
      return row;
    });
  }

  private async markSentMany(items: { smsId: string; providerMessageId?: string }[]): Promise<boolean[]> {
    const now = iso(new Date());
    const rows = await this.prisma.$queryRaw<{ id: string }[]>`
      WITH i AS (
        SELECT * FROM unnest(${items.map((x) => x.smsId)}::uuid[], ${items.map((x) => x.providerMessageId ?? null)}::text[],
                             ${items.map((x) => notificationEventId(x.smsId, 'SmsSent'))}::uuid[])
          AS t(id, provider_message_id, event_id)
      ), l AS (
        SELECT id FROM notification.sms_messages WHERE id IN (SELECT id FROM i) ORDER BY id FOR UPDATE
      ), u AS (
        UPDATE notification.sms_messages m
        SET status = 'sent', sent_at = ${now}::timestamptz, updated_at = now(),
            provider_message_id = COALESCE(i.provider_message_id, m.provider_message_id)
        FROM i JOIN l ON l.id = i.id WHERE m.id = i.id AND m.status = 'sending'
        RETURNING m.*, i.event_id
      ), e AS (
        INSERT INTO notification.outbox_events (id, key, type, payload)
        SELECT u.event_id, u.booking_id::text, 'SmsSent',
               ${eventJson('SmsSent', Prisma.sql`u.event_id::text`, now)}
                 || jsonb_build_object('data', jsonb_build_object('kind', u.kind, 'provider', u.provider,
                                       'segments', u.segments, 'sentAt', ${now}::text))
        FROM u ORDER BY u.id ON CONFLICT (id) DO NOTHING
      )
      SELECT id::text FROM u`;
    const sent = new Set(rows.map((r) => r.id));
    return items.map((x) => sent.has(x.smsId));
  }

  /** The gateway did not take it: back to queued so the next attempt sends it. */
  async release(smsId: string, error: string): Promise<void> {
    await this.prisma.$executeRaw`
      UPDATE notification.sms_messages SET status = 'queued', last_error = ${error.slice(0, 500)}, updated_at = now()
      WHERE id = ${smsId}::uuid AND status = 'sending'`;
  }

  /**
   * Seconds since the oldest message the gateway has not accepted yet was due (queued, in a
   * send whose answer is not recorded, or a reminder past its time); 0 when there is none.
   */
  async oldestUnsentSeconds(): Promise<number> {
    const [row] = await this.prisma.$queryRaw<{ age: number | null }[]>`
      SELECT EXTRACT(EPOCH FROM now() - min(COALESCE(due_at, created_at)))::float8 AS age
      FROM notification.sms_messages
      WHERE status IN ('queued', 'sending') OR (status = 'scheduled' AND due_at <= now())`;
    return Math.max(0, row?.age ?? 0);
  }

  async recordError(smsId: string, error: string): Promise<void> {
    await this.prisma.$executeRaw`
      UPDATE notification.sms_messages SET last_error = ${error.slice(0, 500)}, updated_at = now()
      WHERE id = ${smsId}::uuid`;
  }

  /** It will not be sent: → failed, and SmsFailed. Never overrides a delivered message. */
  async markFailed(smsId: string, reason: string, permanent: boolean): Promise<boolean> {
    const now = iso(new Date());
    const eventId = notificationEventId(smsId, 'SmsFailed');
    const rows = await this.prisma.$queryRaw<{ n: number }[]>`
      WITH u AS (
        UPDATE notification.sms_messages
        SET status = 'failed', last_error = ${reason.slice(0, 500)}, updated_at = now()
        WHERE id = ${smsId}::uuid AND status NOT IN ('delivered', 'failed', 'cancelled')
        RETURNING *
      ), e AS (
        INSERT INTO notification.outbox_events (id, key, type, payload)
        SELECT ${eventId}::uuid, u.booking_id::text, 'SmsFailed',
               ${eventJson('SmsFailed', Prisma.sql`${eventId}::text`, now)}
                 || jsonb_build_object('data', jsonb_build_object('kind', u.kind,
                                       'reason', ${reason.slice(0, 500)}::text, 'permanent', ${permanent}::boolean))
        FROM u ON CONFLICT (id) DO NOTHING
      )
      SELECT count(*)::int AS n FROM u`;
    return (rows[0]?.n ?? 0) > 0;
  }

  /**
   * Stores a delivery report and moves the message forward: accepted/buffered → sent,
   * delivered → delivered, failed → failed (unless delivered). Each transition writes its
   * event once, so a report Kannel repeats changes nothing. Reports arriving together are
   * written together.
   */
  recordDeliveryReport(report: DeliveryReportInput): Promise<DeliveryReportResult> {
    return this.reports.submit(report);
  }

  /** Reports for the same message in one batch are applied in arrival order, one round each. */
  private async recordDeliveryReportsInRounds(items: DeliveryReportInput[]): Promise<DeliveryReportResult[]> {
    const results: DeliveryReportResult[] = new Array(items.length);
    let remaining = items.map((item, index) => ({ item, index }));
    while (remaining.length > 0) {
      const seen = new Set<string>();
      const round = remaining.filter(({ item }) => !seen.has(item.smsId) && seen.add(item.smsId));
      remaining = remaining.filter((entry) => !round.includes(entry));
      const answers = await this.recordDeliveryReports(round.map((r) => r.item));
      round.forEach((r, i) => (results[r.index] = answers[i]!));
    }
    return results;
  }

  private async recordDeliveryReports(items: DeliveryReportInput[]): Promise<DeliveryReportResult[]> {
    const now = iso(new Date());
    const col = <T>(pick: (r: DeliveryReportInput) => T) => items.map(pick);
    const rows = await this.prisma.$queryRaw<{ id: string; oldStatus: string; newStatus: string }[]>`
      WITH i AS (
        SELECT * FROM unnest(${col((r) => r.smsId)}::uuid[], ${col((r) => r.providerStatus)}::int[],
          ${col((r) => r.status)}::text[], ${col((r) => JSON.stringify(r.raw))}::jsonb[],
          ${col((r) => notificationEventId(r.smsId, 'SmsSent'))}::uuid[],
          ${col((r) => notificationEventId(r.smsId, 'SmsDelivered'))}::uuid[],
          ${col((r) => notificationEventId(r.smsId, 'SmsFailed'))}::uuid[])
          AS t(sms_id, provider_status, report, raw, sent_id, delivered_id, failed_id)
      ), old AS (
        SELECT m.id, m.status FROM notification.sms_messages m
        WHERE m.id IN (SELECT sms_id FROM i) ORDER BY m.id FOR UPDATE
      ), r AS (
        INSERT INTO notification.delivery_reports (sms_id, provider_status, status, raw)
        SELECT i.sms_id, i.provider_status, i.report, i.raw FROM i JOIN old ON old.id = i.sms_id
      ), u AS (
        UPDATE notification.sms_messages m SET
          status = CASE
            WHEN i.report = 'delivered' THEN 'delivered'
            WHEN i.report = 'failed' AND old.status <> 'delivered' THEN 'failed'
            WHEN old.status IN ('queued', 'sending') THEN 'sent'
            ELSE old.status END,
          sent_at = COALESCE(m.sent_at, ${now}::timestamptz),
          delivered_at = CASE WHEN i.report = 'delivered' THEN COALESCE(m.delivered_at, ${now}::timestamptz)
                              ELSE m.delivered_at END,
          updated_at = now()
        FROM old JOIN i ON i.sms_id = old.id
        WHERE m.id = old.id
        RETURNING m.*, old.status AS old_status, i.provider_status, i.sent_id, i.delivered_id, i.failed_id
      ), e AS (
        INSERT INTO notification.outbox_events (id, key, type, payload)
        SELECT x.id, u.booking_id::text, x.type,
               jsonb_build_object('schemaVersion', 1, 'eventId', x.id::text, 'occurredAt', ${now}::text,
                 'campaignId', u.campaign_id, 'bookingId', u.booking_id::text, 'smsId', u.id::text,
                 'type', x.type, 'data', x.data)
        FROM u CROSS JOIN LATERAL (VALUES
          (1, u.sent_id, 'SmsSent', u.old_status IN ('queued', 'sending') AND u.status IN ('sent', 'delivered'),
           jsonb_build_object('kind', u.kind, 'provider', u.provider, 'segments', u.segments, 'sentAt', ${now}::text)),
          (2, u.delivered_id, 'SmsDelivered', u.old_status <> 'delivered' AND u.status = 'delivered',
           jsonb_build_object('kind', u.kind, 'deliveredAt', ${now}::text)),
          (3, u.failed_id, 'SmsFailed', u.old_status <> 'failed' AND u.status = 'failed',
           jsonb_build_object('kind', u.kind, 'reason', 'delivery report ' || u.provider_status, 'permanent', true))
        ) AS x(ord, id, type, wanted, data)
        WHERE x.wanted
        ORDER BY u.id, x.ord
        ON CONFLICT (id) DO NOTHING
      )
      SELECT id::text, old_status AS "oldStatus", status AS "newStatus" FROM u`;
    const byId = new Map(rows.map((r) => [r.id, r]));
    return items.map((item) => {
      const row = byId.get(item.smsId);
      return row ? { known: true, oldStatus: row.oldStatus, newStatus: row.newStatus } : { known: false };
    });
  }
}

export interface DeliveryReportInput {
  smsId: string;
  providerStatus: number;
  status: 'delivered' | 'failed' | 'accepted' | 'buffered';
  raw: Record<string, unknown>;
}

export type DeliveryReportResult = { known: boolean; newStatus?: string; oldStatus?: string };

const CLAIMED_COLUMNS = Prisma.sql`id::text, booking_id::text AS "bookingId", campaign_id AS "campaignId", kind,
  phone, text, segments, caused_at AS "causedAt"`;
const CLAIMED_COLUMNS_OF_M = Prisma.sql`m.id::text, m.booking_id::text AS "bookingId", m.campaign_id AS "campaignId",
  m.kind, m.phone, m.text, m.segments, m.caused_at AS "causedAt"`;

/** The envelope of a notification event, merged with `data` by the statement that writes it. */
function eventJson(type: SmsNotificationEventType, eventId: Prisma.Sql, occurredAt: string): Prisma.Sql {
  return Prisma.sql`jsonb_build_object('schemaVersion', 1, 'eventId', ${eventId},
    'occurredAt', ${occurredAt}::text, 'campaignId', u.campaign_id, 'bookingId', u.booking_id::text,
    'smsId', u.id::text, 'type', ${type}::text)`;
}
