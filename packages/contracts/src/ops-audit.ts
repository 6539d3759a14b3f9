import { z } from 'zod';
import { campaignId, isoDateTime } from './primitives';

/**
 * What the ops audit log records (issue 12): one entry per control that took effect. The
 * gateway writes them after the change, through the booking worker's internal API, which
 * keeps them in PostgreSQL (`booking.ops_audit`).
 */
export const OPS_AUDIT_ACTIONS = [
  'waiting-room.update',
  'campaign.sold-out',
  'quota.transfer',
  'quota.set',
  'campaign.load',
  'organisation.cap',
] as const;
export const OpsAuditAction = z.enum(OPS_AUDIT_ACTIONS);
export type OpsAuditAction = z.infer<typeof OpsAuditAction>;

/** POST /internal/ops/audit */
export const OpsAuditEntryInput = z.object({
  operator: z.string().min(1).max(200),
  action: OpsAuditAction,
  campaignId,
  detail: z.record(z.string(), z.unknown()),
});
export type OpsAuditEntryInput = z.infer<typeof OpsAuditEntryInput>;

/** One entry as answered (newest first in lists). */
export const OpsAuditEntry = OpsAuditEntryInput.extend({ at: isoDateTime });
export type OpsAuditEntry = z.infer<typeof OpsAuditEntry>;

/** GET /internal/ops/audit?campaignId=&limit= */
export const OpsAuditQuery = z.object({
  campaignId,
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type OpsAuditQuery = z.infer<typeof OpsAuditQuery>;

/** The answer of GET /internal/ops/audit (and of the gateway's audit route). */
export const OpsAuditList = z.object({ entries: z.array(OpsAuditEntry) });
export type OpsAuditList = z.infer<typeof OpsAuditList>;
