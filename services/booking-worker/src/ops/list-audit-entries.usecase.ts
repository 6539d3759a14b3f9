import type { PrismaClient } from '@khiw/db';
import type { OpsAuditList, OpsAuditQuery } from '@khiw/contracts';
import { OpsAuditStore } from './ops-audit-store';

export type ListAuditEntriesCommand = OpsAuditQuery;

/** `GET /internal/ops/audit`: a campaign's latest entries, newest first. */
export class ListAuditEntries {
  constructor(private readonly prisma: PrismaClient) {}

  async execute({ campaignId, limit }: ListAuditEntriesCommand): Promise<OpsAuditList> {
    return { entries: await new OpsAuditStore(this.prisma).list(campaignId, limit) };
  }
}
