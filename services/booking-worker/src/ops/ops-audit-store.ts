import type { Prisma } from '@khiw/db';
import type { OpsAuditEntry, OpsAuditEntryInput } from '@khiw/contracts';

interface AuditRow {
  at: Date;
  operator: string;
  action: OpsAuditEntry['action'];
  campaign_id: string;
  detail: Record<string, unknown>;
}

/** booking.ops_audit: append-only, read newest first per campaign. */
export class OpsAuditStore {
  constructor(private readonly db: Prisma.TransactionClient) {}

  async append(entry: OpsAuditEntryInput): Promise<OpsAuditEntry> {
    const [row] = await this.db.$queryRaw<AuditRow[]>`
      INSERT INTO booking.ops_audit (operator, action, campaign_id, detail)
      VALUES (${entry.operator}, ${entry.action}, ${entry.campaignId}, ${JSON.stringify(entry.detail)}::jsonb)
      RETURNING at, operator, action, campaign_id, detail`;
    return entryOf(row!);
  }

  async list(campaignId: string, limit: number): Promise<OpsAuditEntry[]> {
    const rows = await this.db.$queryRaw<AuditRow[]>`
      SELECT at, operator, action, campaign_id, detail FROM booking.ops_audit
      WHERE campaign_id = ${campaignId} ORDER BY at DESC, id DESC LIMIT ${limit}`;
    return rows.map(entryOf);
  }
}

function entryOf(row: AuditRow): OpsAuditEntry {
  return {
    at: row.at.toISOString(),
    operator: row.operator,
    action: row.action,
    campaignId: row.campaign_id,
    detail: row.detail,
  };
}
