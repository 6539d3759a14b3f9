import type { PrismaClient } from '@khiw/db';
import { KhiwError } from '@khiw/errors';
import { changeQuotas, type QuotaChangeResult } from './quota-change';

export interface SetGroupQuotaCommand {
  campaignId: string;
  code: string;
  quota: number;
}

/** Sets one group's quota while the campaign runs (ops); see changeQuotas for the rules. */
export class SetGroupQuota {
  constructor(private readonly prisma: PrismaClient) {}

  execute({ campaignId, code, quota }: SetGroupQuotaCommand): Promise<QuotaChangeResult> {
    return changeQuotas(this.prisma, campaignId, (groups) => {
      if (!groups.has(code)) throw new KhiwError('UNKNOWN_GROUP');
      return [{ code, quota }];
    });
  }
}
