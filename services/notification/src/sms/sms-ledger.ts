import { Prisma, type PrismaClient } from '@khiw/db';
import type { SmsKind, SmsNotificationEventType } from '@khiw/contracts';
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
  constructor(private readonly prisma: PrismaClient) {}

  /**
   * Records messages; a message whose id or dedupe key is known already is left as it is,
   * except a cancelled reminder for the same appointment, which is scheduled again (a booking
   * moved away and back, or events replayed after a crash).
   */
  async record(all: NewSms[]): Promise<void> {
    // One statement cannot insert the same key twice: a redelivered event in the same batch.
    const messages = [...new Map(all.map((m) => [m.dedupeKey, m])).values()];
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
    const claimed = await this.prisma.$queryRaw<(Omit<ClaimedSms, 'kind'> & { kind: SmsKind })[]>`
      UPDATE notification.sms_messages m
      SET status = 'sending', sending_at = now(), attempts = attempts + 1, updated_at = now()
      WHERE id = ${smsId}::uuid
        AND (status = 'queued'
          OR (status = 'scheduled' AND due_at <= now() + interval '1 second')
          OR (status = 'sending' AND sending_at < now() - make_interval(secs => ${inDoubtAfterMs / 1000})
              AND NOT EXISTS (SELECT 1 FROM notification.delivery_reports r WHERE r.sms_id = m.id)))
      RETURNING id::text, booking_id::text AS "bookingId", campaign_id AS "campaignId", kind, phone, text,
                segments, caused_at AS "causedAt"`;
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

  /** The gateway accepted it: sending → sent, and SmsSent. */
  async markSent(smsId: string, { providerMessageId }: { providerMessageId?: string }): Promise<boolean> {
    const now = iso(new Date());
    const rows = await this.prisma.$queryRaw<{ n: number }[]>`
      WITH u AS (
        UPDATE notification.sms_messages
        SET status = 'sent', sent_at = ${now}::timestamptz, updated_at = now(),
            provider_message_id = COALESCE(${providerMessageId ?? null}, provider_message_id)
        WHERE id = ${smsId}::uuid AND status = 'sending'
        RETURNING *
      ), e AS (
        INSERT INTO notification.outbox_events (id, key, type, payload)
        SELECT ${notificationEventId(smsId, 'SmsSent')}::uuid, u.booking_id::text, 'SmsSent',
               ${eventJson('SmsSent', notificationEventId(smsId, 'SmsSent'), now)}
                 || jsonb_build_object('data', jsonb_build_object('kind', u.kind, 'provider', u.provider,
                                       'segments', u.segments, 'sentAt', ${now}::text))
        FROM u ON CONFLICT (id) DO NOTHING
      )
      SELECT count(*)::int AS n FROM u`;
    return (rows[0]?.n ?? 0) > 0;
  }

  /** The gateway did not take it: back to queued so the next attempt sends it. */
  async release(smsId: string, error: string): Promise<void> {
    await this.prisma.$executeRaw`
      UPDATE notification.sms_messages SET status = 'queued', last_error = ${error.slice(0, 500)}, updated_at = now()
      WHERE id = ${smsId}::uuid AND status = 'sending'`;
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
               ${eventJson('SmsFailed', eventId, now)}
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
   * event once, so a report Kannel repeats changes nothing. Returns false for an unknown id.
   */
  async recordDeliveryReport(report: {
    smsId: string;
    providerStatus: number;
    status: 'delivered' | 'failed' | 'accepted' | 'buffered';
    raw: Record<string, unknown>;
  }): Promise<{ known: boolean; newStatus?: string; oldStatus?: string }> {
    const { smsId, providerStatus, status, raw } = report;
    const now = iso(new Date());
    const sentId = notificationEventId(smsId, 'SmsSent');
    const deliveredId = notificationEventId(smsId, 'SmsDelivered');
    const failedId = notificationEventId(smsId, 'SmsFailed');
    const reason = `delivery report ${providerStatus}`;
    const rows = await this.prisma.$queryRaw<{ oldStatus: string; newStatus: string }[]>`
      WITH old AS (
        SELECT id, status FROM notification.sms_messages WHERE id = ${smsId}::uuid FOR UPDATE
      ), r AS (
        INSERT INTO notification.delivery_reports (sms_id, provider_status, status, raw)
        SELECT id, ${providerStatus}, ${status}, ${JSON.stringify(raw)}::jsonb FROM old
      ), u AS (
        UPDATE notification.sms_messages m SET
          status = CASE
            WHEN ${status} = 'delivered' THEN 'delivered'
            WHEN ${status} = 'failed' AND old.status <> 'delivered' THEN 'failed'
            WHEN old.status IN ('queued', 'sending') THEN 'sent'
            ELSE old.status END,
          sent_at = COALESCE(m.sent_at, ${now}::timestamptz),
          delivered_at = CASE WHEN ${status} = 'delivered' THEN COALESCE(m.delivered_at, ${now}::timestamptz)
                              ELSE m.delivered_at END,
          updated_at = now()
        FROM old WHERE m.id = old.id
        RETURNING m.*, old.status AS old_status
      ), e AS (
        INSERT INTO notification.outbox_events (id, key, type, payload)
        SELECT x.id, u.booking_id::text, x.type,
               jsonb_build_object('schemaVersion', 1, 'eventId', x.id::text, 'occurredAt', ${now}::text,
                 'campaignId', u.campaign_id, 'bookingId', u.booking_id::text, 'smsId', u.id::text,
                 'type', x.type, 'data', x.data)
        FROM u CROSS JOIN LATERAL (VALUES
          (${sentId}::uuid, 'SmsSent', u.old_status IN ('queued', 'sending') AND u.status IN ('sent', 'delivered'),
           jsonb_build_object('kind', u.kind, 'provider', u.provider, 'segments', u.segments, 'sentAt', ${now}::text)),
          (${deliveredId}::uuid, 'SmsDelivered', u.old_status <> 'delivered' AND u.status = 'delivered',
           jsonb_build_object('kind', u.kind, 'deliveredAt', ${now}::text)),
          (${failedId}::uuid, 'SmsFailed', u.old_status <> 'failed' AND u.status = 'failed',
           jsonb_build_object('kind', u.kind, 'reason', ${reason}::text, 'permanent', true))
        ) AS x(id, type, wanted, data)
        WHERE x.wanted
        ON CONFLICT (id) DO NOTHING
      )
      SELECT old_status AS "oldStatus", status AS "newStatus" FROM u`;
    const row = rows[0];
    return row ? { known: true, ...row } : { known: false };
  }
}

/** The envelope of a notification event, merged with `data` by the statement that writes it. */
function eventJson(type: SmsNotificationEventType, eventId: string, occurredAt: string): Prisma.Sql {
  return Prisma.sql`jsonb_build_object('schemaVersion', 1, 'eventId', ${eventId}::text,
    'occurredAt', ${occurredAt}::text, 'campaignId', u.campaign_id, 'bookingId', u.booking_id::text,
    'smsId', u.id::text, 'type', ${type}::text)`;
}
