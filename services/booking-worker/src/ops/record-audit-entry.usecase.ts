import type { PrismaClient } from '@khiw/db';
import type { OpsAuditEntry, OpsAuditEntryInput } from '@khiw/contracts';
import { OpsAuditStore } from './ops-audit-store';

export type RecordAuditEntryCommand = OpsAuditEntryInput;

/** `POST /internal/ops/audit`: one control that took effect, as the gateway reports it. */
export class RecordAuditEntry {
  constructor(private readonly prisma: PrismaClient) {}

  execute(command: RecordAuditEntryCommand): Promise<OpsAuditEntry> {
    return new OpsAuditStore(this.prisma).append(command);
  }
}
