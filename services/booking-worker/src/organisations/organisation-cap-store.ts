import type { PrismaClient } from '@khiw/db';

export interface OrganisationCapRow {
  name: string;
  cap: number;
}

/** booking.organisation_caps, and whom an organisation entered in a campaign. */
export class OrganisationCapStore {
  constructor(private readonly prisma: PrismaClient) {}

  async campaignExists(campaignId: string): Promise<boolean> {
    const rows = await this.prisma.$queryRaw<unknown[]>`
      SELECT 1 FROM booking.campaigns WHERE id = ${campaignId}`;
    return rows.length > 0;
  }

  async upsert(campaignId: string, organisationId: string, { name, cap }: OrganisationCapRow): Promise<void> {
    await this.prisma.$executeRaw`
      INSERT INTO booking.organisation_caps (campaign_id, organisation_id, name, cap)
      VALUES (${campaignId}, ${organisationId}, ${name}, ${cap})
      ON CONFLICT (campaign_id, organisation_id)
      DO UPDATE SET name = EXCLUDED.name, cap = EXCLUDED.cap, updated_at = now()`;
  }

  async find(campaignId: string, organisationId: string): Promise<OrganisationCapRow | undefined> {
    const [row] = await this.prisma.$queryRaw<OrganisationCapRow[]>`
      SELECT name, cap FROM booking.organisation_caps
       WHERE campaign_id = ${campaignId} AND organisation_id = ${organisationId}`;
    return row;
  }

  /** The people the organisation holds a place for: live bookings and waiting standby places. */
  async counted(campaignId: string, organisationId: string): Promise<string[]> {
    const enteredBy = `organisation:${organisationId}`;
    const rows = await this.prisma.$queryRaw<{ citizen_id: string }[]>`
      SELECT citizen_id FROM booking.bookings
       WHERE campaign_id = ${campaignId} AND entered_by = ${enteredBy} AND status = 'confirmed'
      UNION
      SELECT citizen_id FROM booking.standby_entries
       WHERE campaign_id = ${campaignId} AND entered_by = ${enteredBy} AND status = 'waiting'`;
    return rows.map((r) => r.citizen_id);
  }
}
