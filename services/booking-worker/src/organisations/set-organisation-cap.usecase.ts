import type { OrganisationCapBody } from '@khiw/contracts';
import { KhiwError } from '@khiw/errors';
import type { OrganisationCapStore } from './organisation-cap-store';

export interface SetOrganisationCapCommand extends OrganisationCapBody {
  campaignId: string;
  organisationId: string;
}

/**
 * Ops set how many people an organisation may book in a campaign (issue 11). The gateway
 * counts against it in Redis; this row is what survives a Redis restart.
 */
export class SetOrganisationCap {
  constructor(private readonly store: OrganisationCapStore) {}

  async execute({
    campaignId,
    organisationId,
    name,
    cap,
  }: SetOrganisationCapCommand): Promise<OrganisationCapBody> {
    if (!(await this.store.campaignExists(campaignId)))
      throw new KhiwError('NOT_FOUND', `no campaign ${campaignId}`);
    await this.store.upsert(campaignId, organisationId, { name, cap });
    return { name, cap };
  }
}
