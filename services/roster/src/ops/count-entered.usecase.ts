import type { PrismaClient } from '@khiw/db';

export interface CountEnteredCommand {
  campaignId: string;
  /** `agent:<id>`, `organisation:<id>`, `partner:<id>`. */
  enteredBy: string;
  /** A Bangkok day, YYYY-MM-DD: the bookings entered that day. */
  date: string;
}

/** How many bookings one agent (or organisation) entered on a day, and how many stand. */
export class CountEntered {
  constructor(private readonly prisma: PrismaClient) {}

  async execute({
    campaignId,
    enteredBy,
    date,
  }: CountEnteredCommand): Promise<{ entered: number; active: number }> {
    const [row] = await this.prisma.$queryRaw<{ entered: bigint; active: bigint }[]>`
      SELECT count(*) AS entered, count(*) FILTER (WHERE cancelled_at IS NULL) AS active
      FROM roster.entries
      WHERE campaign_id = ${campaignId} AND entered_by = ${enteredBy}
        AND created_at >= (${date}::date::timestamp AT TIME ZONE 'Asia/Bangkok')
        AND created_at < ((${date}::date + 1)::timestamp AT TIME ZONE 'Asia/Bangkok')`;
    return { entered: Number(row?.entered ?? 0), active: Number(row?.active ?? 0) };
  }
}
