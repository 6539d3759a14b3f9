import type { PrismaClient } from '@khiw/db';

export interface CountRow {
  siteId: string;
  date: string;
  groupCode: string;
  booked: number;
  checkedIn: number;
  cancelled: number;
}

export interface CountBookingsCommand {
  campaignId: string;
}

/** Places a channel took at a site on a day (issue 11: a province checks its 12,000 a day). */
export interface ChannelDayRow {
  siteId: string;
  date: string;
  channel: string;
  booked: number;
}

export interface BookingCounts {
  campaignId: string;
  rows: CountRow[];
  /** Active bookings per site, day and channel. */
  channels: ChannelDayRow[];
  totals: Omit<CountRow, 'siteId' | 'date' | 'groupCode'>;
}

/** Campaign-wide counts per site, day (Bangkok) and priority group, and per channel, for ops. */
export class CountBookings {
  constructor(private readonly prisma: PrismaClient) {}

  async execute({ campaignId }: CountBookingsCommand): Promise<BookingCounts> {
    const rows = await this.prisma.$queryRaw<
      {
        site_id: string;
        day: string;
        group_code: string;
        booked: bigint;
        checked_in: bigint;
        cancelled: bigint;
      }[]
    >`
      SELECT site_id, to_char(starts_at AT TIME ZONE 'Asia/Bangkok', 'YYYY-MM-DD') AS day, group_code,
             count(*) FILTER (WHERE cancelled_at IS NULL) AS booked,
             count(*) FILTER (WHERE cancelled_at IS NULL AND checked_in_at IS NOT NULL) AS checked_in,
             count(*) FILTER (WHERE cancelled_at IS NOT NULL) AS cancelled
      FROM roster.entries WHERE campaign_id = ${campaignId} AND citizen_id IS NOT NULL
      GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`;
    const out = rows.map((r) => ({
      siteId: r.site_id,
      date: r.day,
      groupCode: r.group_code,
      booked: Number(r.booked),
      checkedIn: Number(r.checked_in),
      cancelled: Number(r.cancelled),
    }));
    const totals = out.reduce(
      (acc, r) => ({
        booked: acc.booked + r.booked,
        checkedIn: acc.checkedIn + r.checkedIn,
        cancelled: acc.cancelled + r.cancelled,
      }),
      { booked: 0, checkedIn: 0, cancelled: 0 },
    );
    const channels = await this.prisma.$queryRaw<
      { site_id: string; day: string; channel: string; booked: bigint }[]
    >`
      SELECT site_id, to_char(starts_at AT TIME ZONE 'Asia/Bangkok', 'YYYY-MM-DD') AS day,
             coalesce(channel, 'web') AS channel, count(*) AS booked
      FROM roster.entries WHERE campaign_id = ${campaignId} AND citizen_id IS NOT NULL AND cancelled_at IS NULL
      GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`;
    return {
      campaignId,
      rows: out,
      channels: channels.map((r) => ({
        siteId: r.site_id,
        date: r.day,
        channel: r.channel,
        booked: Number(r.booked),
      })),
      totals,
    };
  }
}
