import type { Response } from 'express';
import {
  OpsAuditList,
  type OpsAuditAction,
  type OpsAuditEntry,
  type OpsAuditEntryInput,
} from '@khiw/contracts';
import type { Logger } from '@khiw/observability';
import { unavailable, type BookingWorkerClient } from '../http/booking-worker-client';
import type { OpsClaims } from '../waiting-room/tokens/queue-tokens';

/** Where the audited routes record what they did (the booking worker keeps the log). */
export interface AuditRecorder {
  /** True once recorded; false when not (the entry is then in the gateway log). Never throws. */
  record(entry: OpsAuditEntryInput): Promise<boolean>;
}

/**
 * The ops audit log, kept by the booking worker in PostgreSQL (`/internal/ops/audit`). A
 * control that took effect is recorded after the fact; when the worker cannot take the entry
 * the control still stands, the entry goes to this gateway's log as `{ audit: true, ... }`
 * (so it is not lost) and the answer says `auditRecorded: false`.
 */
export class AuditLog implements AuditRecorder {
  private readonly lastKnown = new Map<string, OpsAuditEntry[]>();

  constructor(
    private readonly worker: BookingWorkerClient,
    private readonly logger: Logger,
    /** Short: an operator waits on it, and the control has already taken effect. */
    private readonly timeoutMs = 2000,
  ) {}

  async record(entry: OpsAuditEntryInput): Promise<boolean> {
    let reason: string;
    try {
      const answer = await this.worker.call('POST', '/internal/ops/audit', entry, this.timeoutMs);
      if (answer.status === 201) return true;
      reason = `booking worker answered ${answer.status}`;
    } catch (error) {
      reason = error instanceof Error ? error.message : String(error);
    }
    this.logger.error({ audit: true, ...entry, reason }, 'audit entry not recorded by the booking worker');
    return false;
  }

  /** A campaign's entries, newest first; BOOKING_SERVICE_UNAVAILABLE when the worker cannot say. */
  async list(campaignId: string, limit: number): Promise<OpsAuditEntry[]> {
    const query = new URLSearchParams({ campaignId, limit: String(limit) });
    const answer = await this.worker.call('GET', `/internal/ops/audit?${query.toString()}`);
    const parsed = answer.status === 200 ? OpsAuditList.safeParse(answer.body) : undefined;
    if (!parsed?.success) {
      throw unavailable(`GET /internal/ops/audit answered ${answer.status}`, parsed?.error);
    }
    return parsed.data.entries;
  }

  /** For the overview: the latest entries, or the last ones read while the worker does not answer. */
  async recent(campaignId: string, limit = 20): Promise<OpsAuditEntry[]> {
    try {
      const entries = await this.list(campaignId, limit);
      if (this.lastKnown.size > 1000) this.lastKnown.clear();
      this.lastKnown.set(campaignId, entries);
      return entries;
    } catch {
      return this.lastKnown.get(campaignId) ?? [];
    }
  }
}

/** Records what an ops route did, as the token's subject; the answer's `auditRecorded`. */
export function recordControl(
  audit: AuditRecorder,
  res: Response,
  entry: { action: OpsAuditAction; campaignId: string; detail: Record<string, unknown> },
): Promise<boolean> {
  const operator = (res.locals.operator as OpsClaims).subject;
  return audit.record({ operator, ...entry });
}
