import type { PrismaClient } from '@khiw/db';
import { KhiwError } from '@khiw/errors';
import { changeQuotas, type QuotaChangeResult } from './quota-change';

export interface TransferQuotaCommand {
  campaignId: string;
  from: string;
  to: string;
  doses: number;
}

/** Moves doses of quota from one group to another while the campaign runs (ops); see changeQuotas. */
export class TransferQuota {
  constructor(private readonly prisma: PrismaClient) {}

  execute({ campaignId, from, to, doses }: TransferQuotaCommand): Promise<QuotaChangeResult> {
    return changeQuotas(this.prisma, campaignId, (groups) => {
      const source = groups.get(from);
      const target = groups.get(to);
      if (!source || !target || from === to) throw new KhiwError('UNKNOWN_GROUP');
      return [
        { code: from, quota: source.quota - doses },
        { code: to, quota: target.quota + doses },
      ];
    });
  }
}
